// The leader lease on a real Redis: three links with their own node ids on one prefix are three nodes.
import { afterEach, expect, it } from 'vitest';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import { createRedisLink, type RedisLink } from './redis-link.ts';
import { createLeaderLease, type LeaderLease } from './leader-lease.ts';

const TTL = 600;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Node {
  id: string;
  link: RedisLink;
  lease: LeaderLease;
}

async function cluster(size: number): Promise<Node[]> {
  const prefix = testRedisPrefix();
  const nodes = [...Array(size).keys()].map((i) => {
    const id = `node-${i}`;
    const link = createRedisLink(testRedisUrl(), { prefix, nodeId: id });
    const lease = createLeaderLease(link, {}, { ttlMs: TTL });
    cleanups.push(async () => {
      await lease.stop().catch(() => {});
      await link.close();
    });
    return { id, link, lease };
  });
  await Promise.all(nodes.map((n) => n.lease.start()));
  return nodes;
}

const leaders = (nodes: Node[]) => nodes.filter((n) => n.lease.isLeader()).map((n) => n.id);

/** Samples every 10 ms until `check` holds, failing if two nodes ever both think they lead. */
async function watch(nodes: Node[], check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    expect(leaders(nodes).length).toBeLessThanOrEqual(1);
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

describeWithServices('leader lease', () => {
  it('exactly one of three nodes leads, and keeps leading while it renews', async () => {
    const nodes = await cluster(3);
    expect(leaders(nodes)).toHaveLength(1);
    const first = leaders(nodes)[0];
    // Several TTLs: renewals at a third of the TTL keep the same leader, and nobody else ever claims it.
    const until = Date.now() + TTL * 4;
    while (Date.now() < until) {
      expect(leaders(nodes)).toEqual([first]);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await nodes[0]!.link.command.get(nodes[0]!.link.key('leader'))).toBe(first);
  });

  it('another node takes over once the leader stops renewing (its connection cut), never two at once', async () => {
    const nodes = await cluster(3);
    const leader = nodes.find((n) => n.lease.isLeader())!;
    // As a kill -9 or a network cut: no renewal, no release.
    leader.link.command.disconnect();
    const others = nodes.filter((n) => n !== leader);
    const took = await watch(nodes, () => others.some((n) => n.lease.isLeader()), TTL * 3);
    // The old lease had to run out first (up to one TTL), then the next try of another node (a third of it).
    expect(took).toBeLessThanOrEqual(TTL + TTL / 3 + 500);
    // The cut-off node stopped believing it leads once its last renewal ran out.
    expect(leader.lease.isLeader()).toBe(false);
    expect(leaders(others)).toHaveLength(1);
  });

  it('a node that stops gives the lease up at once', async () => {
    const nodes = await cluster(3);
    const leader = nodes.find((n) => n.lease.isLeader())!;
    await leader.lease.stop();
    expect(leader.lease.isLeader()).toBe(false);
    const others = nodes.filter((n) => n !== leader);
    // Well under the TTL: the key is gone, so the next try (a third of the TTL) takes it.
    const took = await watch(nodes, () => others.some((n) => n.lease.isLeader()), TTL);
    expect(took).toBeLessThan(TTL);
  });
});
