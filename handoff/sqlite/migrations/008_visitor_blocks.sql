-- Visitor identity and blocking (issue 6). The widget's stable visitor id (not a credential) and the client
-- address are kept on each new conversation, so an agent can block the visitor behind a chat by either.
ALTER TABLE conversations ADD COLUMN visitor_id TEXT;
-- 'unknown' (no socket: tests without a server) is stored as NULL.
ALTER TABLE conversations ADD COLUMN client_ip TEXT;
CREATE INDEX conversations_visitor_id ON conversations (visitor_id) WHERE visitor_id IS NOT NULL;

CREATE TABLE visitor_blocks (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('ip', 'visitor')),
  value           TEXT NOT NULL,
  reason          TEXT,
  -- The chat the block was made from; kept as text (no foreign key): erasing a visitor's transcripts
  -- must not lift or break the block.
  conversation_id TEXT,
  created_by      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  -- NULL: until lifted. An expired block stays as history; the gate ignores it from expires_at on.
  expires_at      TEXT,
  lifted_at       TEXT,
  lifted_by       TEXT,
  -- Refused requests, flushed from memory at most once a second (never one write per request).
  hits            INTEGER NOT NULL DEFAULT 0,
  last_hit_at     TEXT,
  -- Refused requests on hits_day (yyyy-mm-dd in Asia/Shanghai), for the toolbar's "today" figure.
  hits_day        TEXT,
  hits_on_day     INTEGER NOT NULL DEFAULT 0
);
-- At most one active block per kind and value: blocking again reuses (and extends) it.
CREATE UNIQUE INDEX visitor_blocks_active ON visitor_blocks (kind, value) WHERE lifted_at IS NULL;
CREATE INDEX visitor_blocks_created ON visitor_blocks (created_at);
