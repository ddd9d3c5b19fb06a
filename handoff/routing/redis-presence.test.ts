// Agent presence across nodes on a real Redis: each node is its own RedisLink (own node id, one prefix) with a
// started Redis coordination, as the server runs them. Timings are shortened (heartbeat 100 ms, node TTL 400 ms,
// grace 600 ms, leader sweep 50 ms) so that "after the TTL and the grace" is about a second.
import { afterEach, expect, it } from 'vitest';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { createRedisCoordination, type RedisCoordination } from '../coordination-redis.ts';
import type { RedisPresence } from './redis-presence.ts';
import type { AgentStatus } from '../agents/agent.ts';

const GRACE = 600;
const TTL = 400;

const cleanups: Array<() => Promise<void>> = [];
/** Every node's changes in the order their listeners ran. */
const journal: Array<{ node: string; change: string }> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  journal.length = 0;
});

interface Node {
  id: string;
  link: RedisLink;
  coordination: RedisCoordination;
  presence: RedisPresence;
  /** `agent:previous->status` for each change whose listeners ran on this node. */
  changes: string[];
  /** `agent:status` of every presence event this node's hub delivered on `queue`. */
  events: string[];
}

async function startNode(prefix: string, id: string, { createAfterStart = false } = {}): Promise<Node> {
  const link = createRedisLink(testRedisUrl(), { prefix, nodeId: id });
  const coordination = createRedisCoordination(link, {
    presenceGraceMs: GRACE,
    heartbeatMs: 100,
    nodeTtlMs: TTL,
    leaseTtlMs: 600,
    presenceSweepMs: 50,
    presenceRefreshMs: 1000,
  });
  const node = { id, link, coordination, changes: [] as string[], events: [] as string[] } as Node;
  const create = () => {
    node.presence = coordination.createPresence({ hub: coordination.hub }, {});
    node.presence.onChange((agentId, status, previous) => {
      node.changes.push(`${agentId}:${previous}->${status}`);
      journal.push({ node: id, change: `${agentId}:${previous}->${status}` });
    });
  };
  coordination.hub.subscribe('queue', (e) => {
    if (e.type === 'presence') node.events.push(`${e.agentId}:${e.status}`);
  });
  if (!createAfterStart) create();
  await coordination.start();
  if (createAfterStart) {
    // The server's order: the coordination is started, then the handoff services create the presence.
    create();
    await coordination.ready();
  }
  cleanups.push(async () => {
    node.presence.close();
    await coordination.stop();
    await link.close();
  });
  return node;
}

/** Three nodes; the first started holds the lease (the others find it taken). */
async function cluster(size = 3): Promise<Node[]> {
  const prefix = testRedisPrefix();
  const nodes: Node[] = [];
  for (let i = 0; i < size; i++) nodes.push(await startNode(prefix, `node-${String.fromCharCode(97 + i)}`));
  expect(nodes[0]!.coordination.isLeader()).toBe(true);
  return nodes;
}

