// The visitor's HTTP API: POST /api/chat and GET /api/conversations/:id/messages (see DESIGN.md).
import { Hono, type Context } from 'hono';
import { limitBody, ValidationError, type InvitationClaims, type Clock, type ConversationStore, type Hub, type Routing, type UnansweredLog, type VisitorBlocks, type VisitorInfo, type AppEnv, bearerToken, clientAddress, clientKey, memoryRateLimiters, defaultConversationCreateRateLimit, defaultConversationRateLimit, defaultIpRateLimit, type RateLimiterFactory, type RateLimitOptions, readJsonBody } from '../../handoff/index.ts';
import { MAX_USER_AGENT, parseChatRequest, type ChatRequest } from './chat-request.ts';
import { continueConversation, startConversation, startInvitedConversation, type ChatTurnDeps } from './chat-turn.ts';
import type { Engine } from '../engine/engine.ts';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';

/** What the chat routes read of the configuration (the server's Config fits). */
export interface ChatRoutesConfig {
  /** Per-address and per-conversation limits on (RATE_LIMITS). */
  rateLimits: boolean;
  /** Attach the engine's trace to replies (EXPLAIN). */
  explain: boolean;
  maxBodyBytes: number;
  maxMessageChars: number;
}

/** Where the current engine is: read once per request (a reload swaps it; the server's knowledge runtime fits). */
export interface EngineSource {
  readonly engine: Engine;
}

export interface ChatRoutesDeps {
  config: ChatRoutesConfig;
  store: ConversationStore;
  runtime: EngineSource;
  /** Overrides of the default limits (tests); ignored when config.rateLimits is off. */
  rateLimits?: { ip?: RateLimitOptions; conversation?: RateLimitOptions; create?: RateLimitOptions };
  /**
   * Where the buckets live: this process (default) or Redis, so that an address gets the same allowance
   * whichever node its requests reach (HandoffServices.rateLimiters).
   */
  rateLimiters?: RateLimiterFactory;
  /** Handoff routing (groups, hours, agents); without it a handoff only queues (see ChatTurnDeps). */
  routing?: Routing;
  /** Live delivery: every stored message is published here. */
  hub?: Hub;
  clock?: Clock;
  /** The editors' unanswered inbox (see ChatTurnDeps). */
  unanswered?: UnansweredLog;
  /** Blocked visitors (handoff/visitors/visitor-blocks.ts): refused with 403 visitor_blocked before any other work. */
  visitorGate?: VisitorGate;
  /** Accepted invitations (handoff/visitors/invitation-claims.ts): `invitationId` on a new conversation. */
  invitations?: InvitationClaims;
  /** The name each agent message's author shows visitors (a chat may have two agents); without it, none is sent. */
  agentNames?: (agentId: string) => Promise<string | undefined>;
}

/** What the chat routes need of the blocks: the in-memory check (throws VisitorBlockedError, counts a hit). */
export type VisitorGate = Pick<VisitorBlocks, 'check'>;

