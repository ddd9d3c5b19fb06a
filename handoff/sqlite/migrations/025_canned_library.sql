-- The canned library (issue 17): besides texts, shared links and shared files that admins keep and agents use.
-- `kind` says which; a link keeps its http(s) address in `text` (what the composer inserts, with the title), a file
-- keeps its name in `text` (what a search finds) and its bytes in an object store under `file_id`
-- (DATA_DIR/canned-files in this embedded mode: handoff/content/canned-file-routes.ts), judged by content like a
-- chat's attachments. Sending a file entry into a chat copies the bytes into an attachment of that chat.
ALTER TABLE canned_replies ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
  -- Links and files are the shared library only: nobody owns one.
  CHECK (kind IN ('text', 'link', 'file') AND (kind = 'text' OR owner_agent_id IS NULL));
ALTER TABLE canned_replies ADD COLUMN file_id TEXT
  CHECK (file_id IS NULL OR (file_id NOT GLOB '*[^A-Za-z0-9_-]*' AND length(file_id) BETWEEN 16 AND 64));
ALTER TABLE canned_replies ADD COLUMN file_type TEXT
  CHECK (file_type IS NULL OR file_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'));
-- Bytes; set exactly when the entry is a file (as are file_id and file_type).
ALTER TABLE canned_replies ADD COLUMN file_size INTEGER
  CHECK ((kind = 'file') = (file_id IS NOT NULL AND file_type IS NOT NULL AND file_size IS NOT NULL AND file_size > 0));
