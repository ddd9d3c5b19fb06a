-- A role change ends the account's sessions like a disable or a password change does (a console opened as an
-- agent must not keep an agent's live stream after becoming an editor): `role_changed` joins the end reasons.
-- SQLite cannot alter a CHECK, so the table is rebuilt; nothing references sessions, so no foreign-key dance.
CREATE TABLE sessions_new (
  id           TEXT PRIMARY KEY CHECK (length(id) = 64),
  agent_id     TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  ended_at     TEXT,
  end_reason   TEXT CHECK (end_reason IS NULL OR end_reason IN
                 ('logout', 'disabled', 'password_changed', 'role_changed', 'idle', 'expired')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
INSERT INTO sessions_new (id, agent_id, created_at, last_seen_at, expires_at, ended_at, end_reason)
  SELECT id, agent_id, created_at, last_seen_at, expires_at, ended_at, end_reason FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_by_agent ON sessions (agent_id);
CREATE INDEX sessions_by_expiry ON sessions (ended_at, expires_at);
