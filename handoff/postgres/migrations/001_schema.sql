-- The whole handoff schema on PostgreSQL, equal to SQLite's after its migrations 001-018 (handoff/sqlite/migrations
-- keeps the history and the why of each column; the comments here say only what differs or what a reader needs).
--
-- Conventions, chosen for parity with the SQLite code paths:
-- * Timestamps stay TEXT holding ISO-8601 UTC strings (2024-05-01T08:30:00.000Z), as SQLite stores them: the stores
--   stamp rows with an injected clock that tests drive (never now()), and fixed-width ISO text sorts like time
--   under any collation, so range scans and ORDER BY on them behave as in SQLite.
-- * INTEGER PRIMARY KEY [AUTOINCREMENT] ids are BIGINT identities. BY DEFAULT (not ALWAYS) so a restore or a test
--   may write an explicit id, as SQLite allows; the stores never pass one. A sequence never hands out a value
--   twice, which is what AUTOINCREMENT promised (message ids are stream cursors).
-- * JSON columns stay TEXT (the stores parse them as they do on SQLite); json_valid() checks become a cast to
--   jsonb, which rejects malformed JSON (with an invalid-input error rather than a check violation).
-- * 0/1 flags stay INTEGER with their CHECKs; REAL is DOUBLE PRECISION; BLOB is BYTEA.
-- Each feature's tables are grouped under a heading, so a later migration or fix can find its own.

-- ---------------------------------------------------------------------------------------------------------
-- Agents (agents/): accounts and their login sessions
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE agents (
  id                  TEXT PRIMARY KEY,
  -- Stored normalized (NFKC, lower case) by the store. SQLite's COLLATE NOCASE becomes the unique index on
  -- lower(username) below, which keeps case variants out should a writer ever skip the normalization.
  username            TEXT NOT NULL UNIQUE,
  display_name        TEXT NOT NULL,
  -- agent: works chats; editor: content only (unanswered inbox, FAQ drafts), never routed chats; admin: all.
  role                TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'editor', 'admin')),
  -- JSON array of skill group ids (mobile, broadband, billing ...); routing reads it as jsonb.
  groups              TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(groups::jsonb) = 'array'),
  -- Most chats held at once; 0 takes no chats automatically. Concurrent assignments lock this row
  -- (SELECT … FOR UPDATE) so the count of held chats never passes it.
  capacity            INTEGER NOT NULL DEFAULT 3 CHECK (capacity >= 0 AND capacity <= 100),
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  -- argon2id in PHC form ($argon2id$v=19$m=...,t=...,p=...$salt$digest); never the password itself.
  password_hash       TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
  password_changed_at TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX agents_username_nocase ON agents (lower(username));
-- "Is there an enabled admin?" at every start and on every role or disable change.
CREATE INDEX agents_by_role ON agents (role, disabled);

