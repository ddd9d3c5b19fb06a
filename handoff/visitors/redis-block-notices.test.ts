// Visitor blocks on two nodes: one PostgreSQL database (a pool each, as separate processes have), one Redis
// prefix, a RedisLink and a VisitorBlocks each. A block or lift committed through node B must be enforced by
// node A's in-memory gate within 1 s: by the notice, by the polled version when the notice is lost, and by the
// periodic reload when even the version was never written. Refused requests are counted once each, by the node
// that refused them.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openPostgres } from '../postgres/open.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { createPostgresUnitOfWork } from '../postgres/unit-of-work.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { createTestDatabase, describeWithServices, testRedisPrefix, testRedisUrl, type TestDatabase } from '../testing/services.ts';
import { createPostgresVisitorBlockStore } from './postgres-visitor-block-store.ts';
import { createVisitorBlocks, type VisitorBlocks, type VisitorBlocksOptions, type VisitorIdentity } from './visitor-blocks.ts';
import { createRedisBlockNotices, type RedisBlockNoticesOptions } from './redis-block-notices.ts';

let database: TestDatabase;
let prefix: string;
const pools: PgDb[] = [];
const links: RedisLink[] = [];
const nodes: VisitorBlocks[] = [];

beforeEach(async () => {
  database = await createTestDatabase();
  prefix = testRedisPrefix();
});
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop();
  await Promise.all(links.splice(0).map((l) => l.close()));
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await database.drop();
});

interface Node {
  blocks: VisitorBlocks;
  link: RedisLink;
  db: PgDb;
}

async function node(name: string, options: Partial<VisitorBlocksOptions> = {}, notices: Partial<RedisBlockNoticesOptions> = {}): Promise<Node> {
  const db = await openPostgres(database.url);
  pools.push(db);
  const link = createRedisLink(testRedisUrl(), { prefix, nodeId: name });
  links.push(link);
  const blocks = createVisitorBlocks(createPostgresVisitorBlockStore(db), createPostgresUnitOfWork(db), {
    notices: createRedisBlockNotices(link, notices),
    flushIntervalMs: 60_000,
    ...options,
  });
  await blocks.load();
  nodes.push(blocks);
  return { blocks, link, db };
}

const refuses = (blocks: VisitorBlocks, who: VisitorIdentity) => {
  try {
    blocks.check(who);
    return false;
  } catch {
    return true;
  }
};

/** Milliseconds until `blocks` answers `expected` for `who` (polled every 10 ms), or fails after `limitMs`. */
async function msUntil(blocks: VisitorBlocks, who: VisitorIdentity, expected: boolean, limitMs = 3000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (refuses(blocks, who) === expected) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not ${expected ? 'refused' : 'let through'} within ${limitMs} ms`);
}

describeWithServices('visitor blocks on two nodes', () => {
  it('a block and a lift made through node B are enforced by node A within 1 s (the notice)', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const unit = createPostgresUnitOfWork(b.db);
    expect(refuses(a.blocks, { ip: '203.0.113.50' })).toBe(false);
    // As the route does it: the block and its audit row in one unit; node B's gate changes after the commit.
    const block = await unit.withTransaction(() => b.blocks.block({ kind: 'ip', value: '203.0.113.0/24', createdBy: 'agent-b' }));
    expect(refuses(b.blocks, { ip: '203.0.113.50' })).toBe(true);
    expect(await msUntil(a.blocks, { ip: '203.0.113.50' }, true)).toBeLessThan(1000);
    await unit.withTransaction(() => b.blocks.lift(block.id, 'lead-b'));
    expect(await msUntil(a.blocks, { ip: '203.0.113.50' }, false)).toBeLessThan(1000);
  });

  it('still within 1 s when the notice is lost: node A polls the version', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    // Node A's subscription is gone (as while its subscriber reconnects): no notice reaches it.
    await a.link.subscriber.unsubscribe(a.link.key('blocks'));
    await b.blocks.block({ kind: 'visitor', value: 'visitor-lost-notice', createdBy: 'agent-b' });
    expect(await msUntil(a.blocks, { visitorId: 'visitor-lost-notice' }, true)).toBeLessThan(1000);
  });

  it('the periodic reload catches a change that was never announced', async () => {
    // Polling slowed down to a minute, so only the reload every 500 ms can find the change.
    const a = await node('node-a', { reloadIntervalMs: 500 }, { pollMs: 60_000 });
    // Written straight into the database: no notice, no version (a node that died between commit and notice).
    await createPostgresVisitorBlockStore(a.db).block({ kind: 'visitor', value: 'visitor-silent', createdBy: 'agent-x' }, new Date());
    expect(await msUntil(a.blocks, { visitorId: 'visitor-silent' }, true)).toBeLessThan(1000);
  });

  it('without notices or reloads, a change made elsewhere stays unseen (what the above guard against)', async () => {
    const a = await node('node-a', { reloadIntervalMs: 600_000 }, { pollMs: 60_000 });
    await a.link.subscriber.unsubscribe(a.link.key('blocks'));
    const b = await node('node-b');
    await b.blocks.block({ kind: 'visitor', value: 'visitor-unseen', createdBy: 'agent-b' });
    await expect(msUntil(a.blocks, { visitorId: 'visitor-unseen' }, true, 700)).rejects.toThrow(/not refused/);
  });

  it('counts each refused request once, on the node that refused it, across reloads', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const block = await b.blocks.block({ kind: 'ip', value: '198.51.100.77', createdBy: 'agent-b' });
    // The check that first finds the block on node A refuses (and counts) one request.
    await msUntil(a.blocks, { ip: '198.51.100.77' }, true);
    for (let i = 0; i < 7; i++) expect(refuses(a.blocks, { ip: '198.51.100.77' })).toBe(true);
    for (let i = 0; i < 5; i++) expect(refuses(b.blocks, { ip: '198.51.100.77' })).toBe(true);
    // Another change reloads node A's gate while its 8 hits are still in memory: they survive the reload.
    await b.blocks.block({ kind: 'visitor', value: 'visitor-other', createdBy: 'agent-b' });
    await msUntil(a.blocks, { visitorId: 'visitor-other' }, true);
    // Both nodes write, twice over: each adds what it counted since its last write, so 8 + 5, once.
    await Promise.all([a.blocks.flush(), b.blocks.flush()]);
    await Promise.all([a.blocks.flush(), b.blocks.flush()]);
    const row = await a.db.one<{ hits: number }>('SELECT hits FROM visitor_blocks WHERE id = $1', [block.id]);
    expect(row!.hits).toBe(13);
    expect(await a.blocks.summary()).toMatchObject({ active: 2, hits: 14 });
  });
});
