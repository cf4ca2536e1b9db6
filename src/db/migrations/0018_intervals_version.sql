-- 0018_intervals_version.sql — one counter for every change to intervals, bumped in the same
-- transaction as the change (routing/interval_store.c): the router reloads its interval set
-- when it moved (interval_version, docs/flows.md).
CREATE TABLE intervals_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO intervals_version (id, version) VALUES (1, 1);