CREATE TABLE sessions (
  -- hex sha256 of the 256-bit random cookie value; the cookie value itself is never stored.
  id           TEXT PRIMARY KEY CHECK (char_length(id) = 64),
  agent_id     TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  ended_at     TEXT,
  end_reason   TEXT CHECK (end_reason IS NULL OR end_reason IN
                 ('logout', 'disabled', 'password_changed', 'role_changed', 'idle', 'expired')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX sessions_by_agent ON sessions (agent_id);
CREATE INDEX sessions_by_expiry ON sessions (ended_at, expires_at);

-- ---------------------------------------------------------------------------------------------------------
-- Routing groups (routing/): skill groups with business hours, provinces and subjects
-- ---------------------------------------------------------------------------------------------------------

-- Named skill_groups: GROUPS is an SQL keyword (window frames).
CREATE TABLE skill_groups (
  id         TEXT PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 32 AND id ~ '^[a-z0-9_-]+$'),
  name       TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  -- BusinessHours of handoff/business-hours.ts: { timeZone, open: "HH:MM", close: "HH:MM", days: [1..7] }.
  hours      TEXT NOT NULL CHECK (hours::jsonb IS NOT NULL),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- JSON arrays of province ids (guangdong) and of the knowledge base's group keys; empty: every one.
  provinces  TEXT NOT NULL DEFAULT '[]' CHECK (provinces::jsonb IS NOT NULL),
  skills     TEXT NOT NULL DEFAULT '[]' CHECK (skills::jsonb IS NOT NULL)
);

-- The Unicom hall's human service runs 8:30-21:30 Beijing time every day; each seeded group serves its own
-- subject nationally (SQLite's migrations 003 and 016).
INSERT INTO skill_groups (id, name, hours, created_at, updated_at, skills) VALUES
  ('mobile',    '移动业务 Mobile',    '{"timeZone":"Asia/Shanghai","open":"08:30","close":"21:30","days":[1,2,3,4,5,6,7]}',
   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '["mobile"]'),
  ('broadband', '宽带业务 Broadband', '{"timeZone":"Asia/Shanghai","open":"08:30","close":"21:30","days":[1,2,3,4,5,6,7]}',
   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '["broadband"]'),
  ('billing',   '账单缴费 Billing',   '{"timeZone":"Asia/Shanghai","open":"08:30","close":"21:30","days":[1,2,3,4,5,6,7]}',
   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '["billing"]');

-- ---------------------------------------------------------------------------------------------------------
-- Conversations (conversations/): chats and every message in them
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE conversations (
  id                TEXT PRIMARY KEY,
  -- SQLite's implicit rowid: the order conversations were created in. It breaks ties of queue_rank (chats queued
  -- within one millisecond, or under a clock a test holds still) and of assigned_at, as rowid does on SQLite.
  seq               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- sha256 of the visitor's bearer token; the token itself is never stored.
  token_hash        BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
  status            TEXT NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'queued', 'assigned', 'closed')),
  lang              TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
  user_agent        TEXT,
  page_url          TEXT,
  -- The engine's memory between turns; opaque to the store.
  context           TEXT NOT NULL DEFAULT '{}' CHECK (context::jsonb IS NOT NULL),
  last_decision     TEXT CHECK (last_decision IS NULL OR last_decision::jsonb IS NOT NULL),
  handoff_reason    TEXT,
  handoff_decision  TEXT CHECK (handoff_decision IS NULL OR handoff_decision::jsonb IS NOT NULL),
  queued_at         TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  -- Routing: the group whose agents take the chat, and the holder (no foreign key: agents are never deleted).
  group_id          TEXT REFERENCES skill_groups (id),
  agent_id          TEXT,
  assigned_at       TEXT,
  -- Queue order within a group, smallest first (epoch milliseconds, or below every waiting chat when put back).
  queue_rank        DOUBLE PRECISION,
  closed_at         TEXT,
  closed_by         TEXT CHECK (closed_by IS NULL OR closed_by IN ('agent', 'visitor', 'idle', 'system')),
  referrer          TEXT,
  -- The widget's stable visitor id (not a credential) and the client address, for blocking.
  visitor_id        TEXT,
  client_ip         TEXT,
  -- sha256 of (visitor id, first message's client id): a retried first message finds its conversation.
  creation_key      BYTEA,
  province          TEXT,
  -- A pending handoff waiting for the visitor's province (JSON: the reason and the subject's group key).
  province_question TEXT CHECK (province_question IS NULL OR province_question::jsonb IS NOT NULL)
);
-- Partial indexes as on SQLite: most conversations stay with the bot and are never queued or assigned.
CREATE INDEX conversations_group_queue ON conversations (group_id, queue_rank, seq) WHERE status = 'queued';
CREATE INDEX conversations_by_agent ON conversations (agent_id) WHERE status = 'assigned';
CREATE INDEX conversations_activity ON conversations (updated_at) WHERE status = 'assigned';
CREATE INDEX conversations_visitor_id ON conversations (visitor_id) WHERE visitor_id IS NOT NULL;
CREATE INDEX conversations_by_created ON conversations (created_at);
CREATE UNIQUE INDEX conversations_creation_key ON conversations (creation_key) WHERE creation_key IS NOT NULL;

