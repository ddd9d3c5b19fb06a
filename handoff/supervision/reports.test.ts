// The report queries: on SQLite they start from the conversations of the range through migration 009's index,
// not a scan; on both engines an empty range gives zeros and nulls; and PostgreSQL's translation of SQLite's date
// functions gives the same figures as SQLite on the same rows, in zones with odd offsets and across a DST change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../sqlite/db.ts';
import { addConversation, databases, describeEachEngine, postgresEngine, sqliteEngine, type EngineDb } from '../testing/engine-databases.ts';
import { describeWithServices } from '../testing/services.ts';
import { createSqliteReports } from './sqlite-reports.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'reports-'));
const db = openDatabase(dir);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads the range through conversations_by_created', () => {
  const plan = db
    .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM conversations AS c WHERE c.created_at >= ? AND c.created_at < ?")
    .all('2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z') as Array<{ detail: string }>;
  expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX conversations_by_created/);
});

it('answers an empty database with zeros and nulls', async () => {
  const r = await createSqliteReports(db).report({ from: new Date('2025-03-01T00:00:00Z'), to: new Date('2025-03-02T00:00:00Z') });
  expect(r.conversations).toBe(0);
  expect(r.containmentRate).toBeNull();
  expect(r.byHour).toEqual(new Array(24).fill(0));
});

