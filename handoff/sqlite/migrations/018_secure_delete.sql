-- Erased visitor data must not stay readable in the file (`strings chat.sqlite`). The connection turns on
-- `secure_delete` (db.ts: freed pages are overwritten with zeros); the search index needs its own switch:
-- FTS5 otherwise keeps a deleted message's trigrams in its segments until they happen to be merged.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);
