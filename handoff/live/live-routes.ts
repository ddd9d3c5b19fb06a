// Live delivery over Server-Sent Events (visitor and agent streams) and the typing indicators.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import { bearerToken } from '../http/bearer-token.ts';
import { clientKey } from '../http/client-address.ts';
import { memoryRateLimiters, type RateLimiter, type RateLimiterFactory, type RateLimitOptions } from '../http/rate-limit.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { runAgentStream } from './agent-stream.ts';
import type { Conversation, ConversationStore } from '../conversations/conversation-store.ts';
import { ForbiddenError, ValidationError } from '../platform/errors.ts';
import type { Hub } from '../platform/hub.ts';
import { createLiveConnections, type LiveConnections } from './live-connections.ts';
import type { StreamSlots } from './stream-slots.ts';
import type { VisitorState } from './live-events.ts';
import type { Presence } from '../routing/presence.ts';
import { defaultSseConnectionOptions, openSseConnection, type CloseReason, type SseConnectionOptions } from './sse-connection.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';
import { runVisitorStream } from './visitor-stream.ts';
import { assertOriginAllowed, normalizeAllowed, type AllowedOrigins } from '../http/same-origin.ts';

export interface LiveOptions extends SseConnectionOptions {
  /**
   * Streams one conversation may have open at once (tabs, reconnect overlap). Range 1-100; default 5. Counted per
   * node, like the per-agent cap: both bound the sockets one chat or agent holds on the node that serves them.
   */
  maxStreamsPerConversation: number;
  /** Streams one agent may have open at once, per node. Range 1-100; default 10. */
  maxStreamsPerAgent: number;
  /**
   * Visitor streams one client address (an IPv6 client's /64) may have open at once, whatever the
   * conversations: one address opening streams on many chats holds a socket each. 429 too_many_streams over it;
   * `off` with RATE_LIMITS=off. Range 1-10000; default 20 (MAX_VISITOR_STREAMS_PER_ADDRESS).
   */
  maxVisitorStreamsPerAddress: number | 'off';
  /**
   * Typing events per conversation and side (visitor, agent), a token bucket; `off` with RATE_LIMITS=off.
   * Default burst 5, then 3 per second: enough for "started" and "stopped" as people type.
   */
  typingRateLimit: RateLimitOptions | 'off';
  /**
   * Every heartbeat, a stream also reads the messages after its cursor from the store: with several nodes the hub
   * is Redis pub/sub, which may drop an event, and this bounds the loss to one heartbeat. Default false: the
   * in-process hub drops nothing.
   */
  catchUpOnHeartbeat: boolean;
}

export const defaultLiveOptions: LiveOptions = {
  ...defaultSseConnectionOptions,
  maxStreamsPerConversation: 5,
  maxStreamsPerAgent: 10,
  maxVisitorStreamsPerAddress: 20,
  typingRateLimit: { capacity: 5, refillPerSecond: 3 },
  catchUpOnHeartbeat: false,
};

