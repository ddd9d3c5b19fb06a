-- Transcript search indexed in batches, off the chat request path (handoff/search-index.ts).
--
-- With the insert trigger of migration 004, every commit that stored a message wrote a new FTS5 segment
-- of its own (about half the pages of a chat turn, and most of its write cost). Now a message is indexed
-- shortly after it is stored, many at a time, and always before a search runs, so search results stay
-- complete. `messages_fts_progress.indexed_through` is the high-water mark: every message with an id up to
-- it is in the index, none above it is. Message ids only grow (AUTOINCREMENT, given under the write lock),
-- so the messages above the mark are exactly the backlog, and nothing is lost if the process dies before
-- indexing them: whoever opens the database next catches up.
--
-- Whoever runs the FTS5 'rebuild' command must also set the mark to max(messages.id).
CREATE TABLE messages_fts_progress (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_through INTEGER NOT NULL
);

-- Migration 004 indexed every message so far.
INSERT INTO messages_fts_progress (id, indexed_through) VALUES (1, (SELECT coalesce(max(id), 0) FROM messages));

-- Merge index segments 8 at a time instead of 4: each batch adds a segment, and merging them is most of
-- the indexing cost after tokenizing (about a fifth less per message); a search reads a few more segments,
-- still well under a millisecond. Not 16: with crisismerge at its default 16, whole levels would then be
-- merged in one go now and then (100+ ms in one batch at 60k messages). Kept in the table's own config.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 8);

DROP TRIGGER messages_fts_after_insert;
DROP TRIGGER messages_fts_after_delete;
DROP TRIGGER messages_fts_after_update;

-- A message stored with an id at or below the mark (only an explicit id can do that) is indexed at once;
-- the usual message, above the mark, waits for the next batch.
CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages
WHEN new.id <= (SELECT indexed_through FROM messages_fts_progress WHERE id = 1) BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Deletes and edits touch the index only for messages already in it; the batch reads the current text.
CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT indexed_through FROM messages_fts_progress WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF text ON messages
WHEN old.id <= (SELECT indexed_through FROM messages_fts_progress WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
