// Sends a stream's messages from the store in id order, so that resuming from the last id is exact.
//
// Hub `message` events only say "messages up to id N exist"; the pump reads them from the store after
// the last id it sent. Reading instead of forwarding the event's copy means: nothing published before
// the stream subscribed is missed (the first read catches up), nothing is sent twice (the cursor only
// moves forward), and the order is the commit order even when two writers publish out of order.
import type { StoredMessage } from '../conversations/conversation-store.ts';
import type { SseConnection, SseEvent } from './sse-connection.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';

/** Messages read per store call while catching up. */
const PAGE_SIZE = 500;

export interface MessagePump {
  /** The largest message id sent (or the resume point given): what a reconnecting client sends back. */
  cursor: number;
  /** A message with this id was stored: queue sending everything up to it (keeps its place among other events). */
  announce(id: number): void;
  /**
   * Sends every stored message after the cursor; call from inside a connection task. A cursor beyond
   * the newest stored id (a database restored from a backup) is brought back to it first, so that the
   * messages written from now on are not skipped.
   */
  catchUp(): Promise<void>;
  /**
   * Sends the stored messages after the cursor that no event announced (pub/sub between nodes may drop one): one
   * read, none while the stream follows no conversation. Call from inside a connection task (the heartbeat's).
   */
  poll(): Promise<void>;
}

export function createMessagePump(
  connection: SseConnection,
  transcripts: TranscriptStore,
  conversations: () => readonly string[],
  cursor: number,
  /** May look something up (the visitor's stream names the agent who wrote each agent message). */
  toEvent: (m: StoredMessage) => SseEvent | Promise<SseEvent>,
): MessagePump {
  const pump: MessagePump = {
    cursor,
    announce(id) {
      connection.enqueue(async () => {
        // Already sent by an earlier read (a burst of messages, or the catch-up).
        if (id > pump.cursor) await sendUpTo(id);
      });
    },
    async catchUp() {
      pump.cursor = Math.min(pump.cursor, await transcripts.latestMessageId());
      await sendUpTo(Number.POSITIVE_INFINITY);
    },
    poll() {
      return sendUpTo(Number.POSITIVE_INFINITY);
    },
  };

  // Stops at `upTo` so that a message does not overtake an event published before it.
  async function sendUpTo(upTo: number): Promise<void> {
    for (;;) {
      const ids = conversations();
      if (ids.length === 0 || connection.closed) return;
      const page = await transcripts.messagesAfter(ids, pump.cursor, PAGE_SIZE);
      if (page.length === 0) return;
      for (const message of page) {
        if (message.id > upTo || connection.closed) return;
        await connection.send(await toEvent(message));
        pump.cursor = message.id;
        if (message.id === upTo) return;
      }
    }
  }

  return pump;
}
