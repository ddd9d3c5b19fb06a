// An agent's live stream: the queue, their assignments and presence, and the conversations they hold.
import type { Agent } from '../agents/agent.ts';
import { mayView, viewAccessOf } from '../conversations/view-access.ts';
import type { Hub, LiveEvent } from '../platform/hub.ts';
import { agentMessageEvent, mayEndHolding, toAgentEvent } from './live-events.ts';
import { createMessagePump } from './message-pump.ts';
import { supervisorWireEvent } from '../supervision/monitor-events.ts';
import type { Presence } from '../routing/presence.ts';
import type { SseConnection } from './sse-connection.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';

export interface AgentStreamDeps {
  hub: Hub;
  transcripts: TranscriptStore;
  presence: Presence;
  /** The conversations the agent holds now (assigned to them and not closed). */
  heldConversations: (agentId: string) => Promise<string[]>;
  /** On every heartbeat, read the messages no event announced (the hub is Redis pub/sub, which may drop one). */
  catchUpOnHeartbeat?: boolean;
}

export interface AgentStreamRequest {
  agent: Agent;
  sessionId: string;
  /** The last message id the client saw; without one the stream starts at the newest message. */
  after?: number;
}

/**
 * Topics: `agent:<id>` (assigned, transfers to or from this agent, invitations into chats and consults asked of
 * this agent, session_ended), `queue` (queue_changed,
 * presence of every agent, transfers to a group), and `conversation:<id>` of each held conversation
 * (message, typing, status, closed), joined when an `assigned` event names this agent and
 * left once the agent no longer holds it (closed, transferred away, requeued); a chat joined as a colleague is
 * followed the same way, from the `participants` event that says so until the participation ends, checked against
 * `heldConversations` because those events alone cannot tell (a transfer may come straight back).
 *
 * Resume: message ids are global, and the pump sends the held conversations' messages in id order, so
 * the last id seen covers all of them. A conversation that becomes held mid-stream is followed from the cursor
 * on: its earlier messages below the cursor (which another held conversation's messages may have moved past them)
 * are not sent, so the console loads its transcript on `assigned`, as it loads all transcripts on `ready`.
 */
