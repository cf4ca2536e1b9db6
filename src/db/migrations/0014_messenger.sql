-- 0014_messenger.sql — the internal messenger: direct and group messages, groups and their
-- members, and each reader's read state (docs/messenger.md).

-- A group (product "Messenger Groups"): a name, its members, and "Enable Writing" (0 = the
-- members only receive; the creator and administrators may still write). A deleted group stays
-- as a row so message ids are never reused; nobody sees it any more.
CREATE TABLE messenger_groups (
    id {{ID_PK}},
    name TEXT NOT NULL,
    writable INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT NOT NULL REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_message_id BIGINT NOT NULL DEFAULT 0,
    deleted_at BIGINT
);

-- Membership, with the member's read state: messages of the group with an id above
-- last_read_id (and not sent by the member) are unread.
CREATE TABLE messenger_group_members (
    group_id BIGINT NOT NULL REFERENCES messenger_groups(id),
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    last_read_id BIGINT NOT NULL DEFAULT 0,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, staff_id)
);
CREATE INDEX messenger_group_members_staff ON messenger_group_members(staff_id);

-- Every message, direct (recipient_id, and the pair as pair_lo < pair_hi for the history of
-- one conversation) or to a group (group_id). The text is stored as sent: never HTML.
CREATE TABLE messenger_messages (
    id {{ID_PK}},
    sender_id BIGINT NOT NULL REFERENCES staff(id),
    recipient_id BIGINT REFERENCES staff(id),
    pair_lo BIGINT,
    pair_hi BIGINT,
    group_id BIGINT REFERENCES messenger_groups(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((group_id IS NULL AND recipient_id IS NOT NULL AND pair_lo < pair_hi)
           OR (group_id IS NOT NULL AND recipient_id IS NULL AND pair_lo IS NULL))
);
CREATE INDEX messenger_messages_pair ON messenger_messages(pair_lo, pair_hi, id);
CREATE INDEX messenger_messages_unread ON messenger_messages(recipient_id, sender_id, id);
CREATE INDEX messenger_messages_group ON messenger_messages(group_id, id);

-- One row per (owner, peer) direct conversation, for each side, created with its first
-- message: the owner's read state and the newest message (the list's order).
CREATE TABLE messenger_direct (
    owner_id BIGINT NOT NULL REFERENCES staff(id),
    peer_id BIGINT NOT NULL REFERENCES staff(id),
    last_read_id BIGINT NOT NULL DEFAULT 0,
    last_message_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, peer_id)
);

-- Who may use the messenger, read at every request (a change of an agent's permission applies
-- at once): live, enabled accounts; agents only with "Enable Internal Messenger". `sound` is
-- the agent's "Messenger sound notification" (always on for administrators and supervisors).
CREATE VIEW messenger_staff AS
SELECT s.id, s.username, s.full_name, s.role, s.deleted_at,
       CASE WHEN s.deleted_at IS NOT NULL OR s.disabled <> 0 THEN 0
            WHEN a.staff_id IS NOT NULL
                 AND CAST(a.settings{{JSON}} -> 'perm_internal_messenger' AS TEXT) = 'false' THEN 0
            ELSE 1 END AS usable,
       CASE WHEN a.staff_id IS NOT NULL
                 AND CAST(a.settings{{JSON}} -> 'perm_messenger_sound' AS TEXT) = 'false' THEN 0
            ELSE 1 END AS sound
FROM staff s LEFT JOIN agents a ON a.staff_id = s.id;
