-- 0013_interactions.sql — the channel-generic core of the routing issue: contact lists and
-- contacts, interactions and their messages, the de-duplication of provider ids, and the
-- report tables (one row per interaction × queue attempt; agents' sessions and pauses).

CREATE TABLE contact_lists (
    id {{ID_PK}},
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Accounts name a default list; until one is chosen unknown senders land here.
INSERT INTO contact_lists (name, description, created_at, updated_at)
VALUES ('Default', 'Contacts created from inbound messages of accounts without a list', 0, 0);

CREATE TABLE contacts (
    id {{ID_PK}},
    list_id BIGINT NOT NULL REFERENCES contact_lists(id) ON DELETE CASCADE,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    email TEXT,
    -- The channel's own address when it is not a phone or an e-mail (Open Channel mapKey…).
    channel_key TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One contact per address in a list: concurrent inbound messages cannot create two.
CREATE UNIQUE INDEX contacts_list_phone ON contacts(list_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX contacts_list_email ON contacts(list_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_list_key ON contacts(list_id, channel_key) WHERE channel_key IS NOT NULL;

CREATE TABLE interactions (
    id {{ID_PK}},
    channel TEXT NOT NULL CHECK (channel IN ('chat', 'email', 'sms', 'openchannel', 'fax',
                                             'whatsapp')),
    account_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    unread INTEGER NOT NULL DEFAULT 1,
    owner_id BIGINT REFERENCES staff(id),
    queue_id BIGINT REFERENCES queues(id) ON DELETE SET NULL,
    disposition TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    thread_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_message_at BIGINT,
    closed_at BIGINT
);
-- At most one open interaction per contact and account: a new message joins it; after it is
-- closed the next message starts a new one. The unique index is what makes this hold under
-- concurrent webhooks.
CREATE UNIQUE INDEX interactions_one_open ON interactions(channel, account_id, contact_id)
    WHERE status = 'open';
CREATE INDEX interactions_owner ON interactions(owner_id, status);
CREATE INDEX interactions_account ON interactions(channel, account_id, created_at);

CREATE TABLE messages (
    id {{ID_PK}},
    interaction_id BIGINT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    provider_id TEXT,
    delivery_status TEXT NOT NULL CHECK (delivery_status IN ('received', 'queued', 'sent',
                                                             'delivered', 'failed')),
    sender_id BIGINT REFERENCES staff(id),
    internal INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX messages_interaction ON messages(interaction_id, id);

-- A provider's message id is seen once per account: a webhook retried after a lost answer
-- finds the message it already stored instead of storing it twice.
CREATE TABLE inbound_seen (
    channel TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    provider_id TEXT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    PRIMARY KEY (channel, account_id, provider_id)
);

-- One row per (interaction, queue) attempt: joined, accepted, left, and why it left.
CREATE TABLE report_queue (
    id {{ID_PK}},
    channel TEXT NOT NULL,
    interaction_id BIGINT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    queue_id BIGINT,
    joined_at BIGINT NOT NULL,
    accepted_at BIGINT,
    left_at BIGINT,
    reason TEXT CHECK (reason IN ('accepted', 'timeout', 'abandoned')),
    agent_id BIGINT
);
CREATE INDEX report_queue_channel ON report_queue(channel, joined_at);
CREATE INDEX report_queue_interaction ON report_queue(interaction_id);
-- The product's per-channel names.
CREATE VIEW report_chat_queue AS SELECT * FROM report_queue WHERE channel = 'chat';
CREATE VIEW report_email_queue AS SELECT * FROM report_queue WHERE channel = 'email';
CREATE VIEW report_sms_queue AS SELECT * FROM report_queue WHERE channel = 'sms';
CREATE VIEW report_openchannel_queue AS SELECT * FROM report_queue WHERE channel = 'openchannel';
CREATE VIEW report_fax_queue AS SELECT * FROM report_queue WHERE channel = 'fax';
CREATE VIEW report_whatsapp_queue AS SELECT * FROM report_queue WHERE channel = 'whatsapp';

CREATE TABLE report_agent_sessions (
    id {{ID_PK}},
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    channel TEXT NOT NULL,
    login_at BIGINT NOT NULL,
    logout_at BIGINT
);
CREATE INDEX report_agent_sessions_staff ON report_agent_sessions(staff_id, login_at);

CREATE TABLE report_agent_pauses (
    id {{ID_PK}},
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    reason TEXT,
    paused_at BIGINT NOT NULL,
    unpaused_at BIGINT
);
CREATE INDEX report_agent_pauses_staff ON report_agent_pauses(staff_id, paused_at);
