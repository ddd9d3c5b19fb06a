// Live publish/subscribe between the parts that change conversations and the live connections.
// In-process for the embedded default; a Redis or NATS adapter implements the same interface later.
import type { AgentStatus } from '../agents/agent.ts';
import type { ConversationStatus, StoredMessage } from '../conversations/conversation-store.ts';

/** Channels: one per conversation, one per agent, one for everyone watching the queue, one for admins' monitor. */
export type Topic = `conversation:${string}` | `agent:${string}` | 'queue' | 'supervisor';

export type LiveEvent =
  /** A stored message (visitor, bot, agent or system); `message.id` is the resume point. */
  | { type: 'message'; conversationId: string; message: StoredMessage }
  | { type: 'typing'; conversationId: string; author: 'visitor' | 'agent'; typing: boolean }
  /** A side's read marker moved: every message up to `upTo` is read by the visitor or the agent side (read receipts). */
  | { type: 'read'; conversationId: string; reader: 'visitor' | 'agent'; upTo: number; at: string }
  /** Status changed; `agent` names who holds it when assigned. */
  | { type: 'status'; conversationId: string; status: ConversationStatus; agent?: { id: string; displayName: string } }
  /** The visitor's place in the queue and the estimated wait. */
  | { type: 'queue_position'; conversationId: string; position: number; etaSeconds: number }
  | { type: 'transfer'; conversationId: string; from?: string; toAgent?: string; toGroup?: string; note?: string }
  | { type: 'closed'; conversationId: string; by: 'agent' | 'visitor' | 'idle' | 'system' }
  /** Something in the queue changed (joined, taken, left): queue views refetch. */
  | { type: 'queue_changed' }
  /** A chat was given to this agent (auto-assignment, take, or transfer). */
  | { type: 'assigned'; conversationId: string; agentId: string }
  | { type: 'presence'; agentId: string; status: AgentStatus }
  /**
   * The agent's session ended (logout, expiry, disabled, password change): close its live connections.
   * Without `sessionId`, every session of the agent ended.
   */
  | { type: 'session_ended'; agentId: string; sessionId?: string }
  /** On `supervisor`: something the admins' monitor shows changed (handoff/supervision/monitor-events.ts). */
  | { type: 'supervisor'; change: SupervisorChange; agentId?: string; conversationId?: string; status?: AgentStatus }
  /** On `agent:<id>`: this admin session starts or stops following a conversation read-only (monitor). */
  | { type: 'watch'; agentId: string; sessionId: string; conversationId: string; watching: boolean }
  /**
   * A colleague was invited into a chat, joined it, declined or left (handoff/collaboration/): on the chat's topic
   * and on the colleague's own. Agents only: the visitor's stream drops it (they see a system message instead).
   */
  | { type: 'participants'; conversationId: string; agentId: string; change: ParticipantChange }
  /** A private consult note between agents about a chat: on the chat's topic and the asked colleague's. Never for visitors. */
  | { type: 'consult'; conversationId: string; note: ConsultNoteData };

export type ParticipantChange = 'invited' | 'joined' | 'declined' | 'left';

/** A consult note as agents are told of it (names resolved, so a colleague outside the chat can show it). */
export interface ConsultNoteData {
  id: number;
  conversationId: string;
  author: { id: string; displayName: string };
  /** The colleague asked; absent: for the agents of the chat. */
  to?: { id: string; displayName: string };
  text: string;
  createdAt: string;
}

/** What changed for the monitor: an agent's presence, a chat's holder, or the queue. */
export type SupervisorChange = 'presence' | 'assigned' | 'requeued' | 'transferred' | 'closed' | 'queue';

export type Listener = (event: LiveEvent) => void;

export interface Hub {
  publish(topic: Topic, event: LiveEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(topic: Topic, listener: Listener): () => void;
}

/** The in-process hub, which can also say how many listeners it holds (leak checks in tests, metrics). */
export interface MemoryHub extends Hub {
  /** Listeners subscribed to `topic`, or to every topic when omitted. */
  listenerCount(topic?: Topic): number;
}

/** The in-process hub: synchronous delivery to current subscribers; a throwing listener harms no other. */
export function createMemoryHub(onListenerError: (err: unknown) => void = () => {}): MemoryHub {
  const listeners = new Map<Topic, Set<Listener>>();
  return {
    listenerCount(topic) {
      if (topic !== undefined) return listeners.get(topic)?.size ?? 0;
      let count = 0;
      for (const set of listeners.values()) count += set.size;
      return count;
    },
    publish(topic, event) {
      for (const listener of listeners.get(topic) ?? []) {
        try {
          listener(event);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        // A second call of a stale unsubscribe must not drop a newer set of the same topic.
        if (set.size === 0 && listeners.get(topic) === set) listeners.delete(topic);
      };
    },
  };
}
