-- What the widget shows every visitor, edited by admins in the console (issue 17): SQLite's migration 021.
-- One row (id 1); an empty text means "not set" (the welcome then comes from the knowledge base).
CREATE TABLE visitor_texts (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  welcome_zh   TEXT NOT NULL DEFAULT '',
  welcome_en   TEXT NOT NULL DEFAULT '',
  banner_zh    TEXT NOT NULL DEFAULT '',
  banner_en    TEXT NOT NULL DEFAULT '',
  -- A raster image only, its type judged by its bytes (no SVG); the hash names its public URL.
  logo         BYTEA,
  logo_type    TEXT CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp')),
  logo_sha256  TEXT,
  updated_at   TEXT,
  updated_by   TEXT,
  CHECK ((logo IS NULL) = (logo_type IS NULL) AND (logo IS NULL) = (logo_sha256 IS NULL))
);
