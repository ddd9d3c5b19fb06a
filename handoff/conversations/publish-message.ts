// Every stored message goes out on its conversation's topic: live clients resume from `message.id`.
import type { StoredMessage } from './conversation-store.ts';
import type { Hub } from '../platform/hub.ts';

export function publishMessage(hub: Hub, message: StoredMessage): void {
  hub.publish(`conversation:${message.conversationId}`, { type: 'message', conversationId: message.conversationId, message });
}

export function publishMessages(hub: Hub, messages: readonly StoredMessage[]): void {
  for (const message of messages) publishMessage(hub, message);
}
