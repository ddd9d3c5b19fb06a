-- A left message's answer reaches the visitor (issue 17): the widget shows the agent message that carries the
-- answer as the reply to the message left, so the ticket remembers which message that is. No foreign key: the
-- message goes only when its whole conversation is erased, and then the ticket no longer points at the chat either.
ALTER TABLE tickets ADD COLUMN answer_message_id INTEGER;
