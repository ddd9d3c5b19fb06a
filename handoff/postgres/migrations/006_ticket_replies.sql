-- A left message's answer reaches the visitor (issue 17): SQLite's migration 022. No foreign key: the message goes
-- only when its whole conversation is erased, and then the ticket no longer points at the chat either.
ALTER TABLE tickets ADD COLUMN answer_message_id BIGINT;
