-- Attachments (issue 17): images and PDFs a visitor or the agent holding the chat sends into it. Several nodes
-- share this database and nothing else, so the bytes are stored here too (attachment_blobs, bytea): a file
-- uploaded through one node downloads through any other (handoff/conversations/attachments/).

CREATE TABLE attachments (
  -- Random and unguessable (base64url of 16 random bytes); also the object store's key.
  id              TEXT PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{16,64}$'),
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  author          TEXT NOT NULL CHECK (author IN ('visitor', 'agent')),
  agent_id        TEXT,
  -- For showing only (cleaned: no path, no control or direction characters); never used as a path.
  name            TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  -- Judged by the content when uploaded, and what a download is served as.
  type            TEXT NOT NULL CHECK (type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf')),
  size            INTEGER NOT NULL CHECK (size > 0),
  -- ISO-8601 UTC text, as every timestamp of this schema (see 001).
  created_at      TEXT NOT NULL
);
CREATE INDEX attachments_by_conversation ON attachments (conversation_id);

-- The attachment a message carries, as the message shows it (JSON: id, name, type, size). Written once with the
-- message and never changed, so reading a transcript needs no join.
ALTER TABLE messages ADD COLUMN attachment TEXT CHECK (attachment IS NULL OR attachment::jsonb IS NOT NULL);

-- The bytes (postgres-attachment-blobs.ts). Keyed by the attachment id, without a foreign key: the bytes are
-- written first, then the row and its message in one transaction.
CREATE TABLE attachment_blobs (
  id         TEXT PRIMARY KEY,
  bytes      BYTEA NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX attachment_blobs_by_age ON attachment_blobs (created_at);

-- Bytes still to remove from the object store after an erasure or retention deleted their attachments (by the
-- cascade from conversations). The trigger notes each one in the deleting transaction, and removes the bytes kept
-- in this database at once, in that same transaction; another object store plugged in instead has its bytes
-- removed after the commit (attachment-erasure.ts), a note left by a crash at the next start.
CREATE TABLE attachment_erasures (
  id        TEXT PRIMARY KEY,
  erased_at TEXT NOT NULL
);
CREATE FUNCTION attachments_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO attachment_erasures (id, erased_at)
    VALUES (OLD.id, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    ON CONFLICT (id) DO NOTHING;
  DELETE FROM attachment_blobs WHERE id = OLD.id;
  RETURN OLD;
END;
$$;
CREATE TRIGGER attachments_erased AFTER DELETE ON attachments FOR EACH ROW EXECUTE FUNCTION attachments_erased();
