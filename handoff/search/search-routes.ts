// GET /api/agent/search: transcript search over the chats the caller may view (view-access.ts), every search audited.
import { Hono, type Context } from 'hono';
import { memoryRateLimiters, type RateLimiterFactory, type RateLimitOptions } from '../http/rate-limit.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { CONVERSATION_STATUSES, type ConversationStatus, type MessageAuthor } from '../conversations/conversation-store.ts';
import { ForbiddenError, ValidationError } from '../platform/errors.ts';
import { viewAccessOf, type ViewAccess } from '../conversations/view-access.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { makeSnippet } from './search-snippet.ts';
import { holdsUnstorableCharacters } from '../../knowledge/text/clean-text.ts';
import type { TranscriptQuery, TranscriptStore } from './transcript-store.ts';
import { nextDay, startOfZonedDay } from '../platform/zoned-day.ts';

export interface SearchOptions {
  /** Results per page when `limit` is not given. Range 1-200; default 50. */
  defaultLimit: number;
  /** Largest `limit` accepted. Range 1-200; default 200. */
  maxLimit: number;
  /** Time zone of date-only `from`/`to` values (a whole day there). Default Asia/Shanghai. */
  timeZone: string;
  /** Searches per agent, a token bucket (a short term scans messages); `off` with RATE_LIMITS=off. Default burst 20, then 2 per second. */
  rateLimit: RateLimitOptions | 'off';
}

export const defaultSearchOptions: SearchOptions = {
  defaultLimit: 50,
  maxLimit: 200,
  timeZone: 'Asia/Shanghai',
  rateLimit: { capacity: 20, refillPerSecond: 2 },
};

export interface SearchRoutesDeps {
  transcripts: TranscriptStore;
  requireAgent: RequireAgent;
  /** A row per search (who, how many terms and characters, how many hits; never the terms); none in tests that do not read it. */
  audit?: AuditLog;
  /** Where the per-agent buckets live (this process by default; Redis on several nodes). */
  rateLimiters?: RateLimiterFactory;
  /** The holders' display names for the results (the console shows names, never ids); without it results carry ids only. */
  agents?: { get(id: string): Promise<{ displayName: string } | undefined> };
  options?: Partial<SearchOptions>;
}

export interface SearchResult {
  conversationId: string;
  messageId: number;
  author: MessageAuthor;
  /** Plain text around the first match (never markup). */
  snippet: string;
  /** Where the terms are in `snippet` (UTF-16 offsets), for highlighting. */
  highlights: Array<{ start: number; length: number }>;
  createdAt: string;
  /** The conversation's current status. */
  status: ConversationStatus;
  /** Who holds the conversation (or held it last); the console shows their name. */
  agentId?: string;
  /** The same agent with their display name (their id when the account is gone). */
  agent?: { id: string; displayName: string };
}

/** Shortest query (code points): one character matches nearly everything and is no search. */
const MIN_QUERY_CHARS = 2;
const MAX_QUERY_CHARS = 200;
const MAX_TERMS = 8;
const MAX_AGENT_ID = 128;

export function searchRoutes({ transcripts, requireAgent, audit, rateLimiters = memoryRateLimiters, agents, options: overrides }: SearchRoutesDeps): Hono<AgentEnv> {
  const options: SearchOptions = { ...defaultSearchOptions, ...overrides };
  const limiter = options.rateLimit === 'off' ? undefined : rateLimiters('search', options.rateLimit);
  const app = new Hono<AgentEnv>();

  /**
   * ?q= (required; whitespace separates terms, all must occur) &from= &to= (yyyy-mm-dd days in the
   * configured zone, or ISO instants with Z or an offset; `to` is inclusive for a day, exclusive for an
   * instant) &agent= (admins: chats that agent held) &status= &before=<messageId> (next page) &limit=
   */
  app.get('/api/agent/search', requireAgent(), async (c) => {
    const agent = c.var.agent;
    const query = parseQuery(c, options, viewAccessOf(agent));
    const requested = c.req.query('agent');
    if (requested !== undefined && requested !== '') {
      if (requested.length > MAX_AGENT_ID) throw new ValidationError('invalid_agent', 'agent must be an agent id', 'agent');
      if (agent.role !== 'admin' && requested !== agent.id) {
        throw new ForbiddenError('search: agents search their own chats only; the agent filter is for admins');
      }
      query.heldBy = requested;
    }
    await limiter?.take(agent.id);

    const page = await transcripts.search(query);
    // A read of personal data: who searched, how much they asked and got. Never the terms (a phone number
    // searched for is the personal data itself), not even hashed: a short number's hash is easily reversed.
    await audit?.record(actorOf(agent), AuditAction.transcriptsSearched, { type: 'transcripts', id: query.heldBy ?? null }, {
      terms: query.terms.length,
      queryChars: [...query.terms.join(' ')].length,
      filters: (['from', 'to', 'status', 'before'] as const).filter((f) => query[f] !== undefined),
      results: page.hits.length,
      conversations: new Set(page.hits.map((h) => h.conversationId)).size,
      more: page.more,
    });
    // One look-up per agent on the page, not per hit.
    const names = new Map<string, string>();
    for (const id of new Set(page.hits.flatMap((h) => (h.agentId !== undefined ? [h.agentId] : [])))) {
      if (agents) names.set(id, (await agents.get(id))?.displayName ?? id);
    }
    const results: SearchResult[] = page.hits.map((hit) => {
      const snippet = makeSnippet(hit.text, query.terms);
      const name = hit.agentId !== undefined ? names.get(hit.agentId) : undefined;
      return {
        conversationId: hit.conversationId,
        messageId: hit.messageId,
        author: hit.author,
        snippet: snippet.text,
        highlights: snippet.highlights,
        createdAt: hit.createdAt,
        status: hit.status,
        ...(hit.agentId !== undefined ? { agentId: hit.agentId } : {}),
        ...(hit.agentId !== undefined && name !== undefined ? { agent: { id: hit.agentId, displayName: name } } : {}),
      };
    });
    c.header('Cache-Control', 'no-store');
    return c.json({ results, more: page.more });
  });

  return app;
}

