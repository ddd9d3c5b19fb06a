-- What the widget shows every visitor, edited by admins in the console (issue 17): the welcome text and a warning
-- banner (an anti-fraud notice) per language, and the launcher's logo. One row (id 1); an empty text means "not
-- set": the welcome then comes from the knowledge base (messages.yaml `welcome`), the banner is not shown.
CREATE TABLE visitor_texts (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  welcome_zh   TEXT NOT NULL DEFAULT '',
  welcome_en   TEXT NOT NULL DEFAULT '',
  banner_zh    TEXT NOT NULL DEFAULT '',
  banner_en    TEXT NOT NULL DEFAULT '',
  -- A raster image only (its type judged by its bytes, never by what the upload said): no SVG, which could
  -- carry script. The hash names its public URL, so browsers may keep it for good.
  logo         BLOB,
  logo_type    TEXT CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp')),
  logo_sha256  TEXT,
  updated_at   TEXT,
  -- The account that saved last (its id), for the console; the audit log keeps every change.
  updated_by   TEXT,
  CHECK ((logo IS NULL) = (logo_type IS NULL) AND (logo IS NULL) = (logo_sha256 IS NULL))
);
