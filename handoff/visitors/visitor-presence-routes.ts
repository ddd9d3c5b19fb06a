// Visitors on the site: the widget's page-view reports and presence stream, agents' visitor list and invitations,
// admins' automatic invitation rules. Agents' list is polled (every 5 s by the console), not pushed.
import { Hono, type Context } from 'hono';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { addressKey } from '../http/address-key.ts';
import { limitBody } from '../http/body-limit.ts';
import { bearerToken } from '../http/bearer-token.ts';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import type { Clock } from '../platform/clock.ts';
import { z } from 'zod';
import { ConflictError, UnauthorizedError, ValidationError } from '../platform/errors.ts';
import { parseBody } from '../http/parse-body.ts';
import { parseInvitationRules, type InvitationRuleStore } from './invitation-rules.ts';
import { createLiveConnections, type LiveConnections } from '../live/live-connections.ts';
import type { StreamSlots } from '../live/stream-slots.ts';
import { memoryRateLimiters, type RateLimiterFactory, type RateLimitOptions } from '../http/rate-limit.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { defaultSseConnectionOptions, openSseConnection, type SseConnectionOptions } from '../live/sse-connection.ts';
import type { VisitorIdentity } from './visitor-blocks.ts';
import type { Invitation, PresenceEvent, VisitorPresence, VisitorSnapshot, VisitorSource } from './visitor-presence.ts';
import { sourceOf } from '../supervision/visitor-origins.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';

export interface VisitorPresenceRoutesOptions extends SseConnectionOptions {
  /** Reports (page view, leave, dismiss, accept) per client address; `off` with RATE_LIMITS=off. Default burst 60, then 1 per second. */
  rateLimit: RateLimitOptions | 'off';
  /** Presence streams one visitor may have open (tabs). Range 1-20; default 5. */
  maxStreamsPerVisitor: number;
  /** Presence streams one client address may have open (many visitors behind carrier NAT). Range 1-10000; default 100. */
  maxStreamsPerAddress: number;
  /** Biggest report body. Range 512-65536 bytes; default 8192 (a URL of 2048 and a title of 200 fit easily). */
  maxBodyBytes: number;
}

export const defaultVisitorPresenceRoutesOptions: VisitorPresenceRoutesOptions = {
  ...defaultSseConnectionOptions,
  rateLimit: { capacity: 60, refillPerSecond: 1 },
  maxStreamsPerVisitor: 5,
  maxStreamsPerAddress: 100,
  maxBodyBytes: 8192,
};

export const MAX_PAGE_URL = 2048;
export const MAX_PAGE_TITLE = 200;
const MAX_INVITE_TEXT = 300;
const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Presence tokens are 43 characters (32 bytes base64url); anything much longer is not one. */
const MAX_TOKEN = 128;

// Strict schemas: a key the route does not know is refused (400 unknown_field), never silently dropped.
const token = z.string().min(1).max(MAX_TOKEN);
const pageViewSchema = z.strictObject({
  url: z.string(),
  title: z.string().nullish(),
  visitorId: z.string().regex(VISITOR_ID).nullish(),
  token: token.nullish(),
  /** document.referrer of the page: only its source (search engine, site or direct) is kept. */
  referrer: z.string().max(MAX_PAGE_URL).nullish(),
});
const pageLeaveSchema = z.strictObject({ token });
const inviteSchema = z.strictObject({ text: z.string().nullish() });
const REPORT_FIELDS = {
  url: { code: 'invalid_url', message: `url must be an http(s) URL of at most ${MAX_PAGE_URL} characters` },
  title: { code: 'invalid_title', message: 'title must be a string' },
  visitorId: { code: 'invalid_visitor_id', message: 'visitorId must be 16-64 characters of A-Z, a-z, 0-9, _ and -' },
  token: { code: 'invalid_token', message: `token must be a presence token (1-${MAX_TOKEN} characters)` },
  referrer: { code: 'invalid_referrer', message: `referrer must be a string of at most ${MAX_PAGE_URL} characters (the page's document.referrer)` },
  text: { code: 'invalid_text', message: 'text must be a string' },
};