/** Messages per catch-up response; a client with more to fetch calls again with the last id (`more: true`). */
export const MESSAGES_PAGE_SIZE = 500;
export function chatRoutes({ config, store, runtime, rateLimits = {}, rateLimiters = memoryRateLimiters, routing, hub, clock, unanswered, visitorGate, invitations, agentNames }: ChatRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const perIp = config.rateLimits ? rateLimiters('chat-ip', rateLimits.ip ?? defaultIpRateLimit) : undefined;
  const perConversation = config.rateLimits
    ? rateLimiters('chat-conversation', rateLimits.conversation ?? defaultConversationRateLimit)
    : undefined;
  // New conversations per client address, on top of perIp (which counts every request).
  const perIpCreate = config.rateLimits ? rateLimiters('chat-create', rateLimits.create ?? defaultConversationCreateRateLimit) : undefined;

  // A blocked address is refused on every visitor route before the per-address limit: a blocked flood
  // costs one Map lookup per request, and no limiter bucket. (Agent routes are not visitor routes.)
  if (visitorGate) {
    app.use('/api/*', async (c, next) => {
      const path = c.req.path;
      if (path === '/api/chat' || path.startsWith('/api/conversations/')) visitorGate.check({ ip: clientAddress(c) });
      await next();
    });
  }

  app.use('/api/*', async (c, next) => {
    // Keyed by clientKey, not the address: an IPv6 client rotating inside its /64 stays one client.
    await perIp?.take(clientKey(c));
    // Responses carry conversation tokens and private transcripts: never cache them anywhere.
    c.header('Cache-Control', 'no-store');
    await next();
  });

  // Everything a turn needs but the engine, put together once.
  const turnDeps: Omit<ChatTurnDeps, 'engine'> = {
    store,
    explain: config.explain,
    ...(routing ? { routing } : {}),
    ...(hub ? { hub } : {}),
    ...(clock ? { clock } : {}),
    ...(unanswered ? { unanswered } : {}),
  };

  app.post(
    '/api/chat',
    limitBody(config.maxBodyBytes),
    async (c) => {
      const request = parseChatRequest(await readJsonBody(c), config.maxMessageChars);
      // One engine for the whole request, even if a reload swaps it meanwhile.
      const deps: ChatTurnDeps = { ...turnDeps, engine: runtime.engine };
      if (request.conversationId === undefined) {
        visitorGate?.check({ visitorId: request.visitorId });
        await perIpCreate?.take(clientKey(c));
        // Without the invitations service (the engine-only app) an invitationId changes nothing: the bot answers.
        if (request.invitationId !== undefined && invitations) {
          const claim = await invitations.claim(request.invitationId, request.visitorId);
          const response = claim.agent
            ? await startInvitedConversation(deps, request, visitorInfo(c, request), claim.agent)
            : await startConversation(deps, request, visitorInfo(c, request));
          await invitations.started(response.conversationId, claim, request.visitorId);
          return c.json(response);
        }
        const response = await startConversation(deps, request, visitorInfo(c, request));
        if (request.visitorId) await invitations?.noteConversation(request.visitorId, response.conversationId);
        return c.json(response);
      }
      const token = bearerToken(c.req.header('authorization'));
      const conversation = await store.authenticate(request.conversationId, token);
      // The visitor id stored with the conversation counts, not one this request may claim.
      visitorGate?.check({ visitorId: conversation.visitor.visitorId });
      await perConversation?.take(conversation.id);
      return c.json(await continueConversation(deps, conversation, request));
    },
  );

  app.get('/api/conversations/:id/messages', async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    const after = parseAfter(c.req.query('after'));
    const conversation = await store.authenticate(c.req.param('id'), token);
    visitorGate?.check({ visitorId: conversation.visitor.visitorId });
    const page = await store.listMessages(conversation.id, { after, limit: MESSAGES_PAGE_SIZE + 1 });
    const messages = await Promise.all(page.slice(0, MESSAGES_PAGE_SIZE).map(async (m) => {
      const agentName = m.author === 'agent' && m.agentId !== undefined ? await agentNames?.(m.agentId) : undefined;
      return { id: m.id, author: m.author, text: m.text, createdAt: m.createdAt, ...(m.attachment ? { attachment: m.attachment } : {}), ...(agentName !== undefined ? { agentName } : {}) };
    }));
    return c.json({ status: conversation.status, messages, more: page.length > MESSAGES_PAGE_SIZE });
  });

  return app;
}

/** `after` is the last message id the client saw: absent or a non-negative integer. */
function parseAfter(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,15}$/.test(value)) {
    throw new ValidationError('invalid_after', 'after must be a message id (a non-negative integer)', 'after');
  }
  return Number(value);
}

/** Kept with a new conversation: the browser's User-Agent header (else the widget's), page and referrer. */
function visitorInfo(c: Context, request: ChatRequest): VisitorInfo {
  const info: VisitorInfo = {};
  // Cleaned like the body's fields: a header is latin1, so bytes 0x80-0x9f arrive as C1 control characters.
  const header = c.req.header('user-agent');
  const userAgent = (header !== undefined ? cleanVisitorText(header).slice(0, MAX_USER_AGENT) : '') || request.visitor?.userAgent;
  if (userAgent) info.userAgent = userAgent;
  if (request.visitor?.pageUrl) info.pageUrl = request.visitor.pageUrl;
  if (request.visitor?.referrer) info.referrer = request.visitor.referrer;
  if (request.visitorId) info.visitorId = request.visitorId;
  // 'unknown' (no socket) is no address to block by.
  const ip = clientAddress(c);
  if (ip !== 'unknown') info.ip = ip;
  return info;
}
