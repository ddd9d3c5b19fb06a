// What the live bench's processes say to each other over IPC: the bench, the client process, and the probed servers.

/** How the client process reaches one side of the measurement. */
export type TargetKind =
  /** The real service: visitor streams with a Bearer token, agent streams with the session cookie. */
  | 'service'
  /** The bare node:http SSE relay (bare-relay.ts): no auth, no store, no framework. */
  | 'relay';

export interface VisitorSeat {
  conversationId: string;
  /** The conversation's Bearer token (service only). */
  token: string;
  /** Index into `agents` of the agent holding the conversation. */
  agent: number;
}

export interface AgentSeat {
  agentId: string;
  /** `agent_session=...` (service only). */
  cookie: string;
}

export interface Roster {
  kind: TargetKind;
  /** `http://127.0.0.1:<port>` */
  base: string;
  visitors: VisitorSeat[];
  agents: AgentSeat[];
}

export interface RunPlan {
  /** Messages per second over both directions together, sent on a fixed schedule (open loop). */
  ratePerSecond: number;
  /** Sent at the same rate before the measured window; not recorded. */
  warmupMs: number;
  durationMs: number;
  /** Visitor indices the messages go round; directions alternate message by message. */
  conversations: number[];
  /** After the last send, how long to wait for deliveries still under way before counting the rest lost. */
  drainMs: number;
  /** Keep-alive sockets the sender may use at once. */
  maxSockets: number;
  /** Only one direction (diagnostics); default both, alternating. */
  only?: 'v2a' | 'a2v';
}

export interface RunResult {
  /** Delivery latencies (ms): send start -> event parsed on the agent's stream. */
  visitorToAgent: number[];
  /** Delivery latencies (ms): send start -> event parsed on the visitor's stream. */
  agentToVisitor: number[];
  /** When each of those was sent (ms after the measured window began), index for index. */
  visitorToAgentSentAt: number[];
  agentToVisitorSentAt: number[];
  /** POST round trips (ms) of the recorded messages, both directions. */
  postMs: number[];
  sent: number;
  /** Posted (2xx) in the measured window but never seen on the receiving stream. */
  lost: number;
  /** Posts answered with an error status or failed at the socket. */
  postErrors: number;
  /** A sample of the errors, for the log. */
  errorSample: string[];
  /** Seconds the measured window actually lasted, and the achieved send rate in it. */
  windowSeconds: number;
  achievedRate: number;
  /** How late the sender's timer fired (ms, p99 and max): the client keeping the schedule. */
  scheduleLagP99: number;
  scheduleLagMax: number;
  /** The client process's event-loop delay in the window (ms, p99 and max) and its CPU use (share of one core). */
  loopDelayP99: number;
  loopDelayMax: number;
  clientCpu: number;
  /** Streams that ended during the run (should be none). */
  streamsEnded: number;
}

export type ClientCommand =
  | { cmd: 'init'; seq: number; roster: Roster }
  /** Opens the streams not open yet among these seats and waits for each one's `ready`. */
  | { cmd: 'connect'; seq: number; visitors: number[]; agents: number[]; concurrency: number }
  | { cmd: 'close-all'; seq: number }
  | { cmd: 'run'; seq: number; plan: RunPlan }
  | { cmd: 'exit'; seq: number };

/** A command before the client process numbers it. */
export type ClientRequest = ClientCommand extends infer C ? (C extends { seq: number } ? Omit<C, 'seq'> : never) : never;

export type ClientReply =
  | { seq: number; ok: true; result?: unknown }
  | { seq: number; ok: false; error: string };

export interface ConnectResult {
  opened: number;
  open: number;
  ms: number;
  /** Client process RSS after connecting (MiB). */
  clientRssMiB: number;
}

/** A probed server's memory, after two forced collections. */
export interface ProbeMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /**
   * Physical size of V8's young generation (new space and new large-object space). It grows to its
   * maximum under any burst of allocation and shrinks when idle, whatever is connected, so per-connection
   * RSS leaves it out.
   */
  youngGeneration: number;
  /** Whether gc() was available (node --expose-gc). */
  collected: boolean;
}

/** A probed server's event loop and garbage collector over a window (ms). */
export interface ProbeLoop {
  /** Event-loop delay beyond the sampling interval: p99 and max. */
  delayP99: number;
  delayMax: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Full (mark-compact) collections among them. */
  gcMajorCount: number;
  gcMajorMaxMs: number;
}

export type ProbeRequest = { type: 'memory'; seq: number } | { type: 'loop-start'; seq: number } | { type: 'loop-read'; seq: number };
export type ProbeReply =
  | { type: 'memory'; seq: number; memory: ProbeMemory }
  | { type: 'loop-start'; seq: number }
  | { type: 'loop-read'; seq: number; loop: ProbeLoop }
  | { type: 'listening'; port: number };
