// Agent presence: what the live connection and the status switch say about each agent.
import type { AgentStatus } from '../agents/agent.ts';

/**
 * Implemented by the routing side; the live-delivery side reports connections. An agent with no live
 * connection for longer than the grace period is offline, and their chats go back to the queue.
 */
export interface Presence {
  /** A live connection of this agent opened (several may be open: tabs). */
  connected(agentId: string): void;
  /** A live connection closed; after the grace period with none open, the agent is offline. */
  disconnected(agentId: string): void;
  /** The agent's chosen status (online, away, busy); `offline` also ends routing to them. */
  setStatus(agentId: string, status: AgentStatus): void;
  status(agentId: string): AgentStatus;
  /** Ends grace timers (shutdown, tests). */
  close(): void;
}
