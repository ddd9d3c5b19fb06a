// The human side end to end on a real server (127.0.0.1, ephemeral port, real SQLite file): a visitor
// asks for a person, an agent takes the chat and replies live, transfers it, the chat closes, the
// visitor rates it; live streams resume after a disconnect with nothing missed or repeated.
import { describe, expect, it } from 'vitest';
import { postChat, signIn as signInOver, streamKeeper } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
const streams = streamKeeper();
useTestServer('handoff-flow-', { streams, started: (s) => (base = s.url) });

/** A signed-in agent: its cookie, and JSON calls with it (same-origin, as the console sends them). */
const signIn = (username: string, password: string) => signInOver(base, username, password);

const chat = (text: string, auth?: { id: string; token: string }) =>
  postChat<{ conversationId: string; token?: string; reply: { kind: string; text: string; queue?: { position: number } } | null }>(base, text, auth);

const stream = (url: string, headers: Record<string, string>) => streams.open(url, headers);

describe('a visitor reaches a person', () => {
  it('queues, is taken, talks live, is transferred, closes and rates', async () => {
    const lead = await signIn(ADMIN.username, ADMIN.password);
    for (const [username, displayName] of [['alice', 'Alice'], ['bob', 'Bob']]) {
      const created = await lead.call('POST', '/api/admin/agents', { username, displayName, password: `${username}-pass-123`, role: 'agent', groups: ['mobile', 'billing'], capacity: 2 });
      expect(created.status).toBe(201);
    }
    const alice = await signIn('alice', 'alice-pass-123');
    const bob = await signIn('bob', 'bob-pass-123');
    const aliceEvents = await stream(`${base}/api/agent/events`, { cookie: alice.cookie });
    const bobEvents = await stream(`${base}/api/agent/events`, { cookie: bob.cookie });
    // Both present but away: nobody is auto-assigned, the chat waits for a take.
    expect((await alice.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    expect((await bob.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);

    const first = await chat('充值卡密码几位');
    expect(first.reply?.kind).toBe('answer');
    const visitor = { id: first.conversationId, token: first.token! };
    const handoff = await chat('转人工', visitor);
    expect(handoff.reply?.kind).toBe('handoff');
    expect(handoff.reply?.queue?.position).toBe(1);

    const visitorEvents = await stream(`${base}/api/conversations/${visitor.id}/events`, { authorization: `Bearer ${visitor.token}` });
    await visitorEvents.waitFor((e) => e.event === 'ready' && e.json.status === 'queued');

    const queue = await alice.call('GET', '/api/agent/queue');
    expect(queue.json.conversations).toEqual([expect.objectContaining({ id: visitor.id, reason: 'requested', lang: 'zh' })]);

    // Why the bot handed off and what it had tried, before taking.
    const taken = await alice.call('POST', `/api/agent/conversations/${visitor.id}/take`);
    expect(taken.status).toBe(200);
    expect((await bob.call('POST', `/api/agent/conversations/${visitor.id}/take`)).status).toBe(409);
    await visitorEvents.waitFor((e) => e.event === 'status' && e.json.status === 'assigned' && e.json.agent?.displayName === 'Alice');
    await aliceEvents.waitFor((e) => e.event === 'assigned' && e.json.conversationId === visitor.id);

    const view = await alice.call('GET', `/api/agent/conversations/${visitor.id}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.json)).toContain('充值卡密码几位');

    // The agent replies; the visitor sees it live. The visitor writes; the bot stays silent.
    expect((await alice.call('POST', `/api/agent/conversations/${visitor.id}/messages`, { text: '您好，我是Alice，请问有什么可以帮您？' })).status).toBe(201);
    await visitorEvents.waitFor((e) => e.event === 'message' && e.json.author === 'agent' && e.json.text.includes('Alice'));
    const toAgent = await chat('我想问一下上个月的话费', visitor);
    expect(toAgent.reply).toBeNull();
    await aliceEvents.waitFor((e) => e.event === 'message' && e.json.author === 'visitor' && e.json.text.includes('上个月'));

    // Transfer to Bob with a note: Bob gets it, the visitor is told (without the internal note).
    // Only an agent who is online takes transfers.
    const refused = await alice.call('POST', `/api/agent/conversations/${visitor.id}/transfer`, { agent: bob.id, note: '账单问题，请跟进' });
    expect(refused.status, JSON.stringify(refused.json)).toBe(409);
    expect(refused.json.error.message).toMatch(/away|online|available/i);
    expect((await bob.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    const transfer = await alice.call('POST', `/api/agent/conversations/${visitor.id}/transfer`, { agent: bob.id, note: '账单问题，请跟进' });
    expect(transfer.status, JSON.stringify(transfer.json)).toBe(200);
    await bobEvents.waitFor((e) => e.event === 'assigned' && e.json.conversationId === visitor.id);
    const told = await visitorEvents.waitFor((e) => e.event === 'transfer');
    expect(JSON.stringify(told.json)).not.toContain('账单问题');

    // A visitor stream that drops and resumes from the last id it saw misses and repeats nothing.
    const seen = visitorEvents.events.filter((e) => e.event === 'message').map((e) => Number(e.id));
    const lastSeen = visitorEvents.lastEventId!;
    visitorEvents.close();
    expect((await bob.call('POST', `/api/agent/conversations/${visitor.id}/messages`, { text: '我是Bob，已经看到您的账单问题。' })).status).toBe(201);
    const resumed = await stream(`${base}/api/conversations/${visitor.id}/events`, { authorization: `Bearer ${visitor.token}`, 'last-event-id': lastSeen });
    const bobLine = await resumed.waitFor((e) => e.event === 'message' && e.json.text.includes('Bob'));
    const replayed = resumed.events.filter((e) => e.event === 'message').map((e) => Number(e.id));
    expect(replayed.every((id) => !seen.includes(id))).toBe(true);
    expect(Number(bobLine.id)).toBeGreaterThan(Number(lastSeen));

    // Close, then the rating is stored once and shown to agents.
    expect((await bob.call('POST', `/api/agent/conversations/${visitor.id}/close`)).status).toBe(200);
    await resumed.waitFor((e) => e.event === 'closed');
    const rating = await fetch(`${base}/api/conversations/${visitor.id}/rating`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${visitor.token}` },
      body: JSON.stringify({ score: 5, comment: '很快就解决了' }),
    });
    expect(rating.status).toBe(201);
    const closedView = await lead.call('GET', `/api/agent/conversations/${visitor.id}`);
    expect(closedView.json.rating).toEqual({ score: 5, comment: '很快就解决了' });

    // After close, a new message starts with the bot again.
    const again = await chat('详单能查几个月', visitor);
    expect(again.reply?.kind).toBe('answer');
  });

  it('refuses agent routes without a session and a foreign Origin with one', async () => {
    expect((await fetch(`${base}/api/agent/queue`)).status).toBe(401);
    const lead = await signIn(ADMIN.username, ADMIN.password);
    const foreign = await fetch(`${base}/api/agent/status`, {
      method: 'POST',
      headers: { cookie: lead.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'online' }),
    });
    expect(foreign.status).toBe(403);
  });
});

