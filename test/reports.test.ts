// Report figures on a seeded SQLite database: conversations answered by the bot, fallbacks, handoffs with
// reasons, agents taking and closing at known times (the routing kit's clock), ratings; every figure asserted
// exactly, the range edges, empty ranges, admin-only access and the CSV download with injection escaped.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErrorHandler, notFoundHandler } from '../handoff/http/error-handler.ts';
import { createLogger } from '../bot/server/logger.ts';
import type { Agent } from '../handoff/agents/agent.ts';
import type { AgentEnv } from '../handoff/agents/agent-env.ts';
import { reportRoutes } from '../handoff/supervision/report-routes.ts';
import { type Report } from '../handoff/supervision/reports.ts';
import { createSqliteReports } from '../handoff/supervision/sqlite-reports.ts';
import { headerRequireAgent, routingKit, type RoutingKit } from '../handoff/testing/routing-test-kit.ts';
import { createSqliteAgentStore } from '../handoff/agents/sqlite-agent-store.ts';

/** Beijing wall-clock time on 2025-03-03 as a Date (UTC+8). */
const bj = (hhmmss: string) => new Date(`2025-03-03T${hhmmss}+08:00`);
const RANGE = 'from=2025-03-03&to=2025-03-04';

let kit: RoutingKit;
let app: Hono<AgentEnv>;
let alice: Agent;
let bob: Agent;

async function at(time: Date, work: () => Promise<unknown>) {
  kit.time.set(time);
  await work();
}

/** A conversation started at `time` whose bot replies are `replies` (kind or kind:entry), one visitor turn each. */
async function botChat(time: Date, replies: string[]): Promise<string> {
  kit.time.set(time);
  const reply = (r: string) => {
    const [kind, entryId] = r.split(':') as [string, string | undefined];
    return { author: 'bot' as const, text: `reply ${r}`, kind, confidence: kind === 'answer' ? 0.9 : 0.2, ...(entryId ? { entryId } : {}) };
  };
  const [first, ...rest] = replies;
  const { conversation } = await kit.conversations.createConversation({ lang: 'zh', firstTurn: { visitorText: 'q0', reply: reply(first!) } });
  for (const [i, r] of rest.entries()) await kit.conversations.appendTurn(conversation.id, { visitorText: `q${i + 1}`, reply: reply(r) });
  return conversation.id;
}

/** The bot hands the conversation to the queue now (a chat turn's handoff), as routing is told. */
async function handoff(id: string, reason: string) {
  await kit.conversations.appendTurn(id, {
    visitorText: '转人工',
    reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
    handoff: { reason, decision: {}, group: 'mobile' },
  });
  await kit.routing.enqueued(id);
}

async function get(path: string, agent = 'boss') {
  const res = await app.request(path, { headers: { 'x-agent': agent } });
  return res;
}

