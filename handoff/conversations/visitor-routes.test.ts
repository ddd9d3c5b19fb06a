// The visitor's handoff API (button, close, rating, leave a message) through app.request() on a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { routingKit, type RoutingKit, type RoutingKitOptions } from '../testing/routing-test-kit.ts';

let kits: RoutingKit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function setup(options: RoutingKitOptions = {}): RoutingKit {
  const kit = routingKit(options);
  kits.push(kit);
  return kit;
}

describe('POST /api/conversations/:id/handoff (the "talk to a person" button)', () => {
  it('queues the chat in its group with place and wait when everyone is busy', async () => {
    const kit = setup({ groupOf: () => 'billing' });
    kit.agents.add({ id: 'b', groups: ['billing'] });
    await kit.online('b');
    kit.presence.setStatus('b', 'busy');
    const chat = await kit.conversation({ lang: 'en' });
    const res = await kit.request(`/api/conversations/${chat.id}/handoff`, { method: 'POST', token: chat.token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      conversationId: chat.id,
      reply: { kind: 'handoff', text: "OK, I'm getting you a person. Please hold on.", confidence: 1, suggestions: [], queue: { position: 1, etaSeconds: 120 } },
    });
    const conversation = await kit.conversations.getConversation(chat.id);
    expect(conversation).toMatchObject({ status: 'queued', handoff: { reason: 'requested', group: 'billing', decision: { source: 'button' } } });
    const last = (await kit.conversations.listMessages(chat.id)).at(-1)!;
    expect(last).toMatchObject({ author: 'bot', kind: 'handoff' });
    expect(kit.hub.on(`conversation:${chat.id}`, 'message').at(-1)).toMatchObject({ message: { id: last.id } });
    expect(kit.hub.on(`conversation:${chat.id}`, 'queue_position')).toEqual([
      { type: 'queue_position', conversationId: chat.id, position: 1, etaSeconds: 120 },
    ]);

    // Pressed again: nothing new is written, the answer says where it stands.
    const again = await kit.request(`/api/conversations/${chat.id}/handoff`, { method: 'POST', token: chat.token });
    expect(again.json.reply.queue).toEqual({ position: 1, etaSeconds: 120 });
    expect((await kit.conversations.listMessages(chat.id)).at(-1)!.id).toBe(last.id);
  });

  it('goes straight to a free agent', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', displayName: '小王' });
    await kit.online('a');
    const chat = await kit.conversation();
    const res = await kit.request(`/api/conversations/${chat.id}/handoff`, { method: 'POST', token: chat.token });
    expect(res.json.reply).toMatchObject({ kind: 'handoff', agent: { displayName: '小王' } });
    expect(res.json.reply).not.toHaveProperty('queue');
    expect(await kit.store.get(chat.id)).toMatchObject({ status: 'assigned', agentId: 'a', groupId: 'mobile' });
  });

  it('outside hours: when people are back, and an invitation to leave a message; nothing queued', async () => {
    const kit = setup({ start: new Date('2025-03-03T21:31:00+08:00') });
    kit.agents.add({ id: 'a' });
    await kit.online('a');
    const chat = await kit.conversation({ lang: 'zh' });
    const res = await kit.request(`/api/conversations/${chat.id}/handoff`, { method: 'POST', token: chat.token });
    expect(res.json.reply).toMatchObject({
      kind: 'handoff',
      leaveMessage: { reason: 'outside_hours', opensAt: new Date('2025-03-04T08:30:00+08:00').toISOString() },
    });
    expect(res.json.reply.text).toContain('北京时间明天 08:30');
    expect((await kit.store.get(chat.id)).status).toBe('bot');
  });

  it('nobody in the group: leave a message', async () => {
    const kit = setup();
    const chat = await kit.conversation({ lang: 'en' });
    const res = await kit.request(`/api/conversations/${chat.id}/handoff`, { method: 'POST', token: chat.token });
    expect(res.json.reply).toMatchObject({ kind: 'handoff', leaveMessage: { reason: 'no_agents' } });
    expect(res.json.reply.text).toMatch(/leave a message/);
  });

  it('401 without a token, 404 for a wrong one', async () => {
    const kit = setup();
    const a = await kit.conversation();
    const b = await kit.conversation();
    expect((await kit.request(`/api/conversations/${a.id}/handoff`, { method: 'POST' })).status).toBe(401);
    expect((await kit.request(`/api/conversations/${a.id}/handoff`, { method: 'POST', token: b.token })).status).toBe(404);
    expect((await kit.request(`/api/conversations/${a.id}/close`, { method: 'POST', token: b.token })).status).toBe(404);
    expect((await kit.request(`/api/conversations/${a.id}/rating`, { method: 'POST', token: b.token, body: { score: 5 } })).status).toBe(404);
    expect((await kit.request(`/api/conversations/${a.id}/ticket`, { method: 'POST', token: b.token, body: { contact: 'x@y.cn', text: 'hi' } })).status).toBe(404);
  });
});

