// The supervisors' monitor on the real service (real SQLite file, real sessions, real SSE clients over HTTP):
// an admin's stream hears an agent come online and get a chat; GET /api/admin/monitor shows the agent's
// load and the chat with a masked preview; watching the chat brings its visitor and agent messages to the
// admin's stream (never to the visitor's view) while the admin still cannot write; unwatching stops it; an
// agent gets 403 on every monitor route and no supervisor events.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SseClient } from '../handoff/testing/sse-test-client.ts';
import { postChat, signIn as signInOver, streamKeeper, type Chat } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

const PHONE = '13812345678';
let base: string;
const streams = streamKeeper();
useTestServer('supervisor-monitor-', { streams, started: (s) => (base = s.url) });

/** A signed-in agent; `stream()` opens its console's live stream and waits for `ready`. */
async function signIn(username: string, password: string) {
  const agent = await signInOver(base, username, password);
  const stream = async () => {
    const s = await streams.open(`${base}/api/agent/events`, { cookie: agent.cookie, origin: base });
    await s.waitFor((m) => m.event === 'ready');
    return s;
  };
  return { ...agent, stream };
}

const chat = (text: string, auth?: Chat) => postChat(base, text, auth);

async function visitorMessages(c: Chat) {
  const res = await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: { authorization: `Bearer ${c.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { author: string; text: string }[] }).messages;
}

const messageOf = (s: SseClient, conversationId: string, text: string) =>
  s.events.find((m) => m.event === 'message' && m.json?.conversationId === conversationId && m.json?.text === text);

describe('supervisors monitor agents and chats live, read-only', () => {
  type Signed = Awaited<ReturnType<typeof signIn>>;
  let lead: Signed;
  let leadStream: SseClient;
  let alice: Signed;
  let aliceStream: SseClient;
  let visitor: Chat;

  beforeAll(async () => {
    lead = await signIn(ADMIN.username, ADMIN.password);
    // Away: the admin is here to watch, not to receive chats.
    expect((await lead.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    leadStream = await lead.stream();
    const created = await lead.call('POST', '/api/admin/agents', {
      username: 'alice', displayName: 'Alice', password: 'alice-pass-123', role: 'agent', groups: ['mobile', 'billing'], capacity: 3,
    });
    expect(created.status).toBe(201);
    // Alice is there but away: the handoff queues (someone of the group is present) and nothing is assigned yet.
    alice = await signIn('alice', 'alice-pass-123');
    expect((await alice.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
    aliceStream = await alice.stream();
  }, 60_000);

  it("the admin's stream hears the agent go online and get the waiting chat; the monitor shows load 1", async () => {
    const first = await chat(`充值卡密码几位 我的号码 ${PHONE}`);
    visitor = { id: first.conversationId, token: first.token! };
    expect((await chat(`转人工，号码 ${PHONE}`, visitor)).reply?.kind).toBe('handoff');

    const queued = await lead.call('GET', '/api/admin/monitor');
    expect(queued.status).toBe(200);
    expect(queued.json.queue.waiting).toBe(1);
    expect(queued.json.active).toEqual([]);

    // Alice switches to online; routing gives her the waiting chat.
    expect((await alice.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    const presence = await leadStream.waitFor(
      (m) => m.event === 'supervisor' && m.json.change === 'presence' && m.json.agentId === alice.id && m.json.status === 'online',
    );
    const assigned = await leadStream.waitFor(
      (m) => m.event === 'supervisor' && m.json.change === 'assigned' && m.json.agentId === alice.id && m.json.conversationId === visitor.id,
    );
    expect(leadStream.events.indexOf(presence)).toBeLessThan(leadStream.events.indexOf(assigned));

    const snapshot = await lead.call('GET', '/api/admin/monitor');
    expect(snapshot.status).toBe(200);
    const row = snapshot.json.agents.find((a: { id: string }) => a.id === alice.id);
    expect(row).toMatchObject({ displayName: 'Alice', role: 'agent', status: 'online', load: 1, capacity: 3, groups: ['mobile', 'billing'] });
    expect(Date.parse(row.statusSince)).not.toBeNaN();
    expect(snapshot.json.queue).toEqual({ waiting: 0, longestWaitSeconds: 0, byGroup: {} });
    expect(snapshot.json.active).toHaveLength(1);
    const active = snapshot.json.active[0];
    expect(active).toMatchObject({ id: visitor.id, agentId: alice.id, lang: 'zh' });
    for (const field of ['startedAt', 'assignedAt', 'lastMessageAt']) expect(Date.parse(active[field])).not.toBeNaN();
    // The visitor's number is in the preview only masked.
    expect(active.preview).toContain('转人工');
    expect(active.preview).not.toContain(PHONE);
    expect(active.preview).toMatch(/138\*+5678/);
  });

  it('watching delivers the next visitor and agent messages to the admin; the admin cannot write; the visitor is not told', async () => {
    const before = await visitorMessages(visitor);
    // Before the watch the admin's stream carries nothing of this chat.
    await chat('还在吗？', visitor);
    await aliceStream.waitFor((m) => messageOf(aliceStream, visitor.id, '还在吗？') === m);
    expect(messageOf(leadStream, visitor.id, '还在吗？')).toBeUndefined();

    const watch = await lead.call('POST', `/api/admin/monitor/${visitor.id}/watch`);
    expect(watch.status, JSON.stringify(watch.json)).toBe(200);
    expect(watch.json).toEqual({ conversationId: visitor.id, watching: true, status: 'assigned' });
    await leadStream.waitFor((m) => m.event === 'watching' && m.json.conversationId === visitor.id && m.json.watching === true);

    await chat('我的宽带一直掉线', visitor);
    await leadStream.waitFor((m) => messageOf(leadStream, visitor.id, '我的宽带一直掉线') === m);
    expect((await alice.call('POST', `/api/agent/conversations/${visitor.id}/messages`, { text: '正在为您查询' })).status).toBe(201);
    const agentMessage = await leadStream.waitFor((m) => messageOf(leadStream, visitor.id, '正在为您查询') === m);
    expect(agentMessage.json).toMatchObject({ author: 'agent', agentId: alice.id });

    // Read-only: the transcript with the bot's decision, but no writing, typing, or taking.
    const view = await lead.call('GET', `/api/agent/conversations/${visitor.id}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.json)).toContain('我的宽带一直掉线');
    const write = await lead.call('POST', `/api/agent/conversations/${visitor.id}/messages`, { text: 'the lead writes' });
    expect(write.status, JSON.stringify(write.json)).toBe(409);
    expect((await lead.call('POST', `/api/agent/conversations/${visitor.id}/typing`, { typing: true })).status).toBe(403);
    expect((await lead.call('POST', `/api/agent/conversations/${visitor.id}/take`)).status).toBe(409);

    // The visitor sees their message and the agent's, nothing about being watched, nothing from the lead.
    const after = await visitorMessages(visitor);
    const added = after.slice(before.length);
    expect(added.map((m) => [m.author, m.text])).toEqual([
      ['visitor', '还在吗？'],
      ['visitor', '我的宽带一直掉线'],
      ['agent', '正在为您查询'],
    ]);
    // Alice's stream saw no watch event either: the watch concerns the admin's own session only.
    expect(aliceStream.events.some((m) => m.event === 'watching')).toBe(false);
  });

  it('an agent gets 403 on every monitor route and no supervisor events', async () => {
    expect((await alice.call('GET', '/api/admin/monitor')).status).toBe(403);
    expect((await alice.call('POST', `/api/admin/monitor/${visitor.id}/watch`)).status).toBe(403);
    expect((await alice.call('DELETE', `/api/admin/monitor/${visitor.id}/watch`)).status).toBe(403);
    expect(aliceStream.events.some((m) => m.event === 'supervisor')).toBe(false);
    // Meanwhile the admin's stream has had plenty of them.
    expect(leadStream.events.filter((m) => m.event === 'supervisor').length).toBeGreaterThan(1);
  });

  it('unwatching stops the delivery; a closed or unknown chat cannot be watched', async () => {
    const unwatch = await lead.call('DELETE', `/api/admin/monitor/${visitor.id}/watch`);
    expect(unwatch.status).toBe(200);
    await leadStream.waitFor((m) => m.event === 'watching' && m.json.conversationId === visitor.id && m.json.watching === false);

    await chat('之后这条不该给主管', visitor);
    // Alice (the holder) gets it: the message was stored and published; give the admin's stream time to (not) get it.
    await aliceStream.waitFor((m) => messageOf(aliceStream, visitor.id, '之后这条不该给主管') === m);
    await new Promise((r) => setTimeout(r, 300));
    expect(messageOf(leadStream, visitor.id, '之后这条不该给主管')).toBeUndefined();

    expect((await lead.call('POST', `/api/admin/monitor/no-such-conversation/watch`)).status).toBe(404);
    expect((await alice.call('POST', `/api/agent/conversations/${visitor.id}/close`)).status).toBe(200);
    await leadStream.waitFor((m) => m.event === 'supervisor' && m.json.change === 'closed' && m.json.conversationId === visitor.id);
    const closed = await lead.call('POST', `/api/admin/monitor/${visitor.id}/watch`);
    expect(closed.status).toBe(409);
    expect(closed.json.error.code).toBe('closed');
    const empty = await lead.call('GET', '/api/admin/monitor');
    expect(empty.json.active).toEqual([]);
    expect(empty.json.agents.find((a: { id: string }) => a.id === alice.id).load).toBe(0);
  });
});