export function runAgentStream(connection: SseConnection, deps: AgentStreamDeps, request: AgentStreamRequest): void {
  const { hub, transcripts, presence, heldConversations } = deps;
  const { agent, sessionId } = request;
  const access = viewAccessOf(agent);
  const send = (event: LiveEvent) => {
    const wire = toAgentEvent(event, agent.id);
    if (wire) connection.enqueue(() => connection.send(wire));
  };

  /** Held conversations with their subscription; `generation` changes on every (re)assignment. */
  const held = new Map<string, { unsubscribe: () => void; generation: number }>();
  let generation = 0;
  /** Admins only: conversations this session follows read-only (the monitor), with their subscription. */
  const watched = new Map<string, () => void>();
  const streamed = () => (watched.size === 0 ? [...held.keys()] : [...new Set([...held.keys(), ...watched.keys()])]);
  const pump = createMessagePump(connection, transcripts, streamed, request.after ?? 0, agentMessageEvent);
  if (deps.catchUpOnHeartbeat) connection.onHeartbeat(() => pump.poll());

  const hold = (conversationId: string) => {
    const entry = held.get(conversationId);
    if (entry) {
      entry.generation = ++generation;
      return;
    }
    const unsubscribe = hub.subscribe(`conversation:${conversationId}`, (event) => onConversationEvent(conversationId, event));
    held.set(conversationId, { unsubscribe, generation: ++generation });
  };

  const onConversationEvent = (conversationId: string, event: LiveEvent) => {
    if (event.type === 'message') {
      pump.announce(event.message.id);
      return;
    }
    // Transfers reach agents on `agent:<id>` and `queue` with the note between agents; this copy has none.
    if (event.type !== 'transfer') send(event);
    if (!mayEndHolding(event, agent.id)) return;
    // Captured now: an assignment that arrives while we ask makes this check stale, and it then keeps the subscription.
    const seen = held.get(conversationId)?.generation;
    connection.enqueue(async () => {
      if (seen === undefined || (await heldConversations(agent.id)).includes(conversationId)) return;
      const entry = held.get(conversationId);
      if (entry?.generation === seen) {
        entry.unsubscribe();
        held.delete(conversationId);
      }
    });
  };

  /** A watched chat's events; while this agent also holds it, the holder's subscription sends them instead. */
  const onWatchedEvent = (conversationId: string, event: LiveEvent) => {
    if (held.has(conversationId)) return;
    if (event.type === 'message') pump.announce(event.message.id);
    else send(event);
  };

  /** Only an admin's own session is told to watch (POST /api/admin/monitor/:id/watch); nothing reaches the visitor. */
  const onWatch = (event: Extract<LiveEvent, { type: 'watch' }>) => {
    if (agent.role !== 'admin' || event.agentId !== agent.id || event.sessionId !== sessionId) return;
    const { conversationId, watching } = event;
    if (watching && !watched.has(conversationId)) {
      watched.set(conversationId, hub.subscribe(`conversation:${conversationId}`, (e) => onWatchedEvent(conversationId, e)));
    } else if (!watching) {
      watched.get(conversationId)?.();
      watched.delete(conversationId);
    }
    connection.enqueue(() => connection.send({ event: 'watching', data: { conversationId, watching } }));
  };

  const onAgentEvent = (event: LiveEvent) => {
    if (event.type === 'watch') return onWatch(event);
    if (event.type === 'session_ended') {
      if (event.agentId !== agent.id || (event.sessionId !== undefined && event.sessionId !== sessionId)) return;
      connection.enqueue(async () => {
        await connection.send({ event: 'session_ended', data: {} });
        connection.close('session_ended');
      });
      return;
    }
    // The presence service publishes every change on `queue` as well: forwarded from there, once.
    if (event.type === 'presence') return;
    // A colleague's invitations and consults come on their own topic too; a chat this stream follows already
    // brings them on its topic, so this copy is for a chat it does not (yet) follow. Joining one follows it.
    if (event.type === 'participants' || event.type === 'consult') {
      if (held.has(event.conversationId) || watched.has(event.conversationId)) return;
      if (event.type === 'participants' && event.agentId === agent.id && event.change === 'joined') hold(event.conversationId);
    }
    // Subscribed here, synchronously: no message of the conversation can slip between event and subscription.
    if (event.type === 'assigned' && event.agentId === agent.id) hold(event.conversationId);
    send(event);
  };

  /** A queue_changed not yet written: later ones fold into it (the console refetches after it arrives). */
  let queueChangedPending = false;
  const onQueueEvent = (event: LiveEvent) => {
    if (event.type === 'queue_changed') {
      if (queueChangedPending) return;
      queueChangedPending = true;
      connection.enqueue(() => {
        queueChangedPending = false;
        return connection.send({ event: 'queue_changed', data: {} });
      });
      return;
    }
    // An invisible colleague reads as offline; the agent themselves sees their own choice.
    if (event.type === 'presence' && event.agentId !== agent.id && event.status === 'invisible') {
      send({ ...event, status: 'offline' });
      return;
    }
    if (event.type === 'transfer') {
      // A transfer away from this agent was also published on their own topic.
      if (event.from === agent.id) return;
      // A transfer to a group (with the sender's note) is for those who may now open the chat: the group's
      // agents and admins, by the conversation view's own rule; nobody else learns of it or reads the note.
      if (event.toGroup !== undefined && !mayView(access, { status: 'queued', groupId: event.toGroup })) return;
    }
    send(event);
  };

  const unsubscribes = [hub.subscribe(`agent:${agent.id}`, onAgentEvent), hub.subscribe('queue', onQueueEvent)];
  // The monitor's live figures: presence, assignments, transfers, closes, queue moves; admins only.
  if (agent.role === 'admin') {
    unsubscribes.push(
      hub.subscribe('supervisor', (event) => {
        if (event.type === 'supervisor') connection.enqueue(() => connection.send(supervisorWireEvent(event)));
      }),
    );
  }
  connection.onClose(() => {
    for (const unsubscribe of unsubscribes) unsubscribe();
    for (const entry of held.values()) entry.unsubscribe();
    held.clear();
    for (const unsubscribe of watched.values()) unsubscribe();
    watched.clear();
  });

  presence.connected(agent.id);
  connection.onClose(() => presence.disconnected(agent.id));

  connection.enqueue(async () => {
    for (const conversationId of await heldConversations(agent.id)) {
      if (!held.has(conversationId)) hold(conversationId);
    }
    // After subscribing: anything stored later is above this id and is announced to us.
    if (request.after === undefined) pump.cursor = await transcripts.latestMessageId();
    await pump.catchUp();
    await connection.send({
      event: 'ready',
      id: pump.cursor,
      data: { agentId: agent.id, conversations: [...held.keys()], lastMessageId: pump.cursor },
    });
  });
}