describe('POST /api/conversations/:id/close', () => {
  it('the visitor ends a chat with an agent: the agent’s slot frees up for the next one', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', capacity: 1 });
    await kit.online('a');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id);
    const next = await kit.queued();
    await kit.routing.enqueued(next.id);
    const res = await kit.request(`/api/conversations/${chat.id}/close`, { method: 'POST', token: chat.token });
    expect(res).toEqual({ status: 200, json: { conversationId: chat.id, status: 'closed', closedBy: 'visitor' } });
    expect(kit.hub.on(`conversation:${chat.id}`, 'closed')).toEqual([{ type: 'closed', conversationId: chat.id, by: 'visitor' }]);
    expect(await kit.store.get(next.id)).toMatchObject({ status: 'assigned', agentId: 'a' });
    // Closing twice is harmless.
    expect((await kit.request(`/api/conversations/${chat.id}/close`, { method: 'POST', token: chat.token })).status).toBe(200);
  });

  it('leaving the queue moves everyone behind up', async () => {
    const kit = setup();
    const first = await kit.queued();
    await kit.routing.enqueued(first.id);
    const second = await kit.queued();
    await kit.routing.enqueued(second.id);
    await kit.request(`/api/conversations/${first.id}/close`, { method: 'POST', token: first.token });
    expect(kit.hub.on(`conversation:${second.id}`, 'queue_position').at(-1)).toMatchObject({ position: 1 });
  });
});

describe('POST /api/conversations/:id/rating', () => {
  it('only after close, once, 1-5 with an optional comment', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    await kit.online('a');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id);
    const rate = (body: unknown) => kit.request(`/api/conversations/${chat.id}/rating`, { method: 'POST', token: chat.token, body });

    expect((await rate({ score: 4 })).status).toBe(409); // still open
    await kit.routing.close(chat.id, { kind: 'agent', agent: (await kit.agents.get('a'))! });
    for (const body of [{}, { score: 0 }, { score: 6 }, { score: 4.5 }, { score: '5' }, { score: 5, comment: 7 }, { score: 5, comment: 'x'.repeat(501) }]) {
      const bad = await rate(body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.field).toMatch(/^(score|comment)$/);
    }
    expect(await rate({ score: 4, comment: ' 客服很耐心 ' })).toEqual({ status: 201, json: { rating: { score: 4, comment: '客服很耐心' } } });
    expect((await rate({ score: 5 })).status).toBe(409);
    expect(await kit.store.latestClosure(chat.id)).toMatchObject({ rating: 4, ratingComment: '客服很耐心', agentId: 'a' });
    const view = await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'a' });
    expect(view.status).toBe(403); // closed: no longer the agent's
  });

  it('a chat the visitor closed without a person can be rated too; a never-closed one cannot', async () => {
    const kit = setup();
    const chat = await kit.conversation();
    const rate = () => kit.request(`/api/conversations/${chat.id}/rating`, { method: 'POST', token: chat.token, body: { score: 3 } });
    expect((await rate()).status).toBe(409);
    await kit.request(`/api/conversations/${chat.id}/close`, { method: 'POST', token: chat.token });
    expect((await rate()).status).toBe(201);
  });
});

describe('POST /api/conversations/:id/ticket (leave a message)', () => {
  it('stores contact and text for the group’s agents, with why; one open message per chat', async () => {
    const kit = setup({ groupOf: () => 'broadband' });
    const chat = await kit.conversation({ lang: 'en' });
    const left = await kit.request(`/api/conversations/${chat.id}/ticket`, {
      method: 'POST',
      token: chat.token,
      body: { contact: ' li@example.com ', text: 'My broadband is down since Monday.' },
    });
    expect(left.status).toBe(201);
    expect(left.json).toMatchObject({ ticket: { id: expect.any(Number), status: 'open' }, text: expect.stringMatching(/got your message/) });
    expect(await kit.tickets.get(left.json.ticket.id)).toMatchObject({
      conversationId: chat.id,
      groupId: 'broadband',
      lang: 'en',
      contact: 'li@example.com',
      reason: 'no_agents',
      status: 'open',
    });
    const second = await kit.request(`/api/conversations/${chat.id}/ticket`, { method: 'POST', token: chat.token, body: { contact: 'x', text: 'again' } });
    expect(second.status).toBe(409);
  });

  it('400 naming the field for a bad contact or text', async () => {
    const kit = setup();
    const chat = await kit.conversation();
    for (const [body, field] of [
      [{ text: 'hi' }, 'contact'],
      [{ contact: '', text: 'hi' }, 'contact'],
      [{ contact: 'x'.repeat(201), text: 'hi' }, 'contact'],
      [{ contact: '138', text: '' }, 'text'],
      [{ contact: '138', text: 'x'.repeat(1001) }, 'text'],
      [{ contact: '138', text: ['hi'] }, 'text'],
    ] as const) {
      const res = await kit.request(`/api/conversations/${chat.id}/ticket`, { method: 'POST', token: chat.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.field).toBe(field);
    }
  });
});
