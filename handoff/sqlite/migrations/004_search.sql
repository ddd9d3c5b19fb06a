-- Transcript search: a full-text index over every message, and who has held each conversation.

-- FTS5 with the trigram tokenizer: any substring of three or more characters matches, which is what
-- Chinese needs (no word boundaries) and works for English words, numbers (10010) and codes (CZ#).
-- Shorter search terms (two-character Chinese words are common) cannot use the index and are matched
-- with LIKE instead (see sqlite-transcript-store.ts). External content: the text lives only in
-- `messages`; the index holds the trigrams. Case-insensitive (trigram's default).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text,
  content = 'messages',
  content_rowid = 'id',
  tokenize = 'trigram'
);

-- Kept in step with `messages` by triggers, so no writer has to remember the index.
CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Messages written before this migration.
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- Every agent who has held a conversation (assignment, take, transfer): "chats they held" in search,
-- which the current holder alone (conversations.agent_id) cannot answer after a transfer.
CREATE TABLE conversation_agents (
  agent_id        TEXT NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  PRIMARY KEY (agent_id, conversation_id)
) WITHOUT ROWID;

CREATE INDEX conversation_agents_by_conversation ON conversation_agents (conversation_id);

-- Filled from conversations.agent_id, the holder column of the routing migration (003): every UPDATE
-- that sets it records the holder, whoever wrote it. SQLite resolves the column when the trigger
-- fires, not when it is created, so this migration also applies to a schema without the column (the
-- trigger then never fires). A routing schema that names the holder differently must change this.
CREATE TRIGGER conversation_agents_on_assign AFTER UPDATE OF agent_id ON conversations
WHEN new.agent_id IS NOT NULL BEGIN
  INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id) VALUES (new.agent_id, new.id);
END;
