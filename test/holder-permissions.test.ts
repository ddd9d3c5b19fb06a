// Agents act only on chats they hold, on the real service (real SQLite file, real sessions, same-origin
// changes): another agent gets 409 "not yours" on reply, transfer and close (403 on viewing), and nothing
// changes; an admin who does not hold the chat may transfer (also to themselves) and close it, but writes
// to the visitor only once holding it (SECURITY.md "Authorization"); the holder's own actions work.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgents, postChat, presentAwayAgent, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
const streams = streamKeeper();
useTestServer('holder-permissions-', { streams, started: (s) => (base = s.url) });

type Agent = SignedIn;

const signIn = (username: string, password: string) => presentAwayAgent(base, streams, username, password);

const chat = (text: string, auth?: Chat) => postChat(base, text, auth);

/** A visitor chat waiting in the queue (everyone is away, so nobody gets it automatically). */
async function queuedChat(): Promise<Chat> {
  const first = await chat('充值卡密码几位');
  const visitor = { id: first.conversationId, token: first.token! };
  expect((await chat('转人工', visitor)).reply?.kind).toBe('handoff');
  return visitor;
}

/** What the visitor sees: status and agent messages. */
async function visitorView(c: Chat) {
  const res = await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: { authorization: `Bearer ${c.token}` } });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { status: string; messages: { author: string; text: string }[] };
  return { status: json.status, agentTexts: json.messages.filter((m) => m.author === 'agent').map((m) => m.text) };
}

/** Who holds the chat, as its holder's console sees it. */
async function heldIds(agent: Agent): Promise<string[]> {
  const res = await agent.call('GET', '/api/agent/conversations');
  expect(res.status).toBe(200);
  return (res.json.conversations as { id: string }[]).map((c) => c.id);
}

let lead: Agent;
let alice: Agent;
let bob: Agent;

describe('agents act only on chats they hold', () => {
  beforeAll(async () => {
    lead = await signIn(ADMIN.username, ADMIN.password);
    await createAgents(lead, ['alice', 'bob']);
    alice = await signIn('alice', 'alice-pass-123');
    bob = await signIn('bob', 'bob-pass-123');
  }, 60_000);

  it('another agent gets 409 on reply, transfer and close (403 on viewing), and nothing changes', async () => {
    const c = await queuedChat();
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(409);

    const reply = await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'bob was here' });
    expect(reply.status, JSON.stringify(reply.json)).toBe(409);
    expect(reply.json.error.message).toMatch(/not yours/);
    // Transfer with a note (the internal note travels only with a transfer), to a group and to himself.
    const toGroup = await bob.call('POST', `/api/agent/conversations/${c.id}/transfer`, { group: 'billing', note: 'bob note' });
    expect(toGroup.status, JSON.stringify(toGroup.json)).toBe(409);
    expect((await bob.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    const toSelf = await bob.call('POST', `/api/agent/conversations/${c.id}/transfer`, { agent: bob.id, note: 'mine now' });
    expect(toSelf.status, JSON.stringify(toSelf.json)).toBe(409);
    expect((await bob.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    const close = await bob.call('POST', `/api/agent/conversations/${c.id}/close`);
    expect(close.status, JSON.stringify(close.json)).toBe(409);
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(403);

    // Nothing happened: alice still holds it, no transfer or bob message is recorded, the visitor sees no bob text.
    expect(await heldIds(alice)).toContain(c.id);
    expect(await heldIds(bob)).not.toContain(c.id);
    const view = await alice.call('GET', `/api/agent/conversations/${c.id}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.json)).not.toMatch(/bob was here|bob note|mine now/);
    const seen = await visitorView(c);
    expect(seen.status).toBe('assigned');
    expect(seen.agentTexts).toEqual([]);

    // The holder's own reply and close work.
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'alice here' })).status).toBe(201);
    expect((await visitorView(c)).agentTexts).toEqual(['alice here']);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    expect((await visitorView(c)).status).toBe('closed');
  });

  it('the holder may transfer; the former holder may then no longer act', async () => {
    const c = await queuedChat();
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
    const moved = await alice.call('POST', `/api/agent/conversations/${c.id}/transfer`, { group: 'billing', note: 'billing question' });
    expect(moved.status, JSON.stringify(moved.json)).toBe(200);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'too late' })).status).toBe(409);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(409);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'bob has it' })).status).toBe(201);
    expect((await visitorView(c)).agentTexts).toEqual(['bob has it']);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });

  it('an admin not holding the chat may close it and transfer it (also to themselves), but writes only once holding it', async () => {
    const closing = await queuedChat();
    expect((await alice.call('POST', `/api/agent/conversations/${closing.id}/take`)).status).toBe(200);
    expect((await lead.call('GET', `/api/agent/conversations/${closing.id}`)).status).toBe(200);
    const closed = await lead.call('POST', `/api/agent/conversations/${closing.id}/close`);
    expect(closed.status, JSON.stringify(closed.json)).toBe(200);
    expect((await visitorView(closing)).status).toBe('closed');

    const taking = await queuedChat();
    expect((await alice.call('POST', `/api/agent/conversations/${taking.id}/take`)).status).toBe(200);
    // Documented: only the holder writes to the visitor, admins included.
    expect((await lead.call('POST', `/api/agent/conversations/${taking.id}/messages`, { text: 'lead, not holding' })).status).toBe(409);
    // The override: the admin moves the chat to themselves (transfers go to online agents only).
    expect((await lead.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    const over = await lead.call('POST', `/api/agent/conversations/${taking.id}/transfer`, { agent: lead.id, note: 'taken over by the lead' });
    expect(over.status, JSON.stringify(over.json)).toBe(200);
    expect((await lead.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    expect(await heldIds(lead)).toContain(taking.id);
    expect(await heldIds(alice)).not.toContain(taking.id);
    expect((await alice.call('POST', `/api/agent/conversations/${taking.id}/messages`, { text: 'alice, no longer' })).status).toBe(409);
    expect((await lead.call('POST', `/api/agent/conversations/${taking.id}/messages`, { text: 'lead here' })).status).toBe(201);
    expect((await visitorView(taking)).agentTexts).toEqual(['lead here']);
    // The takeover is on record with its note, for agents (the transfer list of the conversation view).
    const view = await lead.call('GET', `/api/agent/conversations/${taking.id}`);
    expect(JSON.stringify(view.json)).toContain('taken over by the lead');
    expect((await lead.call('POST', `/api/agent/conversations/${taking.id}/close`)).status).toBe(200);
  });
});
