-- Routing: skill groups with business hours, who holds each chat, the queue order, transfers,
-- closures (with the visitor's rating), round-robin memory and the messages left outside hours.

-- Named skill_groups: GROUPS is an SQL keyword (window frames).
CREATE TABLE skill_groups (
  id         TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32 AND id NOT GLOB '*[^a-z0-9_-]*'),
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- BusinessHours of handoff/business-hours.ts: { timeZone, open: "HH:MM", close: "HH:MM", days: [1..7] }.
  hours      TEXT NOT NULL CHECK (json_valid(hours)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The Unicom hall's human service runs 8:30-21:30 Beijing time every day; admins change hours per group.
INSERT INTO skill_groups (id, name, hours, created_at, updated_at) VALUES
  ('mobile',    '移动业务 Mobile',    '{"timeZone":"Asia/Shanghai","open":"08:30","close":"21:30","days":[1,2,3,4,5,6,7]}',
   strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ('broadband', '宽带业务 Broadband', '{"timeZone":"Asia/Shanghai","open":"08:30","close":"21:30","days":[1,2,3,4,5,6,7]}',
   strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ('billing',   '账单缴费 Billing',   '{"timeZone":"Asia/Shanghai","open":"08:30","close":"21:30","days":[1,2,3,4,5,6,7]}',
   strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- The group whose agents take the chat (set when it enters the queue; a transfer may change it).
ALTER TABLE conversations ADD COLUMN group_id TEXT REFERENCES skill_groups (id);
-- The agent holding the chat while assigned; kept after close as the last holder. No foreign key:
-- agents live in another module's table and are never deleted, only disabled.
ALTER TABLE conversations ADD COLUMN agent_id TEXT;
ALTER TABLE conversations ADD COLUMN assigned_at TEXT;
-- Queue order within a group, smallest first: the epoch milliseconds of entering the queue, or below
-- every waiting chat for a chat put back at the front (its agent vanished, it was transferred).
ALTER TABLE conversations ADD COLUMN queue_rank REAL;
ALTER TABLE conversations ADD COLUMN closed_at TEXT;
ALTER TABLE conversations ADD COLUMN closed_by TEXT CHECK (closed_by IS NULL OR closed_by IN ('agent', 'visitor', 'idle', 'system'));
-- Visitor context the widget sends with the first message (page URL and user agent are in 001).
ALTER TABLE conversations ADD COLUMN referrer TEXT;

-- Conversations queued before this migration keep their order, in the default group.
UPDATE conversations SET queue_rank = (julianday(coalesce(queued_at, updated_at)) - 2440587.5) * 86400000.0, group_id = 'mobile'
WHERE status = 'queued';

CREATE INDEX conversations_group_queue ON conversations (status, group_id, queue_rank);
-- Active chats per agent (capacity, the agent's list) and requeueing an agent's chats.
CREATE INDEX conversations_by_agent ON conversations (agent_id, status);
-- The idle sweep: assigned chats by last activity.
CREATE INDEX conversations_activity ON conversations (status, updated_at);

-- Which agent wrote an agent message (the visitor sees only "agent"; transcripts and reports need who).
ALTER TABLE messages ADD COLUMN agent_id TEXT;

-- Every transfer with the note one agent leaves for the next (never shown to the visitor).
CREATE TABLE conversation_transfers (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  from_agent_id   TEXT,
  to_agent_id     TEXT,
  to_group_id     TEXT REFERENCES skill_groups (id),
  note            TEXT,
  created_at      TEXT NOT NULL,
  CHECK ((to_agent_id IS NULL) <> (to_group_id IS NULL))
);
CREATE INDEX conversation_transfers_by_conversation ON conversation_transfers (conversation_id, id);

-- One row per close: handling times for the queue's ETA, reports, and the visitor's rating of that chat.
CREATE TABLE conversation_closures (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  group_id        TEXT,
  agent_id        TEXT,
  handoff_reason  TEXT,
  queued_at       TEXT,
  assigned_at     TEXT,
  closed_at       TEXT NOT NULL,
  closed_by       TEXT NOT NULL CHECK (closed_by IN ('agent', 'visitor', 'idle', 'system')),
  -- Seconds from the (last) assignment to the close; NULL when no agent held the chat.
  handling_seconds REAL,
  rating          INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
  rating_comment  TEXT,
  rated_at        TEXT
);
CREATE INDEX conversation_closures_by_conversation ON conversation_closures (conversation_id, id);
CREATE INDEX conversation_closures_handled ON conversation_closures (group_id, closed_at) WHERE handling_seconds IS NOT NULL;
CREATE INDEX conversation_closures_recent ON conversation_closures (closed_at) WHERE handling_seconds IS NOT NULL;

-- Round-robin among agents tied on load: the least recently assigned wins. Survives restarts.
CREATE TABLE agent_routing (
  agent_id         TEXT PRIMARY KEY,
  last_assigned_at TEXT NOT NULL
);

-- Messages left when nobody could take the chat (outside hours, nobody in the group), answered next shift.
CREATE TABLE tickets (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT REFERENCES conversations (id) ON DELETE SET NULL,
  group_id        TEXT NOT NULL REFERENCES skill_groups (id),
  lang            TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
  contact         TEXT NOT NULL,
  text            TEXT NOT NULL,
  -- Why the visitor left a message rather than waited.
  reason          TEXT NOT NULL CHECK (reason IN ('outside_hours', 'no_agents', 'by_choice')),
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  answer          TEXT,
  answered_by     TEXT,
  answered_at     TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX tickets_by_status ON tickets (status, group_id, id);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id, status);
