-- 0017_routing_openchannel.sql — what the ACD thread needs to resume after a restart, the
-- Open Channel accounts and the durable outbox of outbound messages.
--
-- An open interaction's routing state lives on its row (the database is the source of truth;
-- the ACD thread's memory is rebuilt from it at start):
--   route_state   'flow'     the action flow runs (or is about to) from route_position
--                 'queued'   waiting in queue route_target until route_deadline
--                 'agent'    offered to agent route_target (Agent action, follow-up, transfer)
--                            until route_deadline
--                 'assigned' owned by owner_id
--                 'idle'     the flow ended without an agent: it waits for the next message
--   route_phase   why it is queued/offered: 'action' (a flow action), 'followup_agent',
--                 'followup_queue' (a new message after the agent closed its tab), 'transfer'
--   route_return  the agent a transfer returns to when it times out
ALTER TABLE interactions ADD COLUMN route_state TEXT NOT NULL DEFAULT 'flow';
ALTER TABLE interactions ADD COLUMN route_phase TEXT NOT NULL DEFAULT 'action';
ALTER TABLE interactions ADD COLUMN route_position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interactions ADD COLUMN route_target BIGINT;
ALTER TABLE interactions ADD COLUMN route_deadline BIGINT;
ALTER TABLE interactions ADD COLUMN route_return BIGINT;
-- The agent who last owned the interaction (follow-ups wait for it after it closed its tab).
ALTER TABLE interactions ADD COLUMN last_owner_id BIGINT;
-- Memory of the flow's Auto Reply actions (positions already answered), as a JSON object.
ALTER TABLE interactions ADD COLUMN flow_memory TEXT NOT NULL DEFAULT '{}';
CREATE INDEX interactions_routing ON interactions(status, route_state);

CREATE TABLE openchannel_accounts (
    id {{ID_PK}},
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    -- The connector's own key (XCALLY's "key"), free text.
    account_key TEXT,
    list_id BIGINT NOT NULL REFERENCES contact_lists(id),
    reply_url TEXT,
    reply_method TEXT NOT NULL DEFAULT 'POST' CHECK (reply_method IN ('POST', 'PUT')),
    -- SHA-256 (hex) of the inbound token; the token itself is shown once.
    token_hash TEXT NOT NULL,
    wait_agent INTEGER NOT NULL DEFAULT 10,
    wait_queue INTEGER NOT NULL DEFAULT 10,
    transfer_enabled INTEGER NOT NULL DEFAULT 0,
    transfer_timeout INTEGER NOT NULL DEFAULT 60,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE openchannel_account_agents (
    account_id BIGINT NOT NULL REFERENCES openchannel_accounts(id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, staff_id)
);

-- Outbound messages waiting for the provider/connector to take them. A row is written in the
-- same transaction as the message; the outbox thread delivers and retries with backoff.
CREATE TABLE outbox (
    id {{ID_PK}},
    channel TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
