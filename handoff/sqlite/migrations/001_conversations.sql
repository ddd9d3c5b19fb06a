-- Conversations and their messages: every visitor, bot, agent and system message is kept.

CREATE TABLE conversations (
  id               TEXT PRIMARY KEY,
  -- sha256 of the visitor's bearer token; the token itself is never stored.
  token_hash       BLOB NOT NULL CHECK (length(token_hash) = 32),
  status           TEXT NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'queued', 'assigned', 'closed')),
  lang             TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
  user_agent       TEXT,
  page_url         TEXT,
  -- The engine's memory between turns (last entry, topic, fallbacks in a row); opaque to the store.
  context          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(context)),
  -- Summary of the bot's latest decision (kind, entry, confidence, top candidates).
  last_decision    TEXT CHECK (last_decision IS NULL OR json_valid(last_decision)),
  -- Set when the conversation enters the queue: why, and what the bot had considered.
  handoff_reason   TEXT,
  handoff_decision TEXT CHECK (handoff_decision IS NULL OR json_valid(handoff_decision)),
  queued_at        TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);

-- Queue order and queue position: queued conversations by the time they entered the queue.
CREATE INDEX conversations_queue ON conversations (status, queued_at);

CREATE TABLE messages (
  -- AUTOINCREMENT: ids are never reused, so a client resuming with ?after=<id> misses nothing.
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  author          TEXT NOT NULL CHECK (author IN ('visitor', 'bot', 'agent', 'system')),
  text            TEXT NOT NULL,
  -- For bot messages the decision kind (answer | clarify | fallback | handoff); free for system notes.
  kind            TEXT,
  entry_id        TEXT,
  confidence      REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
  created_at      TEXT NOT NULL
);

CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
