-- Colleagues in a chat (issue 17): an agent the holder (or an admin) invites into a chat they hold, who then reads
-- and writes it beside the holder; and consult notes, private notes between agents about a chat, which live in
-- their own table so that no query of the visitor's side (history, stream, export, search) can ever reach them.

-- One row per invitation. A participation belongs to one holding of the chat: its holder (`owner_id`) and when
-- they got it (`owner_assigned_at`). A transfer, a requeue or a close starts another holding (or none), and the
-- participation ends with its holding: the conversation's row says which holding is current (an open row of an
-- ended holding counts for nothing, and is marked `ended` once found). The holder stays the owner throughout.
CREATE TABLE conversation_participants (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id   TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  agent_id          TEXT NOT NULL,
  owner_id          TEXT NOT NULL,
  owner_assigned_at TEXT NOT NULL,
  -- The holder, or an admin (a supervisor) who invited on the holder's behalf.
  invited_by        TEXT NOT NULL,
  -- invited -> joined (accepted) or declined; joined -> left; ended: its holding ended while it was open.
  state             TEXT NOT NULL CHECK (state IN ('invited', 'joined', 'declined', 'left', 'ended')),
  -- What the inviter asked for help with (agents only; never shown to the visitor); empty when none.
  note              TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  invited_at        TEXT NOT NULL,
  joined_at         TEXT,
  ended_at          TEXT,
  CHECK (agent_id <> owner_id)
);
-- One open invitation or participation per colleague and holding (a colleague who left may be invited again).
CREATE UNIQUE INDEX conversation_participants_open
  ON conversation_participants (conversation_id, agent_id, owner_assigned_at) WHERE state IN ('invited', 'joined');
-- An agent's invitations and chats joined (the console's list, the live stream's topics).
CREATE INDEX conversation_participants_by_agent ON conversation_participants (agent_id, state);

-- Private notes between agents about a chat (a consult). `to_agent_id` is the colleague asked (NULL: for the
-- agents of the chat). Erased with the conversation (the cascade), like its messages.
CREATE TABLE consult_notes (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  author_id       TEXT NOT NULL,
  to_agent_id     TEXT,
  text            TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
  created_at      TEXT NOT NULL
);
CREATE INDEX consult_notes_by_conversation ON consult_notes (conversation_id, id);
-- A colleague's consults across chats (the console's inbox of questions asked of them).
CREATE INDEX consult_notes_by_recipient ON consult_notes (to_agent_id, id);
