-- The canned library (issue 17), as SQLite's migration 025: shared links (the address in `text`) and shared files
-- (the name in `text`, the bytes under `file_id`) beside the texts. Several nodes share this database and nothing
-- else, so a file's bytes are kept here too (canned_file_blobs), as a chat's attachments are in attachment_blobs.
ALTER TABLE canned_replies
  ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'link', 'file')),
  ADD COLUMN file_id TEXT CHECK (file_id IS NULL OR file_id ~ '^[A-Za-z0-9_-]{16,64}$'),
  ADD COLUMN file_type TEXT CHECK (file_type IS NULL OR file_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf')),
  ADD COLUMN file_size INTEGER CHECK (file_size IS NULL OR file_size > 0),
  -- Links and files are the shared library only: nobody owns one.
  ADD CONSTRAINT canned_replies_library_shared CHECK (kind = 'text' OR owner_agent_id IS NULL),
  ADD CONSTRAINT canned_replies_file_fields CHECK ((kind = 'file') = (file_id IS NOT NULL AND file_type IS NOT NULL AND file_size IS NOT NULL));

-- A file entry's bytes (postgres-attachment-blobs.ts on this table), keyed by canned_replies.file_id. Written before
-- the entry's row; removed with it by the trigger below, in the deleting transaction.
CREATE TABLE canned_file_blobs (
  id         TEXT PRIMARY KEY,
  bytes      BYTEA NOT NULL,
  created_at TEXT NOT NULL
);
CREATE FUNCTION canned_file_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM canned_file_blobs WHERE id = OLD.file_id;
  RETURN OLD;
END;
$$;
CREATE TRIGGER canned_file_erased AFTER DELETE ON canned_replies FOR EACH ROW WHEN (OLD.file_id IS NOT NULL) EXECUTE FUNCTION canned_file_erased();