function parseQuery(c: Context, options: SearchOptions, access: ViewAccess): TranscriptQuery {
  const q = (c.req.query('q') ?? '').trim();
  if (q === '') throw new ValidationError('missing_field', 'q is required', 'q');
  // Characters stored text never holds can match nothing, and a NUL breaks the FTS5 query.
  if (holdsUnstorableCharacters(q)) {
    throw new ValidationError('invalid_characters', 'q must not contain control characters, direction controls or unpaired surrogates', 'q');
  }
  const length = [...q].length;
  if (length < MIN_QUERY_CHARS || length > MAX_QUERY_CHARS) {
    throw new ValidationError('invalid_q', `q must be ${MIN_QUERY_CHARS} to ${MAX_QUERY_CHARS} characters`, 'q');
  }
  const terms = [...new Set(q.split(/\s+/u))];
  if (terms.length > MAX_TERMS) throw new ValidationError('invalid_q', `q may have at most ${MAX_TERMS} terms`, 'q');

  const query: TranscriptQuery = { terms, access, limit: options.defaultLimit };
  const from = c.req.query('from');
  if (from) query.from = parseInstant(from, 'from', options.timeZone, false);
  const to = c.req.query('to');
  if (to) query.to = parseInstant(to, 'to', options.timeZone, true);
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw new ValidationError('invalid_range', 'to must be later than from', 'to');
  }

  const status = c.req.query('status');
  if (status) {
    if (!(CONVERSATION_STATUSES as readonly string[]).includes(status)) {
      throw new ValidationError('invalid_status', `status must be one of ${CONVERSATION_STATUSES.join(', ')}`, 'status');
    }
    query.status = status as ConversationStatus;
  }
  const before = c.req.query('before');
  if (before) {
    if (!/^\d{1,15}$/.test(before)) throw new ValidationError('invalid_before', 'before must be a message id', 'before');
    query.before = Number(before);
  }
  const limit = c.req.query('limit');
  if (limit) {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= options.maxLimit)) {
      throw new ValidationError('invalid_limit', `limit must be an integer from 1 to ${options.maxLimit}`, 'limit');
    }
    query.limit = n;
  }
  return query;
}

/** A day (yyyy-mm-dd, in `timeZone`) or an instant with its offset, as the UTC ISO string messages are stored with. */
function parseInstant(value: string, field: string, timeZone: string, endOfDay: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = startOfZonedDay(endOfDay ? nextDayIfValid(value) : value, timeZone);
    if (start) return start.toISOString();
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    // Date.parse rolls 2025-02-30 over into March; a date that does not exist is a mistake to report.
    const t = startOfZonedDay(value.slice(0, 10), 'UTC') ? Date.parse(value) : NaN;
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new ValidationError(
    `invalid_${field}`,
    `${field} must be a date (yyyy-mm-dd, ${timeZone}) or an ISO 8601 time with Z or an offset`,
    field,
  );
}

/** `to=2025-03-31` means up to the end of that day: the start of the next (an invalid date stays invalid). */
function nextDayIfValid(date: string): string {
  return startOfZonedDay(date, 'UTC') ? nextDay(date) : date;
}
