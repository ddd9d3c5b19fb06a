-- First-message retries: a first message (POST /api/chat without conversationId) retried after a lost response
-- finds the conversation it created instead of starting another. The key is sha256 of the widget's visitor id and
-- the message's client id, never the pair itself (the pair is the client's proof; it is not kept readable).
-- NULL for conversations started without both (and every older row). A newer conversation started with the same
-- pair (the old one too old or moved on) takes the key over, so at most one conversation holds it.
ALTER TABLE conversations ADD COLUMN creation_key BLOB;

CREATE UNIQUE INDEX conversations_creation_key ON conversations (creation_key) WHERE creation_key IS NOT NULL;