export interface VisitorPresenceRoutesDeps {
  presence: VisitorPresence;
  rules: InvitationRuleStore;
  requireAgent: RequireAgent;
  clock: Clock;
  /** The client's address, checked against blocks (handoff/http/client-address.ts in the app). */
  clientAddress: (c: Context) => string;
  /**
   * What the per-address limit, presence slots and stream cap count under (clientKey: an IPv6 client's /64).
   * Default: clientAddress keyed with the default IPv6 prefix (/64).
   */
  clientKey?: (c: Context) => string;
  /** Blocked visitors get 403 visitor_blocked (handoff/visitors/visitor-blocks.ts check). */
  visitorGate: (who: VisitorIdentity) => void;
  /** Whether a conversation is still open (not closed): the visitor is "in chat". */
  inChat: (conversationId: string) => Promise<boolean>;
  connections?: LiveConnections;
  /**
   * Where the presence stream caps (per visitor, per address) are counted: on every node (coordination.streamSlots),
   * so tabs spread over nodes get no more streams in all. Default: `connections`, this process alone.
   */
  streamSlots?: StreamSlots;
  /** Saved invitation rules are audited (how many, never their text); none in tests that do not read it. */
  audit?: AuditLog;
  /** A saved rule list and its audit row commit together. */
  unitOfWork: UnitOfWork;
  /** Where the per-address buckets live (this process by default; Redis on several nodes). */
  rateLimiters?: RateLimiterFactory;
  options?: Partial<VisitorPresenceRoutesOptions>;
}

/** A visitor as agents see it: the snapshot with `inChat` settled and no conversation id. */
export interface VisitorJson extends Omit<VisitorSnapshot, 'conversationId'> {
  inChat: boolean;
}

/**
 * POST /api/visitor/pageview                  { url, title?, visitorId?, token?, referrer? } -> { token? } (first report: the presence token)
 * POST /api/visitor/pageleave                 { token } (sendBeacon: no headers) or Bearer
 * GET  /api/visitor/events                    presence stream (Bearer presence token): `invitation` events
 * POST /api/visitor/invitations/:id/dismiss   Bearer presence token
 * POST /api/visitor/invitations/:id/accept    Bearer presence token -> { invitation }
 * GET  /api/agent/visitors                    -> { visitors, total } (the most recently active few; total online)
 * POST /api/agent/visitors/:id/invite         { text? }
 * GET  /api/admin/invitation-rules            -> { rules }
 * PUT  /api/admin/invitation-rules            { rules } -> { rules }
 */