CREATE TABLE messages (
  -- The SSE resume cursor (?after=<id>, Last-Event-ID). A sequence never reuses a value, but concurrent
  -- transactions may commit out of id order; postgres-conversation-store.ts serialises message inserts with
  -- an advisory transaction lock so a reader never sees id n+1 before id n.
  id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  conversation_id   TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  author            TEXT NOT NULL CHECK (author IN ('visitor', 'bot', 'agent', 'system')),
  text              TEXT NOT NULL,
  kind              TEXT,
  entry_id          TEXT,
  confidence        DOUBLE PRECISION CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
  created_at        TEXT NOT NULL,
  -- Which agent wrote an agent message.
  agent_id          TEXT,
  -- Scoped client id ('visitor:<id>', 'agent:<agent id>:<id>'): a retried message is stored once.
  client_message_id TEXT,
  -- What the first response said about this visitor turn (JSON), so a retry answers the same.
  client_receipt    TEXT CHECK (client_receipt IS NULL OR client_receipt::jsonb IS NOT NULL),
  -- The bot's reply written with this visitor message.
  reply_id          BIGINT
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX messages_client_message_id ON messages (conversation_id, client_message_id)
  WHERE client_message_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------------------
-- Routing (routing/): transfers, closures and ratings, round-robin memory, tickets
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE conversation_transfers (
  id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  from_agent_id   TEXT,
  to_agent_id     TEXT,
  to_group_id     TEXT REFERENCES skill_groups (id),
  note            TEXT,
  created_at      TEXT NOT NULL,
  CHECK ((to_agent_id IS NULL) <> (to_group_id IS NULL))
);
CREATE INDEX conversation_transfers_by_conversation ON conversation_transfers (conversation_id, id);

CREATE TABLE conversation_closures (
  id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  group_id         TEXT,
  agent_id         TEXT,
  handoff_reason   TEXT,
  queued_at        TEXT,
  assigned_at      TEXT,
  closed_at        TEXT NOT NULL,
  closed_by        TEXT NOT NULL CHECK (closed_by IN ('agent', 'visitor', 'idle', 'system')),
  -- Seconds from the (last) assignment to the close; NULL when no agent held the chat.
  handling_seconds DOUBLE PRECISION,
  rating           INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
  rating_comment   TEXT,
  rated_at         TEXT
);
CREATE INDEX conversation_closures_by_conversation ON conversation_closures (conversation_id, id);
CREATE INDEX conversation_closures_handled ON conversation_closures (group_id, closed_at) WHERE handling_seconds IS NOT NULL;
CREATE INDEX conversation_closures_recent ON conversation_closures (closed_at) WHERE handling_seconds IS NOT NULL;

-- Round-robin among agents tied on load: the least recently assigned wins.
CREATE TABLE agent_routing (
  agent_id         TEXT PRIMARY KEY,
  last_assigned_at TEXT NOT NULL
);

CREATE TABLE tickets (
  id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  conversation_id TEXT REFERENCES conversations (id) ON DELETE SET NULL,
  group_id        TEXT NOT NULL REFERENCES skill_groups (id),
  lang            TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
  contact         TEXT NOT NULL,
  text            TEXT NOT NULL,
  reason          TEXT NOT NULL CHECK (reason IN ('outside_hours', 'no_agents', 'by_choice')),
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  answer          TEXT,
  answered_by     TEXT,
  answered_at     TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX tickets_by_status ON tickets (status, group_id, id);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id, status);

-- ---------------------------------------------------------------------------------------------------------
-- Transcript search (search/): substring search over messages, and who has held each conversation
-- ---------------------------------------------------------------------------------------------------------

-- SQLite's FTS5 trigram table, its triggers and its batch-indexing mark (messages_fts*) become one GIN trigram
-- index on messages.text: PostgreSQL keeps it in step inside the inserting transaction, so there is no backlog
-- to catch up. postgres-transcript-store.ts searches with ILIKE '%…%', which this index serves for patterns of
-- three or more characters and which stays exact for shorter ones (the index only narrows, rows are rechecked).
-- Chinese has no word boundaries; pg_trgm takes CJK characters as word characters under a UTF-8 locale
-- (C.UTF-8, en_US.UTF-8): under the plain C locale it would not index them, and searches would still be
-- correct but scan.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX messages_text_trgm ON messages USING gin (text gin_trgm_ops);

-- Every agent who has held a conversation (assignment, take, transfer): "chats they held" in search.
CREATE TABLE conversation_agents (
  agent_id        TEXT NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  PRIMARY KEY (agent_id, conversation_id)
);
CREATE INDEX conversation_agents_by_conversation ON conversation_agents (conversation_id);

-- Filled from conversations.agent_id by every UPDATE that sets it, whoever wrote it (SQLite's trigger of the
-- same name). Only on UPDATE, as on SQLite: a conversation is never created already held.
CREATE FUNCTION conversation_agents_on_assign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversation_agents (agent_id, conversation_id) VALUES (NEW.agent_id, NEW.id)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
CREATE TRIGGER conversation_agents_on_assign AFTER UPDATE OF agent_id ON conversations
FOR EACH ROW WHEN (NEW.agent_id IS NOT NULL) EXECUTE FUNCTION conversation_agents_on_assign();

-- ---------------------------------------------------------------------------------------------------------
-- Content (content/): canned replies, unanswered questions, FAQ drafts
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE canned_replies (
  id             TEXT PRIMARY KEY,
  -- NULL: shared by everyone (admins edit those); otherwise the one agent who owns it.
  owner_agent_id TEXT REFERENCES agents (id) ON DELETE CASCADE,
  -- "/refund": typed in the reply box to insert the text; lower case.
  shortcut       TEXT NOT NULL CHECK (shortcut LIKE '/_%'),
  title          TEXT NOT NULL,
  text           TEXT NOT NULL,
  lang           TEXT CHECK (lang IS NULL OR lang IN ('zh', 'en')),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies (coalesce(owner_agent_id, ''), shortcut);

CREATE TABLE unanswered_questions (
  id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  -- Erasing a visitor's conversations erases their questions here too.
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  -- What the visitor typed, masked.
  text            TEXT NOT NULL,
  -- The masked text normalized (width, script, case) without punctuation and spaces: equal keys group.
  norm_key        TEXT NOT NULL,
  -- JSON array of the engine's search tokens of the message.
  tokens          TEXT NOT NULL CHECK (tokens::jsonb IS NOT NULL),
  lang            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  reason          TEXT,
  -- JSON array of { entryId, score }: the engine's best candidates, best first.
  candidates      TEXT NOT NULL CHECK (candidates::jsonb IS NOT NULL),
  asked_at        TEXT NOT NULL,
  handled_at      TEXT
);
CREATE INDEX unanswered_open_asked ON unanswered_questions (asked_at) WHERE handled_at IS NULL;
CREATE INDEX unanswered_by_conversation ON unanswered_questions (conversation_id);

CREATE TABLE faq_drafts (
  id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  -- The agent's answer the draft was made from.
  message_id      BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  -- No foreign key: agents are never deleted.
  created_by      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  lang            TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
  -- The visitor's question and the agent's answer, both masked.
  question        TEXT NOT NULL CHECK (char_length(question) > 0),
  answer          TEXT NOT NULL CHECK (char_length(answer) > 0),
  suggested_entry TEXT,
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'used', 'dismissed')),
  handled_by      TEXT,
  handled_at      TEXT
);
CREATE INDEX faq_drafts_by_status ON faq_drafts (status, created_at);
CREATE INDEX faq_drafts_by_conversation ON faq_drafts (conversation_id);
-- messages(id) has its primary key; a message's drafts are found by the cascade through this one.
CREATE INDEX faq_drafts_by_message ON faq_drafts (message_id);

