// Limits and blocks are the deployment's, not one node's (three real processes sharing Redis, rate limits on as
// shipped): a client whose tries a round-robin proxy spreads over the nodes is refused at the same try as one that
// stays on a single node, and a block made on one node is enforced on the others within a second.
import { beforeAll, expect, it } from 'vitest';
import { defaultLoginLimiterOptions } from '../../handoff/auth/login-limiter.ts';
import { defaultConversationCreateRateLimit } from '../../handoff/http/rate-limit.ts';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { useCluster } from './cluster-kit.ts';
import { eventually, signInAdmin, startVisitor, visitorCall, type Agent, type Reply } from './cluster-clients.ts';

const NODES = ['A', 'B', 'C'];
/** The contract: a block made on one node holds on every node within this long. */
const BLOCK_MS = 1000;

describeWithServices('limits and blocks across nodes', () => {
  // RATE_LIMITS as shipped (on); the sign-in limit is on whatever it says.
  const c = useCluster();
  const url = (name: string) => c.cluster.node(name).url;
  let admin: Agent;

  beforeAll(async () => {
    admin = await signInAdmin(url('B'));
  }, 60_000);

  /** A sign-in from `address` (X-Forwarded-For, believed from loopback) on `base`. */
  async function login(base: string, address: string, username: string, password: string): Promise<Reply> {
    const res = await fetch(`${base}/api/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, 'x-forwarded-for': address },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, json: await res.json() };
  }

  const proxy = () => c.cluster.proxy.url;

  /** Runs `tries` through the proxy and checks that every node served some of them (a spread that stayed on one node proves nothing). */
  async function spreadOver<T>(tries: () => Promise<T>): Promise<T> {
    const from = c.cluster.proxy.served.length;
    const result = await tries();
    expect(new Set(c.cluster.proxy.served.slice(from)), 'the nodes the proxy sent the tries to').toEqual(new Set(NODES));
    return result;
  }

  /** Tries `attempt(i)` until a 429 (at most `max` tries): how many were answered otherwise, which statuses, how long it took. */
  async function triesBeforeRefusal(max: number, attempt: (i: number) => Promise<Reply>): Promise<{ allowed: number; statuses: Set<number>; seconds: number }> {
    const statuses = new Set<number>();
    const started = Date.now();
    for (let i = 0; i < max; i++) {
      const res = await attempt(i);
      if (res.status === 429) return { allowed: i, statuses, seconds: (Date.now() - started) / 1000 };
      statuses.add(res.status);
    }
    throw new Error(`no 429 after ${max} tries (statuses ${[...statuses].join(', ')})`);
  }

  it('the sign-in limit refuses at the same try whichever node each try reaches', async () => {
    // Wrong passwords for one username from one address: on node A only, then through the round-robin proxy (A, B,
    // C in turn). Fresh usernames and addresses for each run, so neither run spends the other's allowance.
    const oneNode = await triesBeforeRefusal(60, () => login(url('A'), '198.19.1.1', 'ghost-one', 'not the password'));
    const spread = await spreadOver(() => triesBeforeRefusal(60, () => login(proxy(), '198.19.1.2', 'ghost-two', 'not the password')));
    expect(oneNode.statuses).toEqual(new Set([401]));
    expect(spread.statuses).toEqual(new Set([401]));
    // A node counting alone would let three times as many through; the allowance is the client's, wherever it goes.
    // (Equal unless a try came back meanwhile: one a minute for this bucket, so none in a run of a few seconds.)
    const pairRefill = Math.floor((defaultLoginLimiterOptions.perUsernameAndAddress.refillPerMinute / 60) * Math.max(oneNode.seconds, spread.seconds));
    expect(Math.abs(spread.allowed - oneNode.allowed), `one node allowed ${oneNode.allowed}, spread ${spread.allowed}`).toBeLessThanOrEqual(pairRefill);
    expect(spread.allowed).toBeGreaterThanOrEqual(3);
    // And once refused, refused on every node.
    for (const name of NODES) expect((await login(url(name), '198.19.1.2', 'ghost-two', 'not the password')).status, `node ${name}`).toBe(429);

    // The per-address limit (any username): the same comparison.
    const addressOneNode = await triesBeforeRefusal(80, (i) => login(url('B'), '198.19.1.3', `sprayed-a${i}`, 'guess guess guess'));
    const addressSpread = await spreadOver(() => triesBeforeRefusal(80, (i) => login(proxy(), '198.19.1.4', `sprayed-b${i}`, 'guess guess guess')));
    // Five a minute come back to this bucket: none in a run of a few seconds, so equal there too.
    const addressRefill = Math.floor((defaultLoginLimiterOptions.perAddress.refillPerMinute / 60) * Math.max(addressOneNode.seconds, addressSpread.seconds));
    expect(Math.abs(addressSpread.allowed - addressOneNode.allowed), `one node allowed ${addressOneNode.allowed}, spread ${addressSpread.allowed}`).toBeLessThanOrEqual(addressRefill);
    for (const name of NODES) expect((await login(url(name), '198.19.1.4', 'someone-else', 'guess guess guess')).status, `node ${name}`).toBe(429);
    // Another address is not affected (401, not 429): the limit is per client, not global.
    expect((await login(url('C'), '198.19.1.5', 'someone-else', 'guess guess guess')).status).toBe(401);
  }, 120_000);

  it('the per-address limit on new chats refuses at the same try whichever node each try reaches', async () => {
    const newChat = (base: string, address: string): Promise<Reply> =>
      fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ text: '充值卡密码几位' }) })
        .then(async (res) => ({ status: res.status, json: await res.json() }));
    const oneNode = await triesBeforeRefusal(200, () => newChat(url('C'), '198.19.2.1'));
    const spread = await spreadOver(() => triesBeforeRefusal(200, () => newChat(proxy(), '198.19.2.2')));
    expect(oneNode.statuses).toEqual(new Set([200]));
    expect(spread.statuses).toEqual(new Set([200]));
    // This bucket refills while the tries go on (one chat every 2 s): the two counts may differ by what came
    // back meanwhile, no more. Counted per node, the spread client would get about three times as many.
    const refilled = Math.ceil(defaultConversationCreateRateLimit.refillPerSecond * Math.max(oneNode.seconds, spread.seconds)) + 1;
    expect(Math.abs(spread.allowed - oneNode.allowed), `one node allowed ${oneNode.allowed} in ${oneNode.seconds} s, spread ${spread.allowed} in ${spread.seconds} s`)
      .toBeLessThanOrEqual(refilled);
    for (const name of NODES) expect((await newChat(url(name), '198.19.2.2')).status, `node ${name}`).toBe(429);
    expect((await newChat(url('A'), '198.19.2.3')).status).toBe(200);
  }, 120_000);

  it('an address blocked on B is refused on A and C within 1 s', async () => {
    const address = '198.19.3.1';
    const { visitor } = await startVisitor(url('A'), '充值卡密码几位', address);
    // Served everywhere before the block (and each node has looked the address up: a cache must not keep it open).
    for (const name of NODES) expect((await visitorCall(url(name), visitor, 'GET', `/api/conversations/${visitor.id}/messages`)).status).toBe(200);

    const blocked = await admin.call(url('B'), 'POST', '/api/admin/blocks', { by: 'ip', value: address, reason: 'cluster test' });
    expect(blocked.status, JSON.stringify(blocked.json)).toBe(201);
    await Promise.all(['A', 'C'].map((name) =>
      eventually(`node ${name} refuses the address blocked on B`, async () => {
        const res = await visitorCall(url(name), visitor, 'GET', `/api/conversations/${visitor.id}/messages`);
        return res.status === 403 && res.json.error.code === 'visitor_blocked' ? true : undefined;
      }, BLOCK_MS, 20)));
    // A new chat from it too; another address is served.
    const fresh = await fetch(`${url('A')}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ text: '你好' }) });
    expect(fresh.status).toBe(403);
    expect((await startVisitor(url('A'), '你好', '198.19.3.2')).reply).toBeDefined();
  }, 60_000);

  it('a visitor id blocked on B is refused on A and C within 1 s, and let back in on them within 1 s of the lift', async () => {
    const visitorId = 'clusterVisitor0000000001';
    const address = '198.19.4.1';
    const first = await fetch(`${url('A')}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ text: '你好', visitorId }) });
    expect(first.status).toBe(200);
    const chat = (await first.json()) as { conversationId: string; token: string };
    const visitor = { id: chat.conversationId, token: chat.token, address };
    // Reads, not messages, while polling: each message would spend the conversation's own allowance (burst 30),
    // and a 429 after the lift would hide whether the lift arrived.
    const say = (base: string) => visitorCall(base, visitor, 'GET', `/api/conversations/${visitor.id}/messages`);
    for (const name of NODES) expect((await say(url(name))).status).toBe(200);

    const blocked = await admin.call(url('B'), 'POST', '/api/admin/blocks', { by: 'visitor', value: visitorId });
    expect(blocked.status, JSON.stringify(blocked.json)).toBe(201);
    await Promise.all(['A', 'C'].map((name) =>
      eventually(`node ${name} refuses the visitor blocked on B`, async () => ((await say(url(name))).status === 403 ? true : undefined), BLOCK_MS, 20)));

    // The lift travels the same way: a visitor wrongly blocked is served again everywhere, not on one node only.
    const lifted = await admin.call(url('B'), 'DELETE', `/api/admin/blocks/${blocked.json.block.id}`);
    expect(lifted.status).toBe(200);
    await Promise.all(['A', 'C'].map((name) =>
      eventually(`node ${name} serves the visitor unblocked on B`, async () => ((await say(url(name))).status === 200 ? true : undefined), BLOCK_MS, 20)));
  }, 60_000);
});
