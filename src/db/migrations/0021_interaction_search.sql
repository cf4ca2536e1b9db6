-- 0021_interaction_search.sql — the interactions list and its advanced search (issue #6 §5,
-- docs/interactions-search.md): indexes for the list's filters and sorts, and a full-text
-- index on message bodies for the `message` conditions.
--
-- The list always names a channel, usually an account, and sorts by a time:
CREATE INDEX interactions_channel_created ON interactions(channel, created_at);
CREATE INDEX interactions_account_last ON interactions(channel, account_id, last_message_at);
CREATE INDEX interactions_account_status ON interactions(channel, account_id, status, created_at);
-- A supervisor's scope is a set of queues:
CREATE INDEX interactions_queue ON interactions(queue_id, created_at);
-- A contact condition (name, phone, e-mail) finds the contacts, then their interactions:
CREATE INDEX interactions_contact ON interactions(contact_id);

-- Message bodies. A `message` condition is a LIKE pattern (contains, equals, starts with, ends
-- with) compared case-insensitively on ASCII letters.
--
-- SQLite: an FTS5 index with the trigram tokenizer over messages.body (external content: the
-- text is stored once, in messages), kept in step by triggers. A LIKE on the FTS table with at
-- least one 3-character run uses it; the search rechecks every candidate on messages.body.
{{SQLITE}}
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id',
                                             tokenize='trigram');
INSERT INTO messages_fts(rowid, body) SELECT id, body FROM messages;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
{{END}}
-- PostgreSQL: a pg_trgm GIN index on the body folded to lower case on ASCII letters only
-- (translate, not lower(), whose folding depends on the database's locale), so that the
-- search's LIKE on the same expression uses it. The extension is created in schema public
-- (it is trusted: the database owner may create it) and its operator class is found wherever
-- an earlier installation put it.
{{PG}}
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
DO $$
DECLARE s text;
BEGIN
    SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX messages_body_trgm ON messages USING gin '
                   '((translate(body, %L, %L)) %I.gin_trgm_ops)',
                   'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz', s);
END
$$;
{{END}}