/** As kill -9: no more heartbeat, no renewal, no cleanup; its connections to Redis are simply gone. */
function kill(node: Node): void {
  node.presence.close();
  node.link.command.disconnect();
  node.link.subscriber.disconnect();
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const everyone = (nodes: Node[], agentId: string, status: AgentStatus) => () => nodes.every((n) => n.presence.status(agentId) === status);
/** The changes whose listeners ran on any of `nodes`, in the order they ran. */
const allChanges = (nodes: Node[]) => journal.filter((j) => nodes.some((n) => n.id === j.node)).map((j) => j.change);
const record = (node: Node, agentId: string) => node.link.command.hgetall(node.link.key(`presence:agent:${agentId}`));

describeWithServices('agent presence on Redis', () => {
  it('an agent connected on node B is online on node A within a second; the change runs its listeners on B only', async () => {
    const [a, b, c] = await cluster();
    b!.presence.connected('a1');
    // B answers at once: the route that opened the stream (or set the status) reads it back.
    expect(b!.presence.status('a1')).toBe('online');
    const took = await until(() => a!.presence.status('a1') === 'online', 1000);
    expect(took).toBeLessThan(1000);
    await until(everyone([a!, b!, c!], 'a1', 'online'));
    expect(a!.presence.onlineAgents()).toEqual(['a1']);
    expect(c!.presence.presentAgents()).toEqual(['a1']);
    // Every node tells the time of the change alike (the monitor's "time in status").
    expect(new Set([a, b, c].map((n) => n!.presence.statusSince('a1'))).size).toBe(1);
    await until(() => [a, b, c].every((n) => n!.events.length === 1));
    // Routing's listener (dispatch to the agent) must run once in the cluster: on the node that made the change.
    expect(b!.changes).toEqual(['a1:offline->online']);
    expect(allChanges([a!, c!])).toEqual([]);
    // The hub events reach every node once (they stream them to consoles and the monitor).
    for (const n of [a, b, c]) expect(n!.events).toEqual(['a1:online']);
  });

  it('invisible chosen on one node is invisible on every node: neither online nor present, back to online alike', async () => {
    const [a, b] = await cluster(2);
    a!.presence.connected('a1');
    await until(everyone([a!, b!], 'a1', 'online'));
    b!.presence.setStatus('a1', 'invisible');
    expect(b!.presence.status('a1')).toBe('invisible');
    await until(everyone([a!, b!], 'a1', 'invisible'));
    for (const n of [a!, b!]) {
      expect(n.presence.onlineAgents()).toEqual([]);
      expect(n.presence.presentAgents()).toEqual([]);
    }
    expect(await record(a!, 'a1')).toMatchObject({ chosen: 'invisible', effective: 'invisible' });
    // A reload (the connection closes and opens again within the grace) keeps the choice.
    a!.presence.disconnected('a1');
    a!.presence.connected('a1');
    await a!.presence.settled();
    await until(everyone([a!, b!], 'a1', 'invisible'));
    a!.presence.setStatus('a1', 'online');
    await until(everyone([a!, b!], 'a1', 'online'));
    expect(allChanges([a!, b!])).toEqual(['a1:offline->online', 'a1:online->invisible', 'a1:invisible->online']);
  });

  it('disconnect, then after the grace offline exactly once, its listeners run on one node only', async () => {
    const nodes = await cluster();
    const [a, b] = nodes;
    b!.presence.connected('a1');
    await until(everyone(nodes, 'a1', 'online'));
    b!.presence.disconnected('a1');
    await sleep(GRACE - 200);
    // Within the grace (a page reload) nothing changes anywhere.
    expect(nodes.map((n) => n.presence.status('a1'))).toEqual(['online', 'online', 'online']);
    await until(everyone(nodes, 'a1', 'offline'), 2000);
    await sleep(300);
    // The requeue listener ran once: on the leader (A), whose sweep ended the grace.
    expect(allChanges(nodes)).toEqual(['a1:offline->online', 'a1:online->offline']);
    expect(a!.changes).toEqual(['a1:online->offline']);
    for (const n of nodes) expect(n.events).toEqual(['a1:online', 'a1:offline']);
  });

  it('a reconnect on another node within the grace keeps the agent; a second tab on another node too', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    b!.presence.connected('a1');
    c!.presence.connected('a1'); // a second tab served by another node
    await until(everyone(nodes, 'a1', 'online'));
    b!.presence.disconnected('a1');
    await sleep(GRACE + 300);
    expect(nodes.map((n) => n.presence.status('a1'))).toEqual(['online', 'online', 'online']);
    c!.presence.disconnected('a1');
    await sleep(GRACE / 2);
    a!.presence.connected('a1'); // the reload landed on node A
    await sleep(GRACE + 300);
    expect(nodes.map((n) => n.presence.status('a1'))).toEqual(['online', 'online', 'online']);
    expect(allChanges(nodes)).toEqual(['a1:offline->online']);
  });

  it('kill -9 of the agent’s node: offline after the TTL and the grace, once', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    b!.presence.connected('a1');
    await until(everyone(nodes, 'a1', 'online'));
    const killed = Date.now();
    kill(b!);
    // The node's key lives up to a TTL, then the grace runs: no offline before the grace alone has passed.
    await sleep(GRACE - 100);
    expect([a, c].map((n) => n!.presence.status('a1'))).toEqual(['online', 'online']);
    await until(everyone([a!, c!], 'a1', 'offline'), 3000);
    expect(Date.now() - killed).toBeGreaterThanOrEqual(GRACE);
    await sleep(300);
    expect(allChanges([a!, c!])).toEqual(['a1:online->offline']);
    expect(a!.changes).toEqual(['a1:online->offline']);
    // Its counts are gone from Redis, and the node from the node set.
    expect(await a!.link.command.hgetall(a!.link.key('presence:conns:a1'))).toEqual({});
    expect(await a!.link.command.sismember(a!.link.key('nodes'), b!.id)).toBe(0);
  });

  it('kill -9 of the agent’s node: a reconnect on another node within the grace keeps the agent and their chats', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    b!.presence.connected('a1');
    await until(everyone(nodes, 'a1', 'online'));
    kill(b!);
    // The leader saw the node die: B's count is gone and the grace is running.
    await until(async () => (await a!.link.command.zscore(a!.link.key('presence:grace'), 'a1')) !== null, 2000);
    expect(await a!.link.command.hget(a!.link.key('presence:conns:a1'), b!.id)).toBeNull();
    c!.presence.connected('a1');
    await sleep(GRACE + 400);
    expect([a, c].map((n) => n!.presence.status('a1'))).toEqual(['online', 'online']);
    expect(allChanges([a!, c!])).toEqual([]);
  });

  it('kill -9 of the leader, who held the agent: another node takes the lease and sends the agent offline once', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    a!.presence.connected('a1');
    await until(everyone(nodes, 'a1', 'online'));
    kill(a!);
    await until(() => b!.coordination.isLeader() || c!.coordination.isLeader(), 2000);
    await until(everyone([b!, c!], 'a1', 'offline'), 4000);
    await sleep(300);
    expect(allChanges([b!, c!])).toEqual(['a1:online->offline']);
  });

  it('a restarted node’s recovery leaves agents connected elsewhere alone; agents it held get their grace', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    b.presence.connected('a1'); // connected on another node
    a.presence.connected('a2'); // connected on the node that restarts
    await until(() => a.presence.status('a1') === 'online' && b.presence.status('a2') === 'online');
    const before = await record(b, 'a1');
    const seen = journal.length;

    // A clean restart of A: it leaves (its counts go), and comes back under a new node id.
    a.presence.close();
    await a.coordination.stop();
    const a2 = await startNode(prefix, 'node-a2', { createAfterStart: true });
    // routing.recover(): every agent holding chats; a3 held chats but has no connection anywhere.
    for (const agentId of ['a1', 'a2', 'a3']) a2.presence.expectReconnect(agentId);
    await a2.presence.settled();
    expect(a2.presence.status('a1')).toBe('online');
    // Untouched: same record (not marked restored, no grace, no new version).
    expect(await record(b, 'a1')).toEqual(before);
    expect(a2.presence.status('a3')).toBe('away');

    a2.presence.connected('a2'); // a2's console reconnects to the restarted node within the grace
    await sleep(GRACE + 400);
    expect([a2, b].map((n) => n.presence.status('a1'))).toEqual(['online', 'online']);
    expect([a2, b].map((n) => n.presence.status('a2'))).toEqual(['online', 'online']);
    expect([a2, b].map((n) => n.presence.status('a3'))).toEqual(['offline', 'offline']);
    // a3 went away, then offline (their chats requeued once); nobody else changed.
    expect(journal.slice(seen).map((j) => j.change)).toEqual(['a3:offline->away', 'a3:away->offline']);
  });

  it('follows presence-service.ts: chosen statuses, offline by choice, a status set without a connection, stray closes', async () => {
    const nodes = await cluster(2);
    const [a, b] = nodes;
    b!.presence.connected('a1');
    a!.presence.setStatus('a1', 'away'); // the status switch is served by another node than the stream
    expect(a!.presence.status('a1')).toBe('away');
    await until(everyone(nodes, 'a1', 'away'));
    expect(a!.presence.onlineAgents()).toEqual([]);
    expect(b!.presence.presentAgents()).toEqual(['a1']);
    a!.presence.setStatus('a1', 'offline');
    await until(everyone(nodes, 'a1', 'offline'));
    b!.presence.connected('a1'); // offline by choice holds even with a new connection
    await b!.presence.settled();
    await sleep(100);
    expect(nodes.map((n) => n.presence.status('a1'))).toEqual(['offline', 'offline']);
    a!.presence.setStatus('a1', 'online');
    await until(everyone(nodes, 'a1', 'online'));

    // A status chosen over HTTP with no live connection lasts one grace period.
    a!.presence.setStatus('a2', 'busy');
    await until(everyone(nodes, 'a2', 'busy'));
    await until(everyone(nodes, 'a2', 'offline'), GRACE + 1500);

    // A stray close (on a node that counts none, or one too many) neither goes negative nor ends the agent.
    a!.presence.disconnected('a1');
    b!.presence.disconnected('a1');
    b!.presence.disconnected('a1');
    b!.presence.disconnected('a1');
    b!.presence.connected('a1');
    await sleep(GRACE + 400);
    expect(nodes.map((n) => n.presence.status('a1'))).toEqual(['online', 'online']);
    expect(await a!.link.command.hgetall(a!.link.key('presence:conns:a1'))).toEqual({ [b!.id]: '1' });
    const order = allChanges(nodes).filter((c) => c.startsWith('a1:'));
    expect(order).toEqual(['a1:offline->online', 'a1:online->away', 'a1:away->offline', 'a1:offline->online']);
  });

  it('a node that joins later loads everyone’s status; a node whose heartbeat lapsed writes its counts again', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    b.presence.connected('a1');
    await until(() => a.presence.status('a1') === 'online');
    const late = await startNode(prefix, 'node-c', { createAfterStart: true });
    expect(late.presence.status('a1')).toBe('online');

    // B stalls past its TTL (as a long pause would): the leader clears its counts and a1's grace starts...
    await b.link.command.del(b.link.key(`node:${b.id}`));
    await a.presence.sweep();
    expect(await a.link.command.hget(a.link.key('presence:conns:a1'), b.id)).toBeNull();
    // ...then B's next heartbeat finds its key gone and writes its counts again: a1 never goes offline.
    await until(async () => (await a.link.command.hget(a.link.key('presence:conns:a1'), b.id)) === '1', 1000);
    expect(await a.link.command.zscore(a.link.key('presence:grace'), 'a1')).toBeNull();
    await sleep(GRACE + 300);
    expect([a, b, late].map((n) => n.presence.status('a1'))).toEqual(['online', 'online', 'online']);
    expect(allChanges([a, b, late])).toEqual(['a1:offline->online']);
  });

  it('Redis loses its data (restarted empty): every node follows Redis again within a refresh; a connected agent comes back away', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    b.presence.connected('a1');
    for (const status of ['away', 'online', 'busy'] as const) b.presence.setStatus('a1', status);
    await until(everyone([a, b], 'a1', 'busy'));
    expect(Number((await record(a, 'a1')).ver)).toBeGreaterThan(2);

    // Every key of the deployment gone at once, as when Redis restarts without persistence.
    const keys = await a.link.command.keys(`${prefix}*`);
    await a.link.command.del(...keys);
    // B's heartbeat finds its key gone and writes its counts again: a1's record is made anew, at version 1. Her
    // choice was lost with it; away, as after a restart, not the default online that would give her chats.
    await until(async () => (await record(a, 'a1')).effective === 'away', 2000);
    // The nodes' copies had a higher version than Redis now has: they follow Redis's word within a refresh
    // (1 s here) instead of ignoring every change until the versions catch up.
    await until(everyone([a, b], 'a1', 'away'), 2500);
    // And changes flow as before.
    a.presence.setStatus('a1', 'online');
    await until(everyone([a, b], 'a1', 'online'), 1000);
    expect(await record(a, 'a1')).toMatchObject({ chosen: 'online', effective: 'online' });
    // The lease was lost too: a node holds it again.
    await until(() => a.coordination.isLeader() || b.coordination.isLeader(), 2000);
  });

  it('a clean stop takes the node’s connections out: its agents go offline after the grace unless connected elsewhere', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    b.presence.connected('a1'); // only on B
    b.presence.connected('a2'); // on B and A
    a.presence.connected('a2');
    await until(() => a.presence.status('a1') === 'online' && a.presence.status('a2') === 'online');
    b.presence.close();
    await b.coordination.stop();
    expect(await a.link.command.exists(a.link.key(`node:${b.id}`))).toBe(0);
    expect(await a.link.command.hgetall(a.link.key('presence:conns:a2'))).toEqual({ [a.id]: '1' });
    await sleep(GRACE - 200);
    expect(a.presence.status('a1')).toBe('online');
    await until(() => a.presence.status('a1') === 'offline', 2000);
    expect(a.presence.status('a2')).toBe('online');
    // The leader (A, once B gave the lease up) ended a1's grace; a2 never changed.
    expect(a.changes).toEqual(['a1:online->offline']);
  });
});
