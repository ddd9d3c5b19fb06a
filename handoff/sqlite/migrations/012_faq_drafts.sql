-- FAQ drafts: an agent's answer to a handed-off question, saved from the console for editors to turn into a
-- knowledge-base change (new question variants for an entry, or a new entry). Question and answer are stored
-- with personal data masked: editors read this table and never need a visitor's numbers.
CREATE TABLE faq_drafts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  -- Erasing a visitor's conversations (admin privacy route) erases drafts made from them too.
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  -- The agent's answer the draft was made from (messages.id of an agent message of that conversation).
  message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  -- The agent who saved it. No foreign key: agents live in another module's table and are never deleted.
  created_by      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  lang            TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
  -- The visitor's question and the agent's answer, both masked (bot/mask-personal-data.ts rules).
  question        TEXT NOT NULL CHECK (length(question) > 0),
  answer          TEXT NOT NULL CHECK (length(answer) > 0),
  -- The bot's top candidate when it handed off, if any: where the question most likely belongs.
  suggested_entry TEXT,
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'used', 'dismissed')),
  -- Who turned the draft into a change file (used) or dismissed it, and when.
  handled_by      TEXT,
  handled_at      TEXT
);

-- The editors' list: drafts of one status, newest first.
CREATE INDEX faq_drafts_by_status ON faq_drafts (status, created_at);
CREATE INDEX faq_drafts_by_conversation ON faq_drafts (conversation_id);
