-- 0010_avatar.sql — an agent's picture: the generated file name under
-- <server.data_dir>/avatars/ ("<32 hex>.png" or ".jpg"), NULL for none. The file is durable
-- before this column names it and removed only after the column stops naming it
-- (src/staff/avatar_store.c).
ALTER TABLE staff ADD COLUMN avatar TEXT;
