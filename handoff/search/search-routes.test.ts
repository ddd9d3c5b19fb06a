// GET /api/agent/search through app.request(): who may see what, every filter, and bad input as 400s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from '../http/error-handler.ts';
import { silentLog } from '../testing/silent-log.ts';
import type { Agent } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { MessageAuthor } from '../conversations/conversation-store.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { UnauthorizedError } from '../platform/errors.ts';
import { searchRoutes, type SearchOptions } from './search-routes.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteTranscriptStore } from './sqlite-transcript-store.ts';
import { nextDay, startOfZonedDay } from '../platform/zoned-day.ts';
import type { AuditLog } from '../supervision/audit-log.ts';
import { createSqliteAuditLog } from '../supervision/sqlite-audit-log.ts';

const AGENTS: Record<string, Agent> = {
  a1: { id: 'a1', username: 'li', displayName: '小李', role: 'agent', groups: ['mobile'], capacity: 3, disabled: false },
  a2: { id: 'a2', username: 'wang', displayName: '小王', role: 'agent', groups: ['billing'], capacity: 3, disabled: false },
  boss: { id: 'boss', username: 'admin', displayName: '主管', role: 'admin', groups: [], capacity: 5, disabled: false },
};

/** Stand-in for the session middleware: `x-test-agent` names the agent. */
const requireAgent: RequireAgent = () => async (c, next) => {
  const agent = AGENTS[c.req.header('x-test-agent') ?? ''];
  if (!agent) throw new UnauthorizedError('sign in first');
  c.set('agent', agent);
  c.set('session', { id: `s-${agent.id}` });
  await next();
};

let dir: string;
let db: Db;
let app: Hono<AgentEnv>;
let c1: string;
let c2: string;
let c3: string;

function build(options: Partial<SearchOptions> = {}, audit?: AuditLog): Hono<AgentEnv> {
  const a = new Hono<AgentEnv>();
  a.route('/', searchRoutes({ transcripts: createSqliteTranscriptStore(db), requireAgent, agents: { get: async (id) => AGENTS[id] }, options, ...(audit ? { audit } : {}) }));
  a.onError(createErrorHandler(silentLog));
  return a;
}