/** Structured logging as pino does it (only what this module uses). */
export interface LiveLog {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Stable codes in the `event` field of this module's log lines. */
export const LiveLogEvent = {
  opened: 'live.opened',
  closed: 'live.closed',
  failed: 'live.failed',
} as const;

export interface LiveRoutesDeps {
  /** Visitor authentication (Bearer token) and the conversation's status. */
  store: ConversationStore;
  transcripts: TranscriptStore;
  hub: Hub;
  presence: Presence;
  requireAgent: RequireAgent;
  /**
   * Origins besides the request's own that may open a stream (AGENT_ALLOWED_ORIGINS). A stream request
   * whose `Origin` is present and foreign gets 403 before any credential is read. Default none.
   */
  allowedOrigins?: AllowedOrigins;
  /** Also allowed to open a visitor's stream: the sites embedding the widget (WIDGET_ALLOWED_ORIGINS). Default none. */
  widgetOrigins?: AllowedOrigins;
  /**
   * The conversations an agent holds now (assigned to them, not closed), and those they joined as a colleague
   * (handoff/collaboration/): stream topics and typing rights.
   */
  heldConversations: (agentId: string) => Promise<string[]>;
  /** The name an agent shows visitors, sent with each agent message on the visitor's stream. Default: none. */
  agentName?: (agentId: string) => Promise<string | undefined>;
  /**
   * The visitor's view of a conversation for the `ready` event (agent name, queue estimate). Default:
   * status and queue position from `store`, which knows no agent names or estimates.
   */
  visitorState?: (conversationId: string) => Promise<VisitorState>;
  /**
   * Refuses a blocked visitor (VisitorBlockedError) by the request's address or the conversation's stored
   * visitor id (handoff/visitors/visitor-blocks.ts); called once the token is checked. Default: nobody is blocked.
   */
  visitorGate?: (c: Context, conversation: Conversation) => void;
  /** What the per-address stream cap counts under. Default clientKey (handoff/http/client-address.ts). */
  clientKey?: (c: Context) => string;
  /** The registry of open streams; pass one to close them all on shutdown. Default: a private one. */
  connections?: LiveConnections;
  /**
   * The caps that hold across every node (the visitor streams of one client address): coordination.ts's
   * streamSlots. Default: counted in `connections`, this process alone.
   */
  streamSlots?: StreamSlots;
  log?: LiveLog;
  /** Where the typing buckets live (this process by default; Redis on several nodes). */
  rateLimiters?: RateLimiterFactory;
  options?: Partial<LiveOptions>;
}

/** One cap a stream counts against: `max` open under `key`, else 429 with `code` (default rate_limited). */
interface Place {
  key: string;
  max: number;
  code?: string;
  /** Counted on every node (streamSlots), not only on this one. */
  shared?: boolean;
}

/** Biggest typing request body: `{"typing":false}` with room to spare. */
const MAX_TYPING_BODY_BYTES = 1024;

const typingBody = z.strictObject({ typing: z.boolean() });

/**
 * GET  /api/conversations/:id/events            visitor stream (Authorization: Bearer <token>)
 * POST /api/conversations/:id/typing            { typing } from the visitor
 * GET  /api/agent/events                        agent stream (session via requireAgent)
 * POST /api/agent/conversations/:id/typing      { typing } from the agent holding the conversation
 *
 * Streams resume from `Last-Event-ID` (header, what EventSource sends) or `?after=<message id>`.
 */
export function liveRoutes(deps: LiveRoutesDeps): Hono<AgentEnv> {
  const { store, transcripts, hub, presence, requireAgent, heldConversations } = deps;
  const options: LiveOptions = { ...defaultLiveOptions, ...deps.options };
  const connections = deps.connections ?? createLiveConnections();
  const log = deps.log;
  const visitorState = deps.visitorState ?? defaultVisitorState(store);
  const keyOf = deps.clientKey ?? clientKey;
  const typingLimiter: RateLimiter | undefined =
    options.typingRateLimit === 'off' ? undefined : (deps.rateLimiters ?? memoryRateLimiters)('typing', options.typingRateLimit);
  const retryAfterSeconds = Math.max(1, Math.ceil(options.retryMs / 1000));
  const origins = normalizeAllowed(deps.allowedOrigins ?? []);
  const visitorOrigins = [...origins, ...normalizeAllowed(deps.widgetOrigins ?? [])];

  const app = new Hono<AgentEnv>();

  /**
   * Streams are GETs, which the cookie guard lets through; a page on another site could otherwise open
   * one (an EventSource with credentials, a fetch with a stolen token). Same rule as for changes.
   */
  const streamOrigin: MiddlewareHandler<AgentEnv> = async (c, next) => {
    assertOriginAllowed(c, origins);
    await next();
  };
  const visitorStreamOrigin: MiddlewareHandler<AgentEnv> = async (c, next) => {
    assertOriginAllowed(c, visitorOrigins);
    await next();
  };

  /** Opens a stream counted under each of `places` (key and cap); `run` wires it to the hub. Logs the open and the end. */
  async function stream(c: Context, places: Place[], fields: object, run: Parameters<typeof openSseConnection>[2]) {
    const release = await reserveAll(places);
    const opened = Date.now();
    try {
      return openSseConnection(
        c,
        {
          ...options,
          onTaskError: (err) => log?.warn({ event: LiveLogEvent.failed, ...fields, err }, 'live stream failed'),
          onEnd: (reason: CloseReason) => {
            release();
            log?.debug({ event: LiveLogEvent.closed, ...fields, reason, ms: Date.now() - opened }, 'live stream closed');
          },
        },
        (connection) => {
          connections.track(connection);
          log?.debug({ event: LiveLogEvent.opened, ...fields }, 'live stream opened');
          run(connection);
        },
      );
    } catch (err) {
      release();
      throw err;
    }
  }

  /** A place under every key, or none (the places taken before a full one are given back). */
  async function reserveAll(places: Place[]): Promise<() => void> {
    const releases: Array<() => void> = [];
    try {
      for (const { key, max, code, shared } of places) {
        releases.push(
          shared && deps.streamSlots
            ? await deps.streamSlots.reserve(key, max, retryAfterSeconds, code)
            : connections.reserve(key, max, retryAfterSeconds, code),
        );
      }
    } catch (err) {
      for (const release of releases) release();
      throw err;
    }
    return () => {
      for (const release of releases) release();
    };
  }

  const typingBodyLimit = limitBody(MAX_TYPING_BODY_BYTES, 'live: a typing request body');

  app.get('/api/conversations/:id/events', visitorStreamOrigin, async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    const after = resumePoint(c) ?? 0;
    const conversation = await store.authenticate(c.req.param('id'), token);
    deps.visitorGate?.(c, conversation);
    const conversationId = conversation.id;
    const places: Place[] = [{ key: `conversation:${conversationId}`, max: options.maxStreamsPerConversation }];
    if (options.maxVisitorStreamsPerAddress !== 'off') {
      places.push({ key: `visitor-address:${keyOf(c)}`, max: options.maxVisitorStreamsPerAddress, code: 'too_many_streams', shared: true });
    }
    return stream(c, places, { conversationId }, (connection) =>
      runVisitorStream(
        connection,
        { hub, transcripts, visitorState, catchUpOnHeartbeat: options.catchUpOnHeartbeat, ...(deps.agentName ? { agentName: deps.agentName } : {}) },
        conversationId,
        after,
      ),
    );
  });

