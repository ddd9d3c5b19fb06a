-- Read receipts (issue 17): how far each side of a conversation has read, as the id of the last message it read.
-- One row per side: `visitor` (the widget showed the messages while visible) and `agent` (an agent holding the chat
-- had it open). The store only ever moves a marker forward, and only to a message of the same conversation.
-- No foreign key to messages: an erasure deletes the messages before their conversation, which takes these rows.
CREATE TABLE read_markers (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  reader          TEXT NOT NULL CHECK (reader IN ('visitor', 'agent')),
  up_to           INTEGER NOT NULL CHECK (up_to > 0),
  read_at         TEXT NOT NULL,
  PRIMARY KEY (conversation_id, reader)
) WITHOUT ROWID;