describeEachEngine('reports on an empty range', (engine) => {
  const open = databases(engine);
  it('gives zeros and nulls, never NaN', async () => {
    const edb = await open();
    await addConversation(edb, 'outside', { created_at: '2025-03-05T00:00:00.000Z' });
    expect(await edb.stores.reports().report({ from: new Date('2025-03-01T00:00:00Z'), to: new Date('2025-03-02T00:00:00Z') })).toEqual({
      from: '2025-03-01T00:00:00.000Z',
      to: '2025-03-02T00:00:00.000Z',
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
});

/** A small deterministic PRNG (mulberry32): the same rows on both engines, and on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fixture {
  rows: Array<[table: string, row: Record<string, unknown>]>;
  /** Per conversation joined by an agent after its (latest) queue entry: when it started and the wait in ms. */
  waits: Array<{ createdAt: string; waitMs: number }>;
  count: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Conversations over 12 days (a New York DST change among them): bot-only chats, handoffs that never reached a
 * queue, queued chats still waiting, left, or joined (with an older join before the queue entry and a later one
 * after it, which must not count), held by one or two agents, closed with or without a rating.
 */
function fixture(): Fixture {
  const rand = random(16);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const rows: Fixture['rows'] = [];
  const waits: Fixture['waits'] = [];
  const agents = ['ag1', 'ag2', 'ag3', 'ag4'];
  const hash = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0';
  // ag4 held chats but has no account row: the report names it by id.
  for (const [id, name] of [['ag1', '客服小李'], ['ag2', 'Bob'], ['ag3', 'alice']] as const) {
    rows.push(['agents', { id, username: id, display_name: name, role: 'agent', groups: '["mobile"]', capacity: 3, disabled: 0, password_hash: hash,
      password_changed_at: iso(0), created_at: iso(0), updated_at: iso(0) }]);
  }
  const base = Date.parse('2025-03-01T00:00:00.000Z');
  const count = 70;
  for (let i = 0; i < count; i++) {
    const id = `c${String(i).padStart(3, '0')}`;
    const created = base + Math.floor(rand() * 12 * 86_400_000);
    const shape = rand();
    const conversation: Record<string, unknown> = { created_at: iso(created), updated_at: iso(created), status: pick(['bot', 'closed']) };
    const later: Fixture['rows'] = [];
    let t = created;
    const message = (author: string, kind: string | null, extra: Record<string, unknown> = {}) => {
      t += 1_000 + Math.floor(rand() * 20_000);
      later.push(['messages', { conversation_id: id, author, text: `${author} ${kind}`, kind, created_at: iso(t), ...extra }]);
    };
    for (let n = Math.floor(rand() * 4); n > 0; n--) {
      const kind = pick(['answer', 'answer', 'clarify', 'fallback', 'note']);
      message('bot', kind, kind === 'answer' && rand() < 0.9 ? { entry_id: pick(['a.one', 'b.two', 'c.three', 'd.four']), confidence: 0.9 } : {});
    }
    if (shape < 0.15) {
      // Told to leave a message: a handoff that never entered a queue.
      message('bot', 'handoff');
      if (rand() < 0.5) conversation.handoff_reason = 'requested';
    } else if (shape >= 0.55) {
      if (rand() < 0.3) message('system', 'agent_joined', { agent_id: pick(agents) }); // an earlier hold, before this queue entry
      const queuedAt = t + 500 + Math.floor(rand() * 30_000);
      t = queuedAt;
      conversation.queued_at = iso(queuedAt);
      conversation.handoff_reason = pick(['requested', 'complaint', 'low_confidence', null]);
      const fate = rand();
      if (fate < 0.2) {
        conversation.status = 'queued';
      } else if (fate < 0.35) {
        conversation.status = 'closed';
        later.push(['conversation_closures', { conversation_id: id, queued_at: iso(queuedAt), closed_at: iso(t + 60_000), closed_by: 'visitor' }]);
      } else {
        const waitMs = 1_000 + Math.floor(rand() * 300_000);
        waits.push({ createdAt: iso(created), waitMs });
        t = queuedAt + waitMs;
        later.push(['messages', { conversation_id: id, author: 'system', text: 'joined', kind: 'agent_joined', created_at: iso(t) }]);
        const holders = rand() < 0.3 ? [pick(agents), pick(agents)] : [pick(agents)];
        for (const agent of new Set(holders)) later.push(['conversation_agents', { agent_id: agent, conversation_id: id }]);
        message('agent', null, { agent_id: holders.at(-1) });
        if (rand() < 0.4) message('system', 'agent_joined'); // a transfer's join: not the first after the queue entry
        if (rand() < 0.3) {
          conversation.status = 'assigned';
        } else {
          conversation.status = 'closed';
          const rating = rand() < 0.6 ? 1 + Math.floor(rand() * 5) : null;
          later.push(['conversation_closures', {
            conversation_id: id, agent_id: holders.at(-1), queued_at: iso(queuedAt), closed_at: iso(t + 5_000), closed_by: 'agent',
            // Quarter seconds: exact in binary, so both engines' averages are the same double.
            handling_seconds: Math.floor(rand() * 2_400) / 4, rating,
          }]);
        }
      }
    }
    rows.push(['conversations', { id, token_hash: Buffer.alloc(32, i), lang: pick(['zh', 'en']), ...conversation }], ...later);
  }
  return { rows, waits, count };
}

describeWithServices('reports on PostgreSQL', () => {
  const openSqlite = databases(sqliteEngine);
  const openPostgres = databases(postgresEngine);

  async function seed(edb: EngineDb, rows: Fixture['rows']): Promise<void> {
    for (const [table, row] of rows) await edb.insert(table, row);
  }

  it('gives the same figures as SQLite on the same rows, over ranges and zones', async () => {
    const data = fixture();
    const [lite, pg] = [await openSqlite(), await openPostgres()];
    await seed(lite, data.rows);
    await seed(pg, data.rows);
    const day = (d: string, zone: string) => new Date(`${d}${zone}`);
    const cases: Array<{ from: Date; to: Date; timeZone: string; topEntries?: number }> = [
      { from: new Date('2025-02-28T00:00:00Z'), to: new Date('2025-03-14T00:00:00Z'), timeZone: 'Asia/Shanghai' },
      { from: new Date('2025-02-28T00:00:00Z'), to: new Date('2025-03-14T00:00:00Z'), timeZone: 'UTC', topEntries: 2 },
      { from: day('2025-03-03T00:00:00', '+08:00'), to: day('2025-03-04T00:00:00', '+08:00'), timeZone: 'Asia/Shanghai' },
      { from: day('2025-03-05T00:00:00', '+05:30'), to: day('2025-03-08T00:00:00', '+05:30'), timeZone: 'Asia/Kolkata' },
      { from: day('2025-03-02T00:00:00', '+13:45'), to: day('2025-03-09T00:00:00', '+13:45'), timeZone: 'Pacific/Chatham' },
      // New York moves from -05:00 to -04:00 on 9 March: both engines keep the offset of `from` for the whole range.
      { from: day('2025-03-08T00:00:00', '-05:00'), to: day('2025-03-11T00:00:00', '-04:00'), timeZone: 'America/New_York' },
      { from: day('2025-03-10T00:00:00', '-04:00'), to: day('2025-03-12T00:00:00', '-04:00'), timeZone: 'America/New_York' },
    ];
    // A range whose edges are two conversations' exact start times: the first is in, the second is out.
    const starts = data.rows.filter(([table]) => table === 'conversations').map(([, row]) => row.created_at as string).sort();
    cases.push({ from: new Date(starts[10]!), to: new Date(starts[40]!), timeZone: 'Asia/Shanghai' });

    let compared = 0;
    for (const c of cases) {
      const range = { from: c.from, to: c.to };
      const options = { timeZone: c.timeZone, ...(c.topEntries ? { topEntries: c.topEntries } : {}) };
      const expected = await lite.stores.reports(options).report(range);
      const actual = await pg.stores.reports(options).report(range);
      const label = `${c.timeZone} ${range.from.toISOString()}..${range.to.toISOString()}`;
      // SQLite's julianday arithmetic leaves dust (37.24999 s) that can round the average wait a tenth apart;
      // PostgreSQL's epoch arithmetic is exact: it must equal the waits the fixture chose, rounded.
      expect({ ...actual, avgWaitSeconds: 0 }, label).toEqual({ ...expected, avgWaitSeconds: 0 });
      const waits = data.waits.filter((w) => w.createdAt >= range.from.toISOString() && w.createdAt < range.to.toISOString());
      const exact = waits.length === 0 ? null : Math.round((waits.reduce((s, w) => s + w.waitMs, 0) / waits.length / 1000) * 10) / 10;
      expect(actual.avgWaitSeconds, label).toBe(exact);
      if (exact !== null) expect(Math.abs(expected.avgWaitSeconds! - exact), label).toBeLessThanOrEqual(0.1 + 1e-9);
      expect(actual.byHour.reduce((s, n) => s + n, 0), label).toBe(actual.conversations);
      if (actual.conversations > 0) compared++;
    }
    // The fixture really exercised the figures (a comparison of empty reports proves nothing).
    expect(compared).toBe(cases.length);
    const whole = await pg.stores.reports().report({ from: new Date('2025-02-28T00:00:00Z'), to: new Date('2025-03-14T00:00:00Z') });
    expect(whole.conversations).toBe(data.count);
    expect(whole.agents.map((a) => a.displayName)).toEqual(expect.arrayContaining(['客服小李', 'Bob', 'alice', 'ag4']));
    expect(whole.csat.count).toBeGreaterThan(0);
    expect(Object.keys(whole.handoffReasons)).toEqual(expect.arrayContaining(['requested', 'outside_hours', 'unknown']));
  });

  it('joins a caller\'s unit of work: the unit\'s own rows are counted', async () => {
    const pg = await openPostgres();
    await addConversation(pg, 'c1', { created_at: '2025-03-03T01:00:00.000Z' });
    const unit = pg.stores.unitOfWork();
    const reports = pg.stores.reports();
    const range = { from: new Date('2025-03-03T00:00:00Z'), to: new Date('2025-03-04T00:00:00Z') };
    // Inside a unit, the report sees the unit's own uncommitted row.
    const inside = await unit.withTransaction(async () => {
      await addConversation(pg, 'c2', { created_at: '2025-03-03T02:00:00.000Z' });
      return reports.report(range);
    });
    expect(inside.conversations).toBe(2);
    expect((await reports.report(range)).byHour).toEqual(Object.assign(new Array(24).fill(0), { 9: 1, 10: 1 }));
  });
});
