// Client message ids: the id a client gives a message so that a retry after a lost response is stored once.
import { z } from 'zod';

/** 1-64 characters of [A-Za-z0-9_-]: a UUID, a ULID or a counter fits; nothing that needs escaping anywhere. */
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const CLIENT_MESSAGE_ID_RULE = {
  code: 'invalid_client_message_id',
  message: 'clientMessageId must be 1-64 characters of A-Z, a-z, 0-9, _ and -',
} as const;

/** The optional body field; null counts as absent, as for conversationId. Name CLIENT_MESSAGE_ID_RULE for it in the 400. */
export const clientMessageIdField = z
  .string({ error: CLIENT_MESSAGE_ID_RULE.message })
  .regex(CLIENT_MESSAGE_ID, { error: CLIENT_MESSAGE_ID_RULE.message })
  .nullish();

/** How a visitor's id is stored (migration 007 scopes ids by sender, so the visitor and agents never collide). */
export function visitorClientMessageId(clientMessageId: string): string {
  return `visitor:${clientMessageId}`;
}

/** How an agent's id is stored: per agent, so two agents holding the chat in turn never collide. */
export function agentClientMessageId(agentId: string, clientMessageId: string): string {
  return `agent:${agentId}:${clientMessageId}`;
}
