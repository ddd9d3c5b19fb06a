-- Visitor questions the bot could not answer (fallback, clarify, handoff for lack of an answer), for the
-- editors' unanswered inbox. The text is stored with personal data masked (phones, ID numbers, passwords):
-- this table is read by content editors, who never need them. Grouping happens at read time.
CREATE TABLE unanswered_questions (
  id              INTEGER PRIMARY KEY,
  -- Erasing a visitor's conversations (admin privacy route) erases their questions here too.
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  -- What the visitor typed, masked.
  text            TEXT NOT NULL,
  -- The masked text normalized (width, script, case) with punctuation and spaces removed: equal keys group.
  norm_key        TEXT NOT NULL,
  -- JSON array of the engine's search tokens of the message (digit tokens only when they survived masking).
  tokens          TEXT NOT NULL CHECK (json_valid(tokens)),
  lang            TEXT NOT NULL,
  -- 'fallback' | 'clarify' | 'handoff', and the decision's reason when it has one.
  kind            TEXT NOT NULL,
  reason          TEXT,
  -- JSON array of { entryId, score }: the engine's best candidates, best first.
  candidates      TEXT NOT NULL CHECK (json_valid(candidates)),
  asked_at        TEXT NOT NULL,
  -- Set when an editor dismissed the question's group (answered by a KB change, or not worth one).
  handled_at      TEXT
);

-- The inbox reads the open questions of a period, newest first.
CREATE INDEX unanswered_open_asked ON unanswered_questions (asked_at) WHERE handled_at IS NULL;
CREATE INDEX unanswered_by_conversation ON unanswered_questions (conversation_id);
