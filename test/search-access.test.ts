// Transcript search shows exactly what the conversation view shows (SECURITY.md "Authorization"), on the real
// service: an agent who held a chat and transferred or closed it no longer finds what the visitor wrote
// afterwards (the view answers 403 too), while its new holder and the admins do.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgents, postChat, presentAwayAgent, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
const streams = streamKeeper();
useTestServer('search-access-', { streams, started: (s) => (base = s.url) });

type Agent = SignedIn;

const signIn = (username: string, password: string) => presentAwayAgent(base, streams, username, password);

const chat = (text: string, auth?: Chat) => postChat(base, text, auth);

/** A visitor chat waiting in the queue, its first message carrying `marker`. */
async function queuedChat(marker: string): Promise<Chat> {
  const first = await chat(`我想问一下 ${marker}`);
  const visitor = { id: first.conversationId, token: first.token! };
  expect((await chat('转人工', visitor)).reply?.kind).toBe('handoff');
  return visitor;
}

/** The conversation ids an agent's search for `q` returns. */
async function found(agent: Agent, q: string): Promise<string[]> {
  const res = await agent.call('GET', `/api/agent/search?q=${encodeURIComponent(q)}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return (res.json.results as { conversationId: string }[]).map((r) => r.conversationId);
}

const viewStatus = async (agent: Agent, id: string) => (await agent.call('GET', `/api/agent/conversations/${id}`)).status;

let lead: Agent;
let alice: Agent;
let bob: Agent;

describe('search applies the conversation view’s access rule', () => {
  beforeAll(async () => {
    lead = await signIn(ADMIN.username, ADMIN.password);
    await createAgents(lead, ['alice', 'bob']);
    alice = await signIn('alice', 'alice-pass-123');
    bob = await signIn('bob', 'bob-pass-123');
  }, 60_000);

  it('after a transfer: the former holder finds nothing and may not view; the new holder and an admin find the new message', async () => {
    const c = await queuedChat('marker-transfer-7301');
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
    // While she holds it, alice finds it: the rule narrows search, it does not switch it off.
    expect(await found(alice, 'marker-transfer-7301')).toEqual([c.id]);

    expect((await bob.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    const moved = await alice.call('POST', `/api/agent/conversations/${c.id}/transfer`, { agent: bob.id });
    expect(moved.status, JSON.stringify(moved.json)).toBe(200);
    expect((await bob.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    // Written after the transfer, to bob.
    await chat('我的手机号是13987654321，身份证110101199003074518', c);

    expect(await viewStatus(alice, c.id)).toBe(403);
    expect(await found(alice, '13987654321')).toEqual([]);
    expect(await found(alice, '110101199003074518')).toEqual([]);
    expect(await found(alice, 'marker-transfer-7301')).toEqual([]);
    // Naming herself as the holder does not widen it.
    const named = await alice.call('GET', `/api/agent/search?q=13987654321&agent=${alice.id}`);
    expect(named.json.results).toEqual([]);

    expect(await viewStatus(bob, c.id)).toBe(200);
    expect(await found(bob, '13987654321')).toEqual([c.id]);
    expect(await found(lead, '13987654321')).toEqual([c.id]);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });

  it('after a close: what the visitor then writes to the bot is found by admins only', async () => {
    const c = await queuedChat('marker-close-5512');
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
    expect(await found(alice, 'marker-close-5512')).toEqual([c.id]);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    // The chat reopens with the bot.
    await chat('我的手机号是13812345679', c);

    expect(await viewStatus(alice, c.id)).toBe(403);
    expect(await found(alice, '13812345679')).toEqual([]);
    expect(await found(alice, 'marker-close-5512')).toEqual([]);
    expect(await viewStatus(bob, c.id)).toBe(403);
    expect(await found(bob, '13812345679')).toEqual([]);
    expect(await viewStatus(lead, c.id)).toBe(200);
    expect(await found(lead, '13812345679')).toEqual([c.id]);
  });
});
