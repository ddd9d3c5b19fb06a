-- Automatic chat invitations (issue 7): admins' rules "a visitor on a page matching urlPattern for dwellSeconds
-- gets this invitation", and the conversations that started from an invitation (agent's or a rule's).
CREATE TABLE invitation_rules (
  id             TEXT PRIMARY KEY,
  -- A glob on the page path (/broadband/*): only the path is matched, never the query string.
  url_pattern    TEXT NOT NULL CHECK (length(url_pattern) BETWEEN 1 AND 200),
  dwell_seconds  INTEGER NOT NULL CHECK (dwell_seconds BETWEEN 5 AND 3600),
  text_zh        TEXT NOT NULL,
  text_en        TEXT NOT NULL,
  enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- Rules are listed in the order the admin saved them.
  position       INTEGER NOT NULL,
  updated_at     TEXT NOT NULL
);

-- A conversation started by accepting an invitation: for reports ("how many chats did invitations bring").
CREATE TABLE invited_conversations (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  invitation_id   TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('agent', 'rule')),
  -- The inviting agent, or the rule; no foreign key (rules are replaced wholesale, agents live elsewhere).
  agent_id        TEXT,
  rule_id         TEXT,
  created_at      TEXT NOT NULL
);
