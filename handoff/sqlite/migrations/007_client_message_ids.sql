-- Client message ids: a message retried after a lost response (same id, same conversation) is stored once.
-- The stored value is scoped by who sent it ('visitor:<id>', 'agent:<agent id>:<id>'), so a visitor and an
-- agent choosing the same id never collide. NULL for every message sent without one (and every older row).
ALTER TABLE messages ADD COLUMN client_message_id TEXT;

-- What the first response said about a visitor turn (JSON: the bot's reply as sent, or null while a person
-- had the chat), so a retry answers the same; kept on the visitor message that carries the client id.
ALTER TABLE messages ADD COLUMN client_receipt TEXT CHECK (client_receipt IS NULL OR json_valid(client_receipt));

-- The bot's reply written with this visitor message, so a retry reads back the same message ids.
ALTER TABLE messages ADD COLUMN reply_id INTEGER;

CREATE UNIQUE INDEX messages_client_message_id ON messages (conversation_id, client_message_id)
  WHERE client_message_id IS NOT NULL;