async function report(query: string): Promise<Report> {
  const res = await get(`/api/admin/reports?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

beforeAll(async () => {
  kit = routingKit({ start: bj('09:00:00') });
  // Agents exist in the agents table (display names) and in the routing kit's directory under the same id.
  const store = createSqliteAgentStore(kit.db, { clock: kit.time.clock });
  const hash = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0';
  const a = await store.create({ username: 'alice', displayName: '客服小李', role: 'agent', groups: ['mobile'], capacity: 3, passwordHash: hash });
  // A display name typed to attack whoever opens the CSV in a spreadsheet.
  const b = await store.create({ username: 'bob', displayName: '=HYPERLINK("http://evil.example","x")', role: 'agent', groups: ['mobile'], capacity: 3, passwordHash: hash });
  alice = kit.agents.add({ id: a.id, displayName: a.displayName });
  bob = kit.agents.add({ id: b.id, displayName: b.displayName });
  kit.agents.add({ id: 'boss', role: 'admin' });
  kit.agents.add({ id: 'carol', role: 'agent' });

  // Outside the range: 1 ms before it starts, and exactly at its (exclusive) end.
  await botChat(new Date(bj('00:00:00').getTime() - 1), ['answer:a.one']);
  await botChat(new Date('2025-03-04T00:00:00+08:00'), ['answer:a.one']);

  // C1, C2: the bot alone (contained). 3 + 2 replies, 2 fallbacks, answers a.one ×2, b.two ×1.
  await botChat(bj('10:00:00'), ['answer:a.one', 'answer:a.one', 'fallback']);
  await botChat(bj('10:30:00'), ['answer:b.two', 'fallback']);

  // C3: a fallback, then the bot hands off (low_confidence); alice waits 60 s, handles 300 s, rated 5.
  const c3 = await botChat(bj('11:00:00'), ['fallback']);
  await handoff(c3, 'low_confidence');
  await at(bj('11:01:00'), () => kit.routing.take(c3, alice));
  await at(bj('11:06:00'), () => kit.routing.close(c3, { kind: 'agent', agent: alice }));
  await at(bj('11:07:00'), () => kit.routing.rate(c3, { score: 5 }));

  // C9: requested at once; alice takes it after 30 s and closes after 60 s; no rating.
  const c9 = await botChat(bj('12:00:00'), ['handoff']);
  await kit.conversations.appendTurn(c9, { visitorText: '人工', handoff: { reason: 'requested', decision: {}, group: 'mobile' } });
  await kit.routing.enqueued(c9);
  await at(bj('12:00:30'), () => kit.routing.take(c9, alice));
  await at(bj('12:01:30'), () => kit.routing.close(c9, { kind: 'agent', agent: alice }));

  // C4: requested; bob waits 120 s, handles 600 s, rated 3.
  kit.time.set(bj('14:00:00'));
  const c4 = (await kit.conversations.createConversation({ lang: 'zh' })).conversation.id;
  await handoff(c4, 'requested');
  await at(bj('14:02:00'), () => kit.routing.take(c4, bob));
  await at(bj('14:12:00'), () => kit.routing.close(c4, { kind: 'agent', agent: bob }));
  await at(bj('14:13:00'), () => kit.routing.rate(c4, { score: 3 }));

  // C5: requested, then the visitor leaves the queue before anyone joins: ended without a person.
  kit.time.set(bj('15:00:00'));
  const c5 = (await kit.conversations.createConversation({ lang: 'zh' })).conversation.id;
  await handoff(c5, 'requested');
  await at(bj('15:05:00'), () => kit.routing.close(c5, { kind: 'visitor' }));

  // C6: a complaint still waiting when the report runs.
  kit.time.set(bj('16:00:00'));
  const c6 = (await kit.conversations.createConversation({ lang: 'zh' })).conversation.id;
  await handoff(c6, 'complaint');

  // C7: asked for a person when nobody could take it (outside hours): told to leave a message, never
  // queued. It is a handoff all the same.
  await botChat(bj('17:00:00'), ['answer:a.one', 'handoff']);

  kit.time.set(new Date('2025-03-04T10:00:00+08:00'));
  app = new Hono<AgentEnv>();
  app.route('/', reportRoutes({ reports: createSqliteReports(kit.db), requireAgent: headerRequireAgent(kit.agents), clock: kit.time.clock }));
  app.onError(createErrorHandler(createLogger({ level: 'silent' })));
  app.notFound(notFoundHandler);
}, 30_000);

afterAll(() => kit?.close());

describe('GET /api/admin/reports', () => {
  it('gives every figure of the seeded day exactly', async () => {
    const r = await report(RANGE);
    const byHour = new Array(24).fill(0);
    Object.assign(byHour, { 10: 2, 11: 1, 12: 1, 14: 1, 15: 1, 16: 1, 17: 1 });
    expect(r).toEqual({
      from: '2025-03-02T16:00:00.000Z',
      to: '2025-03-03T16:00:00.000Z',
      conversations: 8,
      // C1, C2 (bot only). C5 left the queue before anyone joined and C7 found nobody: both were handed off.
      containmentRate: 2 / 8,
      // C3, C9, C4, C5, C6, C7.
      handoffRate: 6 / 8,
      handoffReasons: { requested: 3, low_confidence: 1, complaint: 1, outside_hours: 1 },
      // 13 bot replies (3 + 2 + 2 + 1 + 1 + 1 + 1 + 2), 3 of them fallbacks; system notes of routing do not count.
      fallbackRate: 3 / 13,
      avgWaitSeconds: (60 + 30 + 120) / 3,
      avgHandleSeconds: (300 + 60 + 600) / 3,
      csat: { average: 4, count: 2 },
      byHour,
      topEntries: [{ entryId: 'a.one', count: 3 }, { entryId: 'b.two', count: 1 }],
      agents: [
        { id: alice.id, displayName: '客服小李', conversations: 2, avgHandleSeconds: 180, csat: { average: 5, count: 1 } },
        { id: bob.id, displayName: '=HYPERLINK("http://evil.example","x")', conversations: 1, avgHandleSeconds: 600, csat: { average: 3, count: 1 } },
      ],
      // Started in process: no user agent or referrer stored (test/report-visitors.test.ts has real ones).
      visitors: { browsers: [{ name: 'unknown', count: 8 }], systems: [{ name: 'unknown', count: 8 }], sources: [{ kind: 'direct', name: null, count: 8 }] },
    });
    expect(r.byHour).toHaveLength(24);
  });

  it('includes from and excludes to, to the millisecond', async () => {
    const r = await report(`from=${encodeURIComponent(bj('10:00:00').toISOString())}&to=${encodeURIComponent('2025-03-03T10:30:00+08:00')}`);
    expect(r.conversations).toBe(1);
    expect(r.topEntries).toEqual([{ entryId: 'a.one', count: 2 }]);
    expect(r.fallbackRate).toBe(1 / 3);
    // Both chats just outside the day are counted once the range covers them.
    const wide = await report('from=2025-03-02&to=2025-03-05');
    expect(wide.conversations).toBe(10);
    expect(wide.topEntries[0]).toEqual({ entryId: 'a.one', count: 5 });
  });

  it('gives zeros and nulls, never NaN, for a range without conversations', async () => {
    const r = await report('from=2025-03-10&to=2025-03-11');
    expect(r).toEqual({
      from: '2025-03-09T16:00:00.000Z',
      to: '2025-03-10T16:00:00.000Z',
      conversations: 0,
      containmentRate: null,
      handoffRate: null,
      handoffReasons: {},
      fallbackRate: null,
      avgWaitSeconds: null,
      avgHandleSeconds: null,
      csat: { average: null, count: 0 },
      byHour: new Array(24).fill(0),
      topEntries: [],
      agents: [],
      visitors: { browsers: [], systems: [], sources: [] },
    });
  });

  it('defaults to the 7 days before now', async () => {
    const r = await report('');
    expect(r.to).toBe('2025-03-04T02:00:00.000Z');
    expect(r.from).toBe('2025-02-25T02:00:00.000Z');
    expect(r.conversations).toBe(10);
  });

  it('refuses bad values with 400 naming the field', async () => {
    const cases: Array<[string, string, string]> = [
      ['from=yesterday', 'from', 'invalid_from'],
      ['from=2025-02-30', 'from', 'invalid_from'],
      ['to=2025-03-03T25:00:00Z', 'to', 'invalid_to'],
      ['from=2025-03-03T10:00:00', 'from', 'invalid_from'],
      ['from=2025-03-04&to=2025-03-04', 'to', 'invalid_range'],
      ['from=2025-03-05&to=2025-03-04', 'to', 'invalid_range'],
      ['from=2024-01-01&to=2025-03-04', 'from', 'range_too_long'],
    ];
    for (const [query, field, code] of cases) {
      const res = await get(`/api/admin/reports?${query}`);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; field: string } };
      expect(body.error, query).toMatchObject({ code, field });
      expect((await get(`/api/admin/reports.csv?${query}`)).status, query).toBe(400);
    }
    // 366 days is the longest range allowed.
    expect((await get('/api/admin/reports?from=2024-03-03&to=2025-03-04')).status).toBe(200);
  });

  it('answers 403 to an agent and 401 without a session', async () => {
    for (const path of [`/api/admin/reports?${RANGE}`, `/api/admin/reports.csv?${RANGE}`]) {
      expect((await get(path, 'carol')).status).toBe(403);
      expect((await app.request(path)).status).toBe(401);
    }
  });
});

describe('GET /api/admin/reports.csv', () => {
  it('downloads the same figures as CSV, formulas escaped', async () => {
    const res = await get(`/api/admin/reports.csv?${RANGE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report-2025-03-02-2025-03-03.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A byte-order mark first (spreadsheets then read UTF-8); Response.text() would drop it silently.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
    expect(text.startsWith('figure,value\r\n')).toBe(true);
    const lines = text.split('\r\n');
    expect(lines).toContain('conversations,8');
    expect(lines).toContain(`fallbackRate,${3 / 13}`);
    expect(lines).toContain('avgWaitSeconds,70');
    expect(lines).toContain('csatAverage,4');
    expect(lines).toContain('10,2');
    expect(lines).toContain('requested,3');
    expect(lines).toContain('a.one,3');
    expect(lines).toContain(`${alice.id},客服小李,2,180,5,1`);
    // The apostrophe keeps the spreadsheet from running it; the quotes keep the commas inside one cell.
    expect(lines).toContain(`${bob.id},"'=HYPERLINK(""http://evil.example"",""x"")",1,600,3,1`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
  });
});
