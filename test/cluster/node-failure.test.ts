// Nodes that restart or die (three real processes, a short presence grace): an agent's chats follow the agent,
// not the node. A restart of one node does not requeue the chats of agents connected to another; after a
// `kill -9`, an agent who reconnects elsewhere within the grace period keeps their chats, and one who does not
// has each chat requeued exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { sleep, useCluster } from './cluster-kit.ts';
import {
  countSystem, createAgent, eventually, handedOff, presentOn, setStatus, signInAdmin, streams, take, transcript,
  type Agent, type Visitor,
} from './cluster-clients.ts';

/** PRESENCE_GRACE_SECONDS here: long enough for a reconnect, short enough to wait out. */
const GRACE_SECONDS = 4;
/** LIVE_HEARTBEAT_MS here: streams (and whatever the nodes time by it) tick every second. */
const HEARTBEAT_MS = 1000;
/**
 * After the moment a requeue would be due, how long to keep watching before concluding there is none: the grace
 * period twice over, plus time for a dead node's heartbeat to expire and the leader's next round.
 */
const WATCH_MS = 2 * GRACE_SECONDS * 1000 + 8_000;

describeWithServices('nodes restarting and dying', () => {
  const c = useCluster({ env: { RATE_LIMITS: 'off', PRESENCE_GRACE_SECONDS: String(GRACE_SECONDS), LIVE_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
  const live = streams();
  const url = (name: string) => c.cluster.node(name).url;
  let admin: Agent;

  beforeAll(async () => {
    admin = await signInAdmin(url('A'));
  }, 60_000);
  afterAll(() => live.closeAll());

  /** A chat asked for on `visitorNode`, taken by `agent` on `agentNode`. */
  async function heldBy(agent: Agent, agentNode: string, visitorNode: string): Promise<Visitor> {
    const { visitor } = await handedOff(url(visitorNode));
    await take(url(agentNode), agent, visitor.id);
    return visitor;
  }

  /** Who holds the chat as `node` sees it, and how many times its visitor was told it was requeued. */
  async function state(node: string, visitor: Visitor): Promise<{ status: string; holder: string | undefined; requeued: number }> {
    const { status, messages } = await transcript(url(node), visitor);
    const view = await admin.call(url(node), 'GET', `/api/agent/conversations/${visitor.id}`);
    return { status, holder: view.json.agent?.id, requeued: countSystem(messages, 'requeued') };
  }

  it("restarting the other nodes does not requeue the chats of an agent connected to C", async () => {
    const carol = await createAgent(admin, url('C'), 'carol');
    // Away: nothing else is given to her; her two chats were asked for on A and B and taken on C.
    await presentOn(url('C'), carol, live, 'away');
    const chats = [await heldBy(carol, 'C', 'A'), await heldBy(carol, 'C', 'B')];

    // Each restarted node comes up to chats held by an agent it has no connection of: it must see hers on C.
    await c.cluster.restart('A');
    await c.cluster.restart('B');
    const restartedAt = Date.now();
    while (Date.now() - restartedAt < WATCH_MS) {
      for (const chat of chats) expect(await state('A', chat), `${(Date.now() - restartedAt) / 1000} s after the restarts`).toEqual({ status: 'assigned', holder: carol.id, requeued: 0 });
      await sleep(1000);
    }
    const held = await carol.call(url('B'), 'GET', '/api/agent/conversations');
    expect(held.json.conversations.map((x: { id: string }) => x.id).sort()).toEqual(chats.map((x) => x.id).sort());
  }, 180_000);

  it('kill -9 of the agents\' node: the one who reconnects elsewhere within the grace period keeps the chat; the other\'s is requeued exactly once', async () => {
    const dora = await createAgent(admin, url('B'), 'dora');
    const eve = await createAgent(admin, url('B'), 'eve');
    // Both connected to B only and away, so a requeued chat stays in the queue where it can be counted.
    await presentOn(url('B'), dora, live, 'away');
    await presentOn(url('B'), eve, live, 'away');
    const doras = await heldBy(dora, 'B', 'A');
    const eves = await heldBy(eve, 'B', 'C');

    await c.cluster.node('B').kill();
    const killedAt = Date.now();
    // Dora's console reconnects to the next node at once (well within the grace period); Eve's never does.
    const reconnected = await live.agent(url('C'), dora);
    await reconnected.waitFor((e) => e.event === 'ready', 10_000);
    expect.soft((await dora.call(url('C'), 'GET', '/api/agent/status')).json.status, 'dora reconnected within the grace period keeps her status').toBe('away');
    // Whatever that said, she stays away: an automatic assignment of Eve's requeued chat to her would hide the count.
    await setStatus(url('C'), dora, 'away');

    // Eve's chat goes back to the queue once B's death is known and her grace period has passed.
    await eventually("eve's chat requeued after B died", async () => ((await state('A', eves)).requeued > 0 ? true : undefined), 90_000, 250);
    const requeuedAfter = (Date.now() - killedAt) / 1000;
    // Then nothing more happens to either chat: no second requeue, and Dora's chat never moves.
    const watchFrom = Date.now();
    while (Date.now() - watchFrom < WATCH_MS) {
      expect(await state('C', doras), `dora's chat ${(Date.now() - killedAt) / 1000} s after the kill`).toEqual({ status: 'assigned', holder: dora.id, requeued: 0 });
      expect(await state('A', eves), `eve's chat ${(Date.now() - killedAt) / 1000} s after the kill (requeued after ${requeuedAfter} s)`).toEqual({ status: 'queued', holder: undefined, requeued: 1 });
      await sleep(1000);
    }
    // One queue entry, not one per node that noticed.
    const queue = await dora.call(url('A'), 'GET', '/api/agent/queue');
    expect(queue.json.conversations.filter((x: { id: string }) => x.id === eves.id)).toHaveLength(1);
    const held = await dora.call(url('C'), 'GET', '/api/agent/conversations');
    expect(held.json.conversations.map((x: { id: string }) => x.id)).toEqual([doras.id]);
  }, 240_000);
});