export function visitorPresenceRoutes(deps: VisitorPresenceRoutesDeps): Hono<AgentEnv> {
  const { presence, rules, requireAgent, clock, clientAddress, visitorGate, inChat } = deps;
  const clientKey = deps.clientKey ?? ((c: Context) => addressKey(clientAddress(c)));
  const options: VisitorPresenceRoutesOptions = { ...defaultVisitorPresenceRoutesOptions, ...deps.options };
  const connections = deps.connections ?? createLiveConnections();
  const limiter = options.rateLimit === 'off' ? undefined : (deps.rateLimiters ?? memoryRateLimiters)('visitor-presence', options.rateLimit);
  const bodyLimit = limitBody(options.maxBodyBytes, 'visitor-presence: a report body');
  const reserve = async (key: string, max: number, retryAfter: number): Promise<() => void> =>
    deps.streamSlots ? deps.streamSlots.reserve(key, max, retryAfter) : connections.reserve(key, max, retryAfter);
  const app = new Hono<AgentEnv>();

  /**
   * Every visitor presence route: blocked first (no limiter bucket for them), then the per-address limit.
   * Returns the client's key, which the limit, presence slots and stream cap count under.
   */
  const guard = async (c: Context, visitorId?: string) => {
    visitorGate({ ip: clientAddress(c), visitorId });
    const key = clientKey(c);
    await limiter?.take(key);
    return key;
  };

  const presenceOf = async (c: Context, token?: string) => {
    const found = await presence.authenticate(token ?? bearerToken(c.req.header('authorization')));
    visitorGate({ ip: clientAddress(c), visitorId: found.visitorId });
    return found;
  };

  app.post('/api/visitor/pageview', bodyLimit, async (c) => {
    const address = await guard(c);
    const body = parseBody(pageViewSchema, await readReport(c), REPORT_FIELDS);
    const url = pageUrl(body.url);
    const title = pageTitle(body.title);
    const visitorId = body.visitorId ?? undefined;
    visitorGate({ visitorId });
    const header = c.req.header('authorization');
    const token = header ? bearerToken(header) : body.token ?? undefined;
    const result = await presence.pageView({ token, visitorId, address, url, title, source: referrerSource(body.referrer, url) });
    c.header('Cache-Control', 'no-store');
    return c.json(result.token ? { token: result.token } : {});
  });

  app.post('/api/visitor/pageleave', bodyLimit, async (c) => {
    await guard(c);
    const header = c.req.header('authorization');
    let token = header ? bearerToken(header) : undefined;
    if (!token) {
      const report = await readReport(c);
      // No credential at all is 401 like every token route; anything else is checked field by field.
      if (Object.keys(report).length === 0) throw new UnauthorizedError('visitor-presence: a presence token is required');
      token = parseBody(pageLeaveSchema, report, REPORT_FIELDS).token;
    }
    await presenceOf(c, token);
    await presence.pageLeave(token);
    return c.body(null, 204);
  });

  app.get('/api/visitor/events', async (c) => {
    const address = await guard(c);
    const { presenceId } = await presenceOf(c);
    const retryAfter = Math.ceil(options.retryMs / 1000);
    const releaseVisitor = await reserve(`presence:${presenceId}`, options.maxStreamsPerVisitor, retryAfter);
    let releaseAddress: () => void;
    try {
      releaseAddress = await reserve(`presence-address:${address}`, options.maxStreamsPerAddress, retryAfter);
    } catch (err) {
      releaseVisitor();
      throw err;
    }
    const release = () => {
      releaseVisitor();
      releaseAddress();
    };
    // Subscribed before the stream opens (a visitor gone meanwhile is a 404, not a stream); what arrives before
    // the connection exists (the pending invitation) is held and sent first, ahead of `ready`.
    let deliver: ((event: PresenceEvent) => void) | undefined;
    const early: PresenceEvent[] = [];
    let unsubscribe: () => void;
    try {
      unsubscribe = await presence.subscribe(presenceId, (event) => (deliver ? deliver(event) : early.push(event)));
    } catch (err) {
      release();
      throw err;
    }
    try {
      return openSseConnection(c, { ...options, onTaskError: () => {}, onEnd: () => release() }, (connection) => {
        connections.track(connection);
        deliver = (event) => {
          if (event.type === 'invitation') connection.enqueue(() => connection.send({ event: 'invitation', data: invitationJson(event.invitation) }));
        };
        connection.onClose(unsubscribe);
        for (const event of early.splice(0)) deliver(event);
        connection.enqueue(() => connection.send({ event: 'ready', data: { presenceId } }));
      });
    } catch (err) {
      unsubscribe();
      release();
      throw err;
    }
  });

  app.post('/api/visitor/invitations/:id/dismiss', async (c) => {
    await guard(c);
    const { presenceId } = await presenceOf(c);
    await presence.dismiss(presenceId, c.req.param('id'));
    return c.body(null, 204);
  });

  app.post('/api/visitor/invitations/:id/accept', async (c) => {
    await guard(c);
    const { presenceId } = await presenceOf(c);
    return c.json({ invitation: invitationJson(await presence.accept(presenceId, c.req.param('id'))) });
  });

  app.get('/api/agent/visitors', requireAgent(), async (c) => {
    // Only the listed few are looked up (one database call each), never everyone online.
    const { visitors: listed, total } = await presence.list();
    const visitors: VisitorJson[] = [];
    for (const { conversationId, ...v } of listed) {
      visitors.push({ ...v, inChat: conversationId ? await inChat(conversationId) : false });
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ visitors, total });
  });

  app.post('/api/agent/visitors/:id/invite', requireAgent(), bodyLimit, async (c) => {
    const agent = c.var.agent;
    const body = parseBody(inviteSchema, c.req.header('content-length') === '0' ? {} : await readJsonBody(c), REPORT_FIELDS);
    let text: string | undefined;
    if (body.text != null) {
      text = cleanVisitorText(body.text) || undefined;
      if (text && [...text].length > MAX_INVITE_TEXT) throw new ValidationError('message_too_long', `text must be at most ${MAX_INVITE_TEXT} characters`, 'text');
    }
    const visitorId = c.req.param('id');
    const snapshot = await presence.get(visitorId);
    if (snapshot?.conversationId && (await inChat(snapshot.conversationId))) {
      throw new ConflictError('visitor-presence: this visitor is in a chat already', 'visitor_in_chat');
    }
    const invitation = await presence.invite(visitorId, { kind: 'agent', agentId: agent.id, agentName: agent.displayName }, text);
    return c.json({ invitation: invitationJson(invitation) });
  });

  app.get('/api/admin/invitation-rules', requireAgent('admin'), async (c) => c.json({ rules: await rules.list() }));

  app.put('/api/admin/invitation-rules', requireAgent('admin'), limitBody(64 * 1024, 'invitation rules'), async (c) => {
    const parsed = parseInvitationRules(await readJsonBody(c));
    // The new list and its audit row commit together.
    const saved = await deps.unitOfWork.withTransaction(async () => {
      const list = await rules.replace(parsed, clock());
      await deps.audit?.record(actorOf(c.var.agent), AuditAction.invitationRulesSaved, { type: 'invitation_rules', id: 'all' }, {
        rules: list.length,
        enabled: list.filter((r) => r.enabled).length,
      });
      return list;
    });
    return c.json({ rules: saved });
  });

  return app;
}

