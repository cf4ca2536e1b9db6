-- 0019_sms_accounts.sql — SMS accounts (issue #6 part 1), dispositions and canned answers.
--
-- An SMS account's provider credentials and its proxy token are sealed (core/seal.h) before
-- they are stored: `credentials` holds the sealed JSON object of the type's fields,
-- `proxy_token` the sealed token. Neither is readable from a database dump without the key
-- file.
CREATE TABLE sms_accounts (
    id {{ID_PK}},
    name TEXT NOT NULL UNIQUE,
    -- The short name shown on the agents' tabs: 1-5 alphanumeric characters, unique across
    -- SMS accounts whatever the letter case.
    account_key TEXT NOT NULL,
    -- Proxy / Motion domain: the public base URL the receive URLs are built on.
    domain TEXT NOT NULL,
    list_id BIGINT NOT NULL REFERENCES contact_lists(id),
    phone TEXT,
    description TEXT,
    type TEXT NOT NULL CHECK (type IN ('twilio', 'skebby', 'connectel', 'clicksend', 'plivo',
                                       'clickatell', 'csctelecom', 'infobip', 'intelepeer',
                                       'bandwidth', 'telnyx')),
    credentials TEXT NOT NULL,
    proxy_token TEXT NOT NULL,
    wait_agent INTEGER NOT NULL DEFAULT 10,
    wait_queue INTEGER NOT NULL DEFAULT 10,
    transfer_enabled INTEGER NOT NULL DEFAULT 0,
    transfer_timeout INTEGER NOT NULL DEFAULT 60,
    mandatory_disposition INTEGER NOT NULL DEFAULT 0,
    -- The pause reason applied to the agent while disposing; NULL = no pause.
    disposition_pause TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sms_accounts_key ON sms_accounts(lower(account_key));

CREATE TABLE sms_account_agents (
    account_id BIGINT NOT NULL REFERENCES sms_accounts(id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, staff_id)
);
CREATE INDEX sms_account_agents_staff ON sms_account_agents(staff_id);

-- Dispositions: at most three levels (parent_id NULL = level 1). A child has its parent's
-- scope: 'global' (every channel), 'account' (channel + account_id), 'queue' (queue_id) or
-- 'list' (list_id: interactions of accounts whose contact list it is). Deleting a disposition
-- deletes its children (ON DELETE CASCADE on parent_id); deleting a queue or a list deletes
-- its dispositions; the account code deletes an account's.
CREATE TABLE dispositions (
    id {{ID_PK}},
    name TEXT NOT NULL,
    description TEXT,
    parent_id BIGINT REFERENCES dispositions(id) ON DELETE CASCADE,
    level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
    scope TEXT NOT NULL CHECK (scope IN ('global', 'account', 'queue', 'list')),
    channel TEXT,
    account_id BIGINT,
    queue_id BIGINT REFERENCES queues(id) ON DELETE CASCADE,
    list_id BIGINT REFERENCES contact_lists(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A name is unique among the siblings of one scope.
CREATE UNIQUE INDEX dispositions_sibling_name ON dispositions(scope, COALESCE(channel, ''),
    COALESCE(account_id, 0), COALESCE(queue_id, 0), COALESCE(list_id, 0), COALESCE(parent_id, 0),
    name);
CREATE INDEX dispositions_parent ON dispositions(parent_id);
CREATE INDEX dispositions_account ON dispositions(channel, account_id);
-- The product's default global dispositions.
INSERT INTO dispositions (name, level, scope, created_at, updated_at) VALUES
    ('Fax', 1, 'global', 0, 0),
    ('Answer Machine', 1, 'global', 0, 0),
    ('Interested', 1, 'global', 0, 0),
    ('Not Interested', 1, 'global', 0, 0),
    ('Sold', 1, 'global', 0, 0),
    ('Special', 1, 'global', 0, 0);

-- Canned answers: global (channel and account_id NULL) or of one account.
CREATE TABLE canned_answers (
    id {{ID_PK}},
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT,
    account_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX canned_answers_name ON canned_answers(COALESCE(channel, ''),
    COALESCE(account_id, 0), name);
