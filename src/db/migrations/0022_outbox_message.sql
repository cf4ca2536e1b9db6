-- 0022_outbox_message.sql — the outbox row of a message, found by its message: the messages
-- list shows each outbound message's send attempts and last error (issue #6, durability).
CREATE INDEX outbox_message ON outbox(message_id);