function message(conversationId: string, text: string, createdAt: string, author: MessageAuthor = 'visitor'): void {
  db.prepare('INSERT INTO messages (conversation_id, author, text, created_at) VALUES (?, ?, ?, ?)').run(conversationId, author, text, createdAt);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'search-routes-'));
  db = openDatabase(dir);
  const store = createSqliteConversationStore(db);
  [c1, c2, c3] = await Promise.all([1, 2, 3].map(async () => (await store.createConversation({ lang: 'zh' })).conversation.id)) as [string, string, string];
  // c1: held by a1, then transferred to a2. c2: held by a2 only. c3: never assigned (bot only).
  message(c1, '我想查询话费余额', '2025-03-01T15:30:00.000Z'); // 2025-03-01 23:30 in Shanghai
  message(c1, '您的话费余额为 35.20 元', '2025-03-01T16:30:00.000Z', 'agent'); // 2025-03-02 00:30 in Shanghai
  message(c2, 'My broadband bill is wrong, 话费 too high', '2025-03-05T02:00:00.000Z');
  message(c3, '话费怎么交', '2025-03-06T02:00:00.000Z');
  const assign = db.prepare("UPDATE conversations SET agent_id = ?, status = 'assigned' WHERE id = ?");
  assign.run('a1', c1);
  assign.run('a2', c1);
  assign.run('a2', c2);
  db.prepare("UPDATE conversations SET status = 'closed' WHERE id = ?").run(c1);
  app = build();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(query: string, agent = 'a1', a: Hono<AgentEnv> = app) {
  const res = await a.request(`/api/agent/search?${query}`, { headers: { 'x-test-agent': agent } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const texts = (json: any) => json.results.map((r: any) => r.snippet);
const q = (s: string) => `q=${encodeURIComponent(s)}`;

describe('who sees what', () => {
  // The rule of GET /api/agent/conversations/:id (view-access.ts): an agent sees the chats they hold now and
  // those waiting in their groups; having held one before a transfer or a close gives no access to it.
  it('an agent searches the chats they may view now (held, or waiting in their groups), an admin every chat', async () => {
    // c1 was a1's, then a2's, and is closed: neither agent may view it any more.
    expect(texts((await get(q('话费'), 'a1')).json)).toEqual([]);
    const mine = await get(q('话费'), 'a2');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(texts(mine.json)).toEqual(['My broadband bill is wrong, 话费 too high']);
    expect(texts((await get(q('话费'), 'boss')).json)).toHaveLength(4);
    // c3 now waits in a1's group: a1 may open it, so a1 finds it; a2 (billing) does not.
    db.prepare("UPDATE conversations SET status = 'queued', group_id = 'mobile' WHERE id = ?").run(c3);
    expect(texts((await get(q('话费'), 'a1')).json)).toEqual(['话费怎么交']);
    expect(texts((await get(q('话费'), 'a2')).json)).toEqual(['My broadband bill is wrong, 话费 too high']);
  });

  it('the agent filter is the admins’: an agent may only name themselves', async () => {
    // For admins it names every chat that agent ever held.
    expect(texts((await get(`${q('话费')}&agent=a1`, 'boss')).json)).toHaveLength(2);
    expect(texts((await get(`${q('话费')}&agent=a2`, 'boss')).json)).toHaveLength(3);
    // For an agent it narrows what they may view to what they held: never more.
    expect(texts((await get(`${q('话费')}&agent=a1`, 'a1')).json)).toHaveLength(0);
    expect(texts((await get(`${q('话费')}&agent=a2`, 'a2')).json)).toHaveLength(1);
    const other = await get(`${q('话费')}&agent=a2`, 'a1');
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe('forbidden');
  });

  it('needs a signed-in agent', async () => {
    const res = await app.request(`/api/agent/search?${q('话费')}`);
    expect(res.status).toBe(401);
  });
});

describe('the audit log', () => {
  it('has a row per search: who, how many terms, characters and hits, which filters; never the terms', async () => {
    const audit = createSqliteAuditLog(db);
    const audited = build({}, audit);
    expect((await get(`${q('话费 wrong')}&from=2025-03-01`, 'a2', audited)).status).toBe(200);
    expect((await get(`${q('余额')}&agent=a1&status=closed`, 'boss', audited)).status).toBe(200);
    // Refused searches read nothing and leave no row.
    expect((await get('q=ab%00c', 'a2', audited)).status).toBe(400);
    const rows = await audit.list();
    expect(rows.map(({ actor, action, target, details }) => ({ actor: actor.id, action, target, details }))).toEqual([
      {
        actor: 'boss', action: 'transcripts.searched', target: { type: 'transcripts', id: 'a1' },
        details: { terms: 1, queryChars: 2, filters: ['status'], results: 2, conversations: 1, more: false },
      },
      {
        actor: 'a2', action: 'transcripts.searched', target: { type: 'transcripts', id: null },
        details: { terms: 2, queryChars: 8, filters: ['from'], results: 1, conversations: 1, more: false },
      },
    ]);
    const stored = db.prepare('SELECT group_concat(details) FROM audit_log').pluck().get() as string;
    for (const term of ['话费', 'wrong', '余额']) expect(stored).not.toContain(term);
  });
});

describe('results', () => {
  it('carry conversation, message, snippet with highlights, time, status and the (last) holder', async () => {
    const { json } = await get(q('余额 话费'), 'boss');
    expect(json.more).toBe(false);
    expect(json.results).toHaveLength(2);
    const [hit] = json.results;
    expect(hit).toEqual({
      conversationId: c1,
      messageId: expect.any(Number),
      author: 'agent',
      snippet: '您的话费余额为 35.20 元',
      highlights: [
        { start: 2, length: 2 },
        { start: 4, length: 2 },
      ],
      createdAt: '2025-03-01T16:30:00.000Z',
      status: 'closed',
      agentId: 'a2',
      agent: { id: 'a2', displayName: '小王' },
    });
  });

  it('name the holder by display name, or by id once the account is gone, and carry none for a bot-only chat', async () => {
    db.prepare("UPDATE conversations SET agent_id = 'gone' WHERE id = ?").run(c2);
    const { json } = await get(q('话费'), 'boss');
    const byConversation = new Map(json.results.map((r: any) => [r.conversationId, r.agent]));
    expect(byConversation.get(c1)).toEqual({ id: 'a2', displayName: '小王' });
    expect(byConversation.get(c2)).toEqual({ id: 'gone', displayName: 'gone' });
    expect(byConversation.get(c3)).toBeUndefined();
  });

  it('match English case-insensitively and mixed with Chinese', async () => {
    const { json } = await get(q('BROADBAND 话费'), 'boss');
    expect(json.results.map((r: any) => r.conversationId)).toEqual([c2]);
    expect(json.results[0].highlights).toEqual([
      { start: 3, length: 9 },
      { start: 28, length: 2 },
    ]);
  });

  it('filter by days in Asia/Shanghai or by instants, by status, and page with before', async () => {
    // 16:30 UTC on 1 March is already 2 March in Shanghai.
    expect(texts((await get(`${q('话费')}&from=2025-03-02&to=2025-03-02`, 'boss')).json)).toEqual(['您的话费余额为 35.20 元']);
    expect(texts((await get(`${q('话费')}&to=2025-03-01`, 'boss')).json)).toEqual(['我想查询话费余额']);
    expect(texts((await get(`${q('话费')}&from=2025-03-01T16:00:00Z&to=2025-03-05T10:00:00.001%2B08:00`, 'boss')).json)).toEqual([
      'My broadband bill is wrong, 话费 too high',
      '您的话费余额为 35.20 元',
    ]);
    // `to` as an instant is exclusive.
    expect(texts((await get(`${q('话费')}&from=2025-03-04T00:00:00Z&to=2025-03-05T10:00:00%2B08:00`, 'boss')).json)).toEqual([]);
    expect(texts((await get(`${q('话费')}&status=bot`, 'boss')).json)).toEqual(['话费怎么交']);

    const first = await get(`${q('话费')}&limit=3`, 'boss');
    expect(first.json.more).toBe(true);
    const last = first.json.results.at(-1).messageId;
    const second = await get(`${q('话费')}&limit=3&before=${last}`, 'boss');
    expect(second.json).toMatchObject({ more: false, results: [{ snippet: '我想查询话费余额' }] });
  });
});

describe('bad input', () => {
  it.each([
    ['', 'missing_field', 'q'],
    [q('   '), 'missing_field', 'q'],
    [q('话'), 'invalid_q', 'q'],
    [q('x'.repeat(201)), 'invalid_q', 'q'],
    [q('a b c d e f g h i'), 'invalid_q', 'q'],
    [`${q('话费')}&from=yesterday`, 'invalid_from', 'from'],
    [`${q('话费')}&from=2025-02-30`, 'invalid_from', 'from'],
    [`${q('话费')}&to=2025-02-30T10:00:00Z`, 'invalid_to', 'to'],
    [`${q('话费')}&to=2025-03-01T10:00:00`, 'invalid_to', 'to'],
    [`${q('话费')}&from=2025-03-02&to=2025-03-01`, 'invalid_range', 'to'],
    [`${q('话费')}&status=open`, 'invalid_status', 'status'],
    [`${q('话费')}&limit=0`, 'invalid_limit', 'limit'],
    [`${q('话费')}&limit=201`, 'invalid_limit', 'limit'],
    [`${q('话费')}&limit=ten`, 'invalid_limit', 'limit'],
    [`${q('话费')}&before=-5`, 'invalid_before', 'before'],
    [`${q('话费')}&agent=${'x'.repeat(129)}`, 'invalid_agent', 'agent'],
    // Characters stored text never holds (cleanVisitorText strips them); a NUL used to break the FTS5 query (500).
    ['q=ab%00c', 'invalid_characters', 'q'],
    ['q=%00%00', 'invalid_characters', 'q'],
    ['q=a%00', 'invalid_characters', 'q'], // short term: the LIKE path
    ['q=ab%01cd', 'invalid_characters', 'q'],
    ['q=ab%0Bcd', 'invalid_characters', 'q'],
    ['q=ab%1Bcd', 'invalid_characters', 'q'],
    ['q=ab%7Fcd', 'invalid_characters', 'q'],
    ['q=ab%C2%85cd', 'invalid_characters', 'q'], // C1 (NEL)
    ['q=ab%E2%80%AEcd', 'invalid_characters', 'q'], // right-to-left override
    ['q=ab%E2%81%A6cd', 'invalid_characters', 'q'], // left-to-right isolate
  ])('%s -> 400 %s', async (query, code, field) => {
    const { status, json } = await get(query, 'boss');
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code, field });
  });

  it('tab and line breaks separate terms; a percent sequence that is not UTF-8 stays text', async () => {
    expect(texts((await get('q=%E4%BD%99%E9%A2%9D%09%E8%AF%9D%E8%B4%B9', 'boss')).json)).toHaveLength(2); // 余额<TAB>话费
    expect(texts((await get('q=%E4%BD%99%E9%A2%9D%0D%0A%E8%AF%9D%E8%B4%B9', 'boss')).json)).toHaveLength(2);
    for (const raw of ['q=%FFab', 'q=%ED%A0%80ab']) {
      const { status, json } = await get(raw, 'boss');
      expect(status, raw).toBe(200);
      expect(json.results).toEqual([]);
    }
  });

  it('query syntax is text, never an error', async () => {
    for (const s of ['"unbalanced', 'NEAR(话费', 'a* OR b', '100%_', 'x\\y', '-- ;DROP']) {
      const { status, json } = await get(q(s), 'boss');
      expect(status).toBe(200);
      expect(json.results).toEqual([]);
    }
  });

  it('is rate limited per agent', async () => {
    const limited = build({ rateLimit: { capacity: 2, refillPerSecond: 0.01 } });
    expect((await get(q('话费'), 'a1', limited)).status).toBe(200);
    expect((await get(q('话费'), 'a1', limited)).status).toBe(200);
    const third = await get(q('话费'), 'a1', limited);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await get(q('话费'), 'a2', limited)).status).toBe(200);
  });
});

describe('zoned days', () => {
  it('start at local midnight, across DST changes too', () => {
    expect(startOfZonedDay('2025-03-02', 'Asia/Shanghai')!.toISOString()).toBe('2025-03-01T16:00:00.000Z');
    expect(startOfZonedDay('2025-03-02', 'UTC')!.toISOString()).toBe('2025-03-02T00:00:00.000Z');
    // New York: EST (-5) before 9 March 2025, EDT (-4) on the day after.
    expect(startOfZonedDay('2025-03-09', 'America/New_York')!.toISOString()).toBe('2025-03-09T05:00:00.000Z');
    expect(startOfZonedDay('2025-03-10', 'America/New_York')!.toISOString()).toBe('2025-03-10T04:00:00.000Z');
    expect(startOfZonedDay('2025-02-29', 'UTC')).toBeUndefined();
    expect(startOfZonedDay('2024-02-29', 'UTC')).toBeDefined();
    expect(nextDay('2024-12-31')).toBe('2025-01-01');
  });
});