  app.post('/api/conversations/:id/typing', typingBodyLimit, async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    const conversation = await store.authenticate(c.req.param('id'), token);
    deps.visitorGate?.(c, conversation);
    const { typing } = parseTyping(await readJsonBody(c));
    await typingLimiter?.take(`${conversation.id}:visitor`);
    hub.publish(`conversation:${conversation.id}`, { type: 'typing', conversationId: conversation.id, author: 'visitor', typing });
    return c.body(null, 204);
  });

  app.get('/api/agent/events', streamOrigin, requireAgent(), async (c) => {
    const agent = c.var.agent;
    const sessionId = c.var.session.id;
    const after = resumePoint(c);
    return stream(c, [{ key: `agent:${agent.id}`, max: options.maxStreamsPerAgent }], { agentId: agent.id }, (connection) =>
      runAgentStream(
        connection,
        { hub, transcripts, presence, heldConversations, catchUpOnHeartbeat: options.catchUpOnHeartbeat },
        after === undefined ? { agent, sessionId } : { agent, sessionId, after },
      ),
    );
  });

  app.post('/api/agent/conversations/:id/typing', requireAgent(), typingBodyLimit, async (c) => {
    const agent = c.var.agent;
    const conversationId = c.req.param('id');
    const { typing } = parseTyping(await readJsonBody(c));
    if (!(await heldConversations(agent.id)).includes(conversationId)) {
      throw new ForbiddenError(`live: agent ${agent.id} does not hold conversation ${JSON.stringify(conversationId)}`);
    }
    await typingLimiter?.take(`${conversationId}:agent`);
    hub.publish(`conversation:${conversationId}`, { type: 'typing', conversationId, author: 'agent', typing });
    return c.body(null, 204);
  });

  return app;
}

function defaultVisitorState(store: ConversationStore): (conversationId: string) => Promise<VisitorState> {
  return async (conversationId) => {
    const { status } = await store.getConversation(conversationId);
    if (status !== 'queued') return { status };
    const position = await store.queuePosition(conversationId);
    return position === undefined ? { status } : { status, queue: { position } };
  };
}

/** `Last-Event-ID` (EventSource's reconnect header) wins over `?after`; both are the last message id seen. */
export function resumePoint(c: Context): number | undefined {
  const header = c.req.header('last-event-id')?.trim();
  if (header) return parseMessageId(header, 'Last-Event-ID');
  const after = c.req.query('after');
  if (after !== undefined && after !== '') return parseMessageId(after, 'after');
  return undefined;
}

function parseMessageId(value: string, field: string): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new ValidationError('invalid_after', `${field} must be a message id (a non-negative integer)`, field);
  }
  return Number(value);
}

function parseTyping(body: unknown): { typing: boolean } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'the request body must be a JSON object');
  }
  const parsed = typingBody.safeParse(body);
  if (!parsed.success) {
    const unknown = Object.keys(body).find((key) => key !== 'typing');
    if (unknown !== undefined) throw new ValidationError('unknown_field', `${unknown} is not a field of this request`, unknown);
    if ((body as Record<string, unknown>).typing === undefined) {
      throw new ValidationError('missing_field', 'typing is required', 'typing');
    }
    throw new ValidationError('invalid_typing', 'typing must be true or false', 'typing');
  }
  return parsed.data;
}
