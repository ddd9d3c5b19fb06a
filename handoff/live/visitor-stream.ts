// The visitor's live stream of one conversation: stored messages after the resume point, then live events.
import type { StoredMessage } from '../conversations/conversation-store.ts';
import type { Hub } from '../platform/hub.ts';
import { toVisitorEvent, visitorMessageEvent, type VisitorState } from './live-events.ts';
import { createMessagePump } from './message-pump.ts';
import type { SseConnection } from './sse-connection.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';

export interface VisitorStreamDeps {
  hub: Hub;
  transcripts: TranscriptStore;
  /** The conversation's state for the `ready` event. */
  visitorState: (conversationId: string) => Promise<VisitorState>;
  /** On every heartbeat, read the messages no event announced (the hub is Redis pub/sub, which may drop one). */
  catchUpOnHeartbeat?: boolean;
  /** The name an agent shows visitors, for each agent message (two agents may write in one chat). Default: none. */
  agentName?: (agentId: string) => Promise<string | undefined>;
}

/**
 * Subscribes first, then reads: everything stored after `after` goes out in id order, then `ready`
 * with the current state, then live events in the order they were published. The state is requested
 * in the same tick as the subscription, so any state event queued behind `ready` is newer than it.
 */
export function runVisitorStream(
  connection: SseConnection,
  { hub, transcripts, visitorState, catchUpOnHeartbeat = false, agentName }: VisitorStreamDeps,
  conversationId: string,
  after: number,
): void {
  const toEvent = async (m: StoredMessage) =>
    visitorMessageEvent(m, m.author === 'agent' && m.agentId !== undefined && agentName ? await agentName(m.agentId) : undefined);
  const pump = createMessagePump(connection, transcripts, () => [conversationId], after, toEvent);
  const unsubscribe = hub.subscribe(`conversation:${conversationId}`, (event) => {
    if (event.type === 'message') {
      if (event.conversationId === conversationId) pump.announce(event.message.id);
      return;
    }
    const wire = toVisitorEvent(event);
    if (wire) connection.enqueue(() => connection.send(wire));
  });
  connection.onClose(unsubscribe);
  if (catchUpOnHeartbeat) connection.onHeartbeat(() => pump.poll());

  const state = visitorState(conversationId);
  // Awaited in the task below; this only keeps a rejection after an early close from going unhandled.
  state.catch(() => {});
  connection.enqueue(async () => {
    await pump.catchUp();
    const data = { conversationId, ...(await state), lastMessageId: pump.cursor };
    await connection.send({ event: 'ready', id: pump.cursor, data });
  });
}
