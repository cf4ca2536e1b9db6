-- 0015_intervals_flows.sql — time intervals and the action flows of the digital channels'
-- accounts (issue #5 part 4, docs/flows.md).

-- A named union of sub-intervals, in the server's time zone.
CREATE TABLE intervals (
    id {{ID_PK}},
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- "always", or a custom time range + week days + month days + months; '*' = any. The fields
-- are stored as written (routing/intervals.h gives their syntax) and parsed when loaded.
CREATE TABLE sub_intervals (
    id {{ID_PK}},
    interval_id BIGINT NOT NULL REFERENCES intervals(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT,
    type TEXT NOT NULL CHECK (type IN ('always', 'custom')),
    time_range TEXT NOT NULL DEFAULT '*',
    week_days TEXT NOT NULL DEFAULT '*',
    month_days TEXT NOT NULL DEFAULT '*',
    months TEXT NOT NULL DEFAULT '*',
    UNIQUE (interval_id, position)
);

-- The product's installation creates these two; the administrator edits them.
INSERT INTO intervals (name, description, created_at, updated_at)
VALUES ('working time', 'Monday to Friday, 09:00 to 18:00', 0, 0);
INSERT INTO sub_intervals (interval_id, position, name, type, time_range, week_days)
SELECT id, 1, 'office hours', 'custom', '09:00-18:00', 'mon-fri' FROM intervals
WHERE name = 'working time';
INSERT INTO intervals (name, description, created_at, updated_at)
VALUES ('holidays', 'Add the days the contact center is closed', 0, 0);

-- One row per account that has a flow. Accounts live in each channel's own tables, so there is
-- no foreign key to them. `version` grows with every change: the router compares it to know
-- when to reload. Saving a flow first upserts this row, which serializes concurrent saves of
-- the same account (PostgreSQL row lock; SQLite's write lock).
CREATE TABLE flows (
    channel TEXT NOT NULL CHECK (channel IN ('chat', 'email', 'sms', 'openchannel', 'fax',
                                             'whatsapp')),
    account_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (channel, account_id)
);

-- The ordered actions: `position` is the product's priority (1-based). `data` holds the
-- application's own fields as a JSON object. An interval in use cannot be deleted (the API
-- answers 409; the foreign key is the backstop).
CREATE TABLE flow_actions (
    id {{ID_PK}},
    channel TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    application TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    interval_id BIGINT REFERENCES intervals(id),
    FOREIGN KEY (channel, account_id) REFERENCES flows(channel, account_id) ON DELETE CASCADE,
    UNIQUE (channel, account_id, position)
);
CREATE INDEX flow_actions_interval ON flow_actions(interval_id);
