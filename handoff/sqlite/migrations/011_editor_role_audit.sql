-- migrate: foreign-keys-off
-- The editor role (content work only) and the audit log of who changed what.
--
-- agents.role gains 'editor'. SQLite cannot alter a CHECK in place: the table is rebuilt the documented way
-- (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off around the transaction (the
-- marker above), new table, copy, drop, rename, indexes again; migrate.ts runs foreign_key_check before
-- committing. Sessions and canned replies refer to agents (id) and keep pointing at the same ids.

CREATE TABLE agents_new (
  id                  TEXT PRIMARY KEY,
  -- Stored normalized (NFKC, lower case) by the store; NOCASE also keeps ASCII case variants out
  -- should a writer ever skip the normalization.
  username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name        TEXT NOT NULL,
  -- agent: works chats; editor: content only (unanswered inbox, FAQ drafts), never routed chats; admin: all.
  role                TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'editor', 'admin')),
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

INSERT INTO agents_new (id, username, display_name, role, groups, capacity, disabled, password_hash,
                        password_changed_at, created_at, updated_at)
  SELECT id, username, display_name, role, groups, capacity, disabled, password_hash,
         password_changed_at, created_at, updated_at
  FROM agents;

DROP TABLE agents;
ALTER TABLE agents_new RENAME TO agents;

-- "Is there an enabled admin?" at every start and on every role or disable change.
CREATE INDEX agents_by_role ON agents (role, disabled);

-- Who changed what: one row per admin or editor change (accounts, roles, groups, visitor blocks, privacy
-- exports and erasures, shared canned replies, KB change files, dismissed unanswered groups, FAQ drafts).
-- Never passwords, tokens, message text or addresses in clear: details holds ids, field names and counts.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  -- No foreign key: the log outlives what it names. NULL when the change came from the admin CLI.
  actor_id    TEXT,
  -- The actor's display name at the time (a later rename does not rewrite history).
  actor_name  TEXT NOT NULL,
  -- Dotted verb: agent.created, agent.updated, visitor.blocked, unanswered.dismissed ...
  action      TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  target_type TEXT NOT NULL CHECK (length(target_type) BETWEEN 1 AND 64),
  target_id   TEXT,
  details     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details) AND json_type(details) = 'object')
);

-- The audit screen pages newest first (id order), optionally within a period, by actor or by action.
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
