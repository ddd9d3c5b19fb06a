-- Attachments (issue 17): images and PDFs a visitor or the agent holding the chat sends into it. The bytes live
-- in an object store under the attachment's random id (DATA_DIR/attachments/<id> in this embedded mode:
-- handoff/conversations/attachments/); this is their row, and the message that shows each one.

CREATE TABLE attachments (
  -- Random and unguessable (base64url of 16 random bytes); also the object store's key.
  id              TEXT PRIMARY KEY CHECK (id GLOB '[A-Za-z0-9_-]*' AND length(id) BETWEEN 16 AND 64),
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  author          TEXT NOT NULL CHECK (author IN ('visitor', 'agent')),
  agent_id        TEXT,
  -- For showing only (cleaned: no path, no control or direction characters); never used as a path.
  name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Judged by the content when uploaded, and what a download is served as.
  type            TEXT NOT NULL CHECK (type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf')),
  size            INTEGER NOT NULL CHECK (size > 0),
  created_at      TEXT NOT NULL
);
CREATE INDEX attachments_by_conversation ON attachments (conversation_id);

-- The attachment a message carries, as the message shows it (JSON: id, name, type, size). Written once with the
-- message and never changed, so reading a transcript needs no join.
ALTER TABLE messages ADD COLUMN attachment TEXT CHECK (attachment IS NULL OR json_valid(attachment));

-- Bytes still to remove from the object store: the erasure and retention delete conversations (and so their
-- attachments, by the cascade) in one transaction, but files are not transactional. The trigger notes each
-- deleted attachment in that same transaction; after it commits the bytes are removed and the note goes
-- (attachment-erasure.ts), and a note left by a crash is picked up at the next start.
CREATE TABLE attachment_erasures (
  id        TEXT PRIMARY KEY,
  erased_at TEXT NOT NULL
);
CREATE TRIGGER attachments_erased AFTER DELETE ON attachments
BEGIN
  INSERT OR IGNORE INTO attachment_erasures (id, erased_at) VALUES (old.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
