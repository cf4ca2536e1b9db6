-- 0008_queues.sql — queues of every channel and their agent members. A name is unique within
-- its channel (voice and chat queues live in different sections of the product).
CREATE TABLE queues (
    id {{ID_PK}},
    channel TEXT NOT NULL CHECK (channel IN ('voice', 'chat', 'email', 'sms', 'openchannel', 'fax',
                                             'whatsapp')),
    name TEXT NOT NULL,
    description TEXT,
    strategy TEXT NOT NULL,
    agent_timeout INTEGER NOT NULL,
    weight INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel, name)
);

CREATE TABLE queue_members (
    queue_id BIGINT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (queue_id, staff_id)
);
CREATE INDEX queue_members_staff ON queue_members(staff_id);
