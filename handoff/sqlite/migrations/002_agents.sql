-- Agents and admins, their login sessions, and the canned replies they insert into chats.

CREATE TABLE agents (
  id                  TEXT PRIMARY KEY,
  -- Stored normalized (NFKC, lower case) by the store; NOCASE also keeps ASCII case variants out
  -- should a writer ever skip the normalization.
  username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name        TEXT NOT NULL,
  role                TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'admin')),
  -- Skill group ids (mobile, broadband, billing ...); routing reads them with json_each(groups).
  groups              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(groups) AND json_type(groups) = 'array'),
  -- Most chats held at once; 0 takes no chats automatically.
  capacity            INTEGER NOT NULL DEFAULT 3 CHECK (capacity >= 0 AND capacity <= 100),
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  -- argon2id in PHC form ($argon2id$v=19$m=...,t=...,p=...$salt$digest); never the password itself.
  password_hash       TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
  password_changed_at TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);

-- "Is there an enabled admin?" at every start and on every role or disable change.
CREATE INDEX agents_by_role ON agents (role, disabled);

CREATE TABLE sessions (
  -- hex sha256 of the 256-bit random cookie value; the cookie value itself is never stored.
  id           TEXT PRIMARY KEY CHECK (length(id) = 64),
  agent_id     TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  created_at   TEXT NOT NULL,
  -- Refreshed at most once per touch interval; idle expiry counts from here.
  last_seen_at TEXT NOT NULL,
  -- Absolute expiry: created_at + the absolute lifetime, never extended.
  expires_at   TEXT NOT NULL,
  -- Set when the session ends (logout, disable, password change, expiry); the row stays until the
  -- sweeper has announced the end on the live hub (so an end written by the CLI reaches open streams too).
  ended_at     TEXT,
  end_reason   TEXT CHECK (end_reason IS NULL OR end_reason IN
                 ('logout', 'disabled', 'password_changed', 'idle', 'expired')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);

CREATE INDEX sessions_by_agent ON sessions (agent_id);
-- The sweeper's scans: ended rows, and live rows by their absolute expiry.
CREATE INDEX sessions_by_expiry ON sessions (ended_at, expires_at);

CREATE TABLE canned_replies (
  id             TEXT PRIMARY KEY,
  -- NULL: shared by everyone (admins edit those); otherwise the one agent who owns it.
  owner_agent_id TEXT REFERENCES agents (id) ON DELETE CASCADE,
  -- "/refund": typed in the reply box to insert the text; lower case.
  shortcut       TEXT NOT NULL CHECK (shortcut LIKE '/_%'),
  title          TEXT NOT NULL,
  text           TEXT NOT NULL,
  -- The reply's language when it is meant for one; NULL fits both.
  lang           TEXT CHECK (lang IS NULL OR lang IN ('zh', 'en')),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);

-- One shortcut per owner, and one among the shared replies (NULLs would all be distinct, hence coalesce).
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies (coalesce(owner_agent_id, ''), shortcut);