-- ---------------------------------------------------------------------------------------------------------
-- Supervision (supervision/): the audit log
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE audit_log (
  id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at          TEXT NOT NULL,
  -- No foreign key: the log outlives what it names. NULL when the change came from the admin CLI.
  actor_id    TEXT,
  -- The actor's display name at the time (a later rename does not rewrite history).
  actor_name  TEXT NOT NULL,
  -- Dotted verb: agent.created, agent.updated, visitor.blocked, unanswered.dismissed ...
  action      TEXT NOT NULL CHECK (char_length(action) BETWEEN 1 AND 64),
  target_type TEXT NOT NULL CHECK (char_length(target_type) BETWEEN 1 AND 64),
  target_id   TEXT,
  details     TEXT NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details::jsonb) = 'object')
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

-- ---------------------------------------------------------------------------------------------------------
-- Visitors (visitors/): blocks, invitation rules, invited conversations
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE visitor_blocks (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('ip', 'visitor')),
  value           TEXT NOT NULL,
  reason          TEXT,
  -- The chat the block was made from; no foreign key: erasing transcripts must not lift or break the block.
  conversation_id TEXT,
  created_by      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  -- NULL: until lifted. An expired block stays as history; the gate ignores it from expires_at on.
  expires_at      TEXT,
  lifted_at       TEXT,
  lifted_by       TEXT,
  -- Refused requests, flushed from memory at most once a second.
  hits            INTEGER NOT NULL DEFAULT 0,
  last_hit_at     TEXT,
  -- Refused requests on hits_day (yyyy-mm-dd in Asia/Shanghai), for the toolbar's "today" figure.
  hits_day        TEXT,
  hits_on_day     INTEGER NOT NULL DEFAULT 0
);
-- At most one active block per kind and value: blocking again reuses (and extends) it.
CREATE UNIQUE INDEX visitor_blocks_active ON visitor_blocks (kind, value) WHERE lifted_at IS NULL;
CREATE INDEX visitor_blocks_created ON visitor_blocks (created_at);

CREATE TABLE invitation_rules (
  id            TEXT PRIMARY KEY,
  -- A glob on the page path (/broadband/*): only the path is matched, never the query string.
  url_pattern   TEXT NOT NULL CHECK (char_length(url_pattern) BETWEEN 1 AND 200),
  dwell_seconds INTEGER NOT NULL CHECK (dwell_seconds BETWEEN 5 AND 3600),
  text_zh       TEXT NOT NULL,
  text_en       TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- Rules are listed in the order the admin saved them.
  position      INTEGER NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE invited_conversations (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  invitation_id   TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('agent', 'rule')),
  -- The inviting agent, or the rule; no foreign key (rules are replaced wholesale, agents live elsewhere).
  agent_id        TEXT,
  rule_id         TEXT,
  created_at      TEXT NOT NULL
);