describe('while a person has the chat', () => {
  /** A visitor's chat taken by a fresh agent (away, so it takes the chat by hand). */
  async function assignedChat(username: string) {
    const lead = await signIn(ADMIN.username, ADMIN.password);
    const created = await lead.call('POST', '/api/admin/agents', {
      username, displayName: username, password: `${username}-pass-123`, role: 'agent', groups: ['mobile', 'billing'], capacity: 5,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    // Nobody else takes it: every other agent (the earlier tests' ones) is disabled.
    const others = await lead.call('GET', '/api/admin/agents');
    for (const other of others.json.agents as { id: string; username: string }[]) {
      if (other.id === lead.id || other.username === username) continue;
      expect((await lead.call('PATCH', `/api/admin/agents/${other.id}`, { disabled: true })).status).toBe(200);
    }
    const agent = await signIn(username, `${username}-pass-123`);
    expect((await agent.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    const first = await chat('充值卡密码几位');
    const visitor = { id: first.conversationId, token: first.token! };
    expect((await chat('转人工', visitor)).reply?.kind).toBe('handoff');
    const held = await agent.call('GET', `/api/agent/conversations/${visitor.id}`);
    if (held.json?.status !== 'assigned') {
      const taken = await agent.call('POST', `/api/agent/conversations/${visitor.id}/take`);
      expect(taken.status, JSON.stringify(taken.json)).toBe(200);
    }
    return { agent, visitor };
  }

  async function visitorMessages(visitor: { id: string; token: string }) {
    const res = await fetch(`${base}/api/conversations/${visitor.id}/messages`, { headers: { authorization: `Bearer ${visitor.token}` } });
    return ((await res.json()) as { messages: { id: number; author: string; text: string }[] }).messages;
  }

  it('stores a password the visitor types masked and delivers it masked to the agent', async () => {
    const { agent, visitor } = await assignedChat('pw-agent');
    const events = await stream(`${base}/api/agent/events`, { cookie: agent.cookie });
    expect((await chat('我的服务密码是123456', visitor)).reply).toBeNull();
    const live = await events.waitFor((e) => e.event === 'message' && e.json.author === 'visitor' && e.json.text.startsWith('我的服务密码是'));
    expect(live.json.text).toBe('我的服务密码是******');
    const view = await agent.call('GET', `/api/agent/conversations/${visitor.id}`);
    expect(JSON.stringify(view.json)).toContain('我的服务密码是******');
    expect(JSON.stringify(view.json)).not.toContain('123456');
    const stored = (await visitorMessages(visitor)).filter((m) => m.author === 'visitor').map((m) => m.text);
    expect(stored).toContain('我的服务密码是******');
    expect(stored.join('\n')).not.toContain('123456');
  });

  it('stores an agent reply retried with the same clientMessageId once, and answers the retry the same', async () => {
    const { agent, visitor } = await assignedChat('retry-agent');
    const route = `/api/agent/conversations/${visitor.id}/messages`;
    const first = await agent.call('POST', route, { text: '您好，请稍等', clientMessageId: 'a-1' });
    expect(first.status).toBe(201);
    const again = await agent.call('POST', route, { text: '您好，请稍等', clientMessageId: 'a-1' });
    expect(again).toEqual(first);
    // Concurrent duplicates (a double click and a retry) store once.
    const both = await Promise.all([1, 2, 3].map(() => agent.call('POST', route, { text: '正在为您查询', clientMessageId: 'a-2' })));
    expect(new Set(both.map((r) => r.json.message.id)).size).toBe(1);
    // Another id is another message, even with the same text.
    const other = await agent.call('POST', route, { text: '您好，请稍等', clientMessageId: 'a-3' });
    expect(other.json.message.id).not.toBe(first.json.message.id);
    // The same id used by the visitor is the visitor's own: no collision with the agent's.
    expect((await chat('好的', visitor)).reply).toBeNull();
    const texts = (await visitorMessages(visitor)).filter((m) => m.author === 'agent').map((m) => m.text);
    expect(texts.filter((t) => t === '您好，请稍等')).toHaveLength(2);
    expect(texts.filter((t) => t === '正在为您查询')).toHaveLength(1);

    for (const bad of ['', 'x'.repeat(65), 'has space', '中文', 7]) {
      const refused = await agent.call('POST', route, { text: 'hi', clientMessageId: bad });
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ code: 'invalid_client_message_id', field: 'clientMessageId' });
    }
  });
});