/** What the widget is told of an invitation: who (agent's name or the rule) and the words. */
export function invitationJson(i: Invitation) {
  return {
    id: i.id,
    from: i.from.kind,
    ...(i.from.kind === 'agent' ? { agentName: i.from.agentName } : {}),
    ...(i.text !== undefined ? { text: i.text } : {}),
    createdAt: i.createdAt,
    state: i.state,
  };
}

/** JSON from the widget, or a sendBeacon body (text/plain, no preflight). */
async function readReport(c: Context): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let body: unknown;
  if (type === 'text/plain') {
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new ValidationError('malformed_json', 'the request body is not valid JSON');
    }
  } else {
    body = await readJsonBody(c);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('invalid_body', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

const UNWANTED = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * An http(s) URL of at most MAX_PAGE_URL characters, kept as origin + path only: query strings and fragments
 * carry personal data (search terms, order numbers, tokens) and never reach agents or memory.
 */
function pageUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PAGE_URL) {
    throw new ValidationError('invalid_url', `url must be an http(s) URL of at most ${MAX_PAGE_URL} characters`, 'url');
  }
  let url: URL;
  try {
    url = new URL(value.replace(UNWANTED, ''));
  } catch {
    throw new ValidationError('invalid_url', 'url must be an http(s) URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('invalid_url', 'url must be an http(s) URL', 'url');
  return `${url.origin}${url.pathname}`;
}

/**
 * The source of a page's referrer: a search engine by name, another site by its host, or direct (none, the site's
 * own pages, or anything that is no http(s) address: `javascript:`, `android-app:`, garbage). Nothing else of
 * the referrer is kept: its path and query can carry search words.
 */
function referrerSource(referrer: string | null | undefined, page: string): VisitorSource {
  if (!referrer) return { kind: 'direct', name: null };
  const clean = referrer.replace(UNWANTED, '').trim();
  const { kind, name } = sourceOf(clean, page);
  // A host is at most 253 characters; anything the parser let through longer is no source worth showing.
  return name !== null && name.length > 253 ? { kind: 'direct', name: null } : { kind, name };
}

function pageTitle(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError('invalid_title', 'title must be a string', 'title');
  const clean = value.replace(UNWANTED, ' ').replace(/\s+/g, ' ').trim();
  if ([...clean].length > MAX_PAGE_TITLE) throw new ValidationError('title_too_long', `title must be at most ${MAX_PAGE_TITLE} characters`, 'title');
  return clean;
}
