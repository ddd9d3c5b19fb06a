// The agent console's queue API through app.request() on a real SQLite file, with a stand-in session
// middleware (x-agent header) in place of the real one.
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

describe('authentication', () => {
  it('every route needs an agent; admin routes need an admin', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    for (const [method, url] of [
      ['GET', '/api/agent/queue'],
      ['GET', '/api/agent/status'],
      ['POST', '/api/agent/status'],
      ['GET', '/api/agent/conversations'],
      ['GET', '/api/agent/conversations/x'],
      ['POST', '/api/agent/conversations/x/take'],
      ['POST', '/api/agent/conversations/x/messages'],
      ['POST', '/api/agent/conversations/x/transfer'],
      ['POST', '/api/agent/conversations/x/close'],
      ['GET', '/api/agent/tickets'],
      ['POST', '/api/agent/tickets/1/answer'],
      ['GET', '/api/agent/groups'],
      ['GET', '/api/admin/groups'],
      ['PUT', '/api/admin/groups/mobile'],
    ] as const) {
      expect((await kit.request(url, { method })).status, `${method} ${url}`).toBe(401);
    }
    expect((await kit.request('/api/admin/groups', { agent: 'a' })).status).toBe(403);
  });
});

describe('status and queue', () => {
  it('sets the agent’s status and lists the queue of their groups with waiting time, reason and preview', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', groups: ['mobile'] });
    kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    const mobile = await kit.queued('mobile', { text: '我要投诉，网速太慢' });
    kit.time.advance(30_000);
    await kit.queued('billing');
    kit.time.advance(15_000);

    expect((await kit.request('/api/agent/status', { agent: 'a' })).json).toEqual({ status: 'offline' });
    const away = await kit.request('/api/agent/status', { method: 'POST', agent: 'a', body: { status: 'away' } });
    expect(away).toEqual({ status: 200, json: { status: 'away' } });
    expect(kit.presence.status('a')).toBe('away');

    const queue = await kit.request('/api/agent/queue', { agent: 'a' });
    expect(queue.status).toBe(200);
    expect(queue.json).toEqual({
      conversations: [
        { id: mobile.id, waitingSeconds: 45, lang: 'zh', reason: 'requested', preview: '我要投诉，网速太慢', group: 'mobile', position: 1 },
      ],
    });
    const all = await kit.request('/api/agent/queue', { agent: 'boss' });
    expect(all.json.conversations.map((c: { group: string }) => c.group)).toEqual(['mobile', 'billing']);
  });

  it('400 for a bad status body, naming the field', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    const bad = await kit.request('/api/agent/status', { method: 'POST', agent: 'a', body: { status: 'sleeping' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ field: 'status' });
    const missing = await kit.request('/api/agent/status', { method: 'POST', agent: 'a', body: {} });
    expect(missing.json.error).toMatchObject({ code: 'missing_field', field: 'status' });
    const notJson = await kit.app.request('/api/agent/status', { method: 'POST', headers: { 'x-agent': 'a' }, body: 'status=online' });
    expect(notJson.status).toBe(415);
  });

  it('lists groups with whether they are open', async () => {
    const kit = setup({ start: new Date('2025-03-03T21:45:00+08:00') });
    kit.agents.add({ id: 'a' });
    const { json } = await kit.request('/api/agent/groups', { agent: 'a' });
    expect(json.groups).toContainEqual({ id: 'billing', name: '账单缴费 Billing', open: false, opensAt: '2025-03-04T00:30:00.000Z' });
  });
});

describe('take', () => {
  it('50 concurrent takes of one chat: exactly one 200, the rest 409', async () => {
    const kit = setup();
    for (let i = 0; i < 50; i++) kit.agents.add({ id: `agent${i}` });
    const chat = await kit.queued();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: `agent${i}` })),
    );
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(49);
    for (const r of responses.filter((r) => r.status === 409)) expect(r.json.error.code).toBe('conflict');
    const holder = (await kit.store.get(chat.id)).agentId;
    expect(winners[0]!.json).toMatchObject({ id: chat.id, status: 'assigned', agent: { id: holder } });
    // Exactly one "agent joined" note and one assignment event.
    expect((await kit.conversations.listMessages(chat.id)).filter((m) => m.kind === 'agent_joined')).toHaveLength(1);
    expect(kit.hub.events.filter((e) => e.event.type === 'assigned')).toHaveLength(1);
  });

  it('409 when another agent has it, 403 outside the agent’s groups, 404 for an unknown chat', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    kit.agents.add({ id: 'billing-only', groups: ['billing'] });
    const chat = await kit.queued();
    expect((await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' })).status).toBe(200);
    const again = await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'b' });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/another agent/);
    const other = await kit.queued();
    expect((await kit.request(`/api/agent/conversations/${other.id}/take`, { method: 'POST', agent: 'billing-only' })).status).toBe(403);
    expect((await kit.request('/api/agent/conversations/nope/take', { method: 'POST', agent: 'a' })).status).toBe(404);
    expect((await kit.request(`/api/agent/conversations/${'x'.repeat(300)}/take`, { method: 'POST', agent: 'a' })).status).toBe(404);
  });
});

describe('the conversation view', () => {
  it('shows the transcript, why the bot handed off, its top candidates and the visitor context', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    const created = await kit.conversations.createConversation({
      lang: 'zh',
      visitor: { pageUrl: 'https://www.10010.com/bill', referrer: 'https://www.baidu.com/', userAgent: 'UA/1' },
      firstTurn: { visitorText: '话费怎么查', reply: { author: 'bot', text: '…', kind: 'clarify', confidence: 0.4 } },
    });
    const id = created.conversation.id;
    await kit.conversations.appendTurn(id, {
      visitorText: '转人工',
      reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
      decision: { kind: 'handoff', reason: 'requested' },
      handoff: {
        reason: 'requested',
        group: 'mobile',
        decision: {
          kind: 'handoff',
          reason: 'requested',
          candidates: [],
          previous: { kind: 'clarify', candidates: [{ entryId: 'billing.query', score: 0.41, coverage: 0.5 }] },
        },
      },
    });
    kit.time.advance(20_000);
    const view = await kit.request(`/api/agent/conversations/${id}`, { agent: 'a' });
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({
      id,
      status: 'queued',
      lang: 'zh',
      group: 'mobile',
      waitingSeconds: 20,
      position: 1,
      etaSeconds: 120,
      handoff: {
        reason: 'requested',
        candidates: [{ entryId: 'billing.query', score: 0.41, coverage: 0.5 }],
        previous: { kind: 'clarify' },
      },
      lastDecision: { kind: 'handoff' },
      visitor: {
        lang: 'zh',
        firstSeen: created.conversation.createdAt,
        pageUrl: 'https://www.10010.com/bill',
        referrer: 'https://www.baidu.com/',
        userAgent: 'UA/1',
      },
      transfers: [],
      more: false,
    });
    expect(view.json.messages.map((m: { author: string; text: string }) => [m.author, m.text])).toEqual([
      ['visitor', '话费怎么查'],
      ['bot', '…'],
      ['visitor', '转人工'],
      ['bot', '正在为您转接'],
    ]);
    const after = await kit.request(`/api/agent/conversations/${id}?after=${view.json.messages[1].id}`, { agent: 'a' });
    expect(after.json.messages).toHaveLength(2);
    expect((await kit.request(`/api/agent/conversations/${id}?after=x`, { agent: 'a' })).status).toBe(400);
  });

  it('agents see chats they hold or that wait in their groups; admins see any', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    kit.agents.add({ id: 'biller', groups: ['billing'] });
    kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    const chat = await kit.queued('mobile');
    expect((await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'b' })).status).toBe(200);
    expect((await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'biller' })).status).toBe(403);
    await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' });
    expect((await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'a' })).json.agent).toEqual({ id: 'a', displayName: 'Agent a' });
    expect((await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'b' })).status).toBe(403);
    expect((await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'boss' })).status).toBe(200);
    const bot = await kit.conversation();
    expect((await kit.request(`/api/agent/conversations/${bot.id}`, { agent: 'a' })).status).toBe(403);
  });
});

describe('messages, transfer, close', () => {
  it('the holder writes to the visitor; the message is stored and published; others get 409', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    const chat = await kit.queued();
    await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' });
    const sent = await kit.request(`/api/agent/conversations/${chat.id}/messages`, { method: 'POST', agent: 'a', body: { text: ' 您好，请问有什么可以帮您？\u0007 ' } });
    expect(sent.status).toBe(201);
    expect(sent.json.message).toMatchObject({ author: 'agent', text: '您好，请问有什么可以帮您？' });
    const stored = (await kit.conversations.listMessages(chat.id)).at(-1)!;
    expect(stored).toMatchObject({ id: sent.json.message.id, author: 'agent', agentId: 'a' });
    expect(kit.hub.on(`conversation:${chat.id}`, 'message').at(-1)).toEqual({ type: 'message', conversationId: chat.id, message: stored });
    expect((await kit.request(`/api/agent/conversations/${chat.id}/messages`, { method: 'POST', agent: 'b', body: { text: 'hi' } })).status).toBe(409);
    for (const [body, code] of [
      [{}, 'missing_field'],
      [{ text: '' }, 'empty_text'],
      [{ text: 42 }, 'invalid_text'],
      [{ text: 'x'.repeat(2001) }, 'message_too_long'],
    ] as const) {
      const bad = await kit.request(`/api/agent/conversations/${chat.id}/messages`, { method: 'POST', agent: 'a', body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error).toMatchObject({ code, field: 'text' });
    }
  });

  it('lists the agent’s own active chats', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    const chat = await kit.queued('mobile', { text: '宽带报修' });
    await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' });
    const { json } = await kit.request('/api/agent/conversations', { agent: 'a' });
    expect(json.conversations).toEqual([
      expect.objectContaining({ id: chat.id, group: 'mobile', lang: 'zh', reason: 'requested', preview: '宽带报修' }),
    ]);
  });

  it('transfers to an agent or a group; exactly one target', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    kit.agents.add({ id: 'biller', groups: ['billing'] });
    await kit.online('b');
    kit.presence.setStatus('biller', 'away');
    const chat = await kit.queued();
    await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' });

    for (const body of [{}, { agent: 'b', group: 'billing' }, { agent: 7 }, { agent: 'b', note: 5 }]) {
      const bad = await kit.request(`/api/agent/conversations/${chat.id}/transfer`, { method: 'POST', agent: 'a', body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const toAgent = await kit.request(`/api/agent/conversations/${chat.id}/transfer`, { method: 'POST', agent: 'a', body: { agent: 'b', note: '老用户' } });
    expect(toAgent.status).toBe(200);
    expect(toAgent.json.transfer).toMatchObject({ fromAgentId: 'a', toAgentId: 'b', note: '老用户' });
    const toGroup = await kit.request(`/api/agent/conversations/${chat.id}/transfer`, { method: 'POST', agent: 'b', body: { group: 'billing' } });
    expect(toGroup.status).toBe(200);
    expect(await kit.store.get(chat.id)).toMatchObject({ status: 'queued', groupId: 'billing' });
    const view = await kit.request(`/api/agent/conversations/${chat.id}`, { agent: 'biller' });
    expect(view.json.transfers).toEqual([
      expect.objectContaining({ from: { id: 'a', displayName: 'Agent a' }, toAgent: { id: 'b', displayName: 'Agent b' }, note: '老用户' }),
      expect.objectContaining({ from: { id: 'b', displayName: 'Agent b' }, toGroup: 'billing' }),
    ]);
    expect((await kit.request(`/api/agent/conversations/${chat.id}/transfer`, { method: 'POST', agent: 'a', body: { group: 'mobile' } })).status).toBe(409);
  });

  it('closes the chat; the visitor can rate it once afterwards', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    const chat = await kit.queued();
    await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' });
    const closed = await kit.request(`/api/agent/conversations/${chat.id}/close`, { method: 'POST', agent: 'a' });
    expect(closed).toEqual({ status: 200, json: { conversationId: chat.id, status: 'closed', closedBy: 'agent', alreadyClosed: false } });
    const rated = await kit.request(`/api/conversations/${chat.id}/rating`, { method: 'POST', token: chat.token, body: { score: 5, comment: '很满意' } });
    expect(rated).toEqual({ status: 201, json: { rating: { score: 5, comment: '很满意' } } });
  });
});

describe('tickets', () => {
  it('agents list the open tickets of their groups and answer them; the answer reaches the chat', async () => {
    const kit = setup({ start: new Date('2025-03-03T22:00:00+08:00'), groupOf: () => 'billing' });
    kit.agents.add({ id: 'biller', groups: ['billing'] });
    kit.agents.add({ id: 'mobile-only', groups: ['mobile'] });
    const chat = await kit.conversation();
    const left = await kit.request(`/api/conversations/${chat.id}/ticket`, {
      method: 'POST',
      token: chat.token,
      body: { contact: '13800138000', text: '我的发票还没收到' },
    });
    expect(left.status).toBe(201);

    const list = await kit.request('/api/agent/tickets?status=open', { agent: 'biller' });
    expect(list.json.tickets).toEqual([
      expect.objectContaining({ id: left.json.ticket.id, groupId: 'billing', contact: '13800138000', text: '我的发票还没收到', reason: 'outside_hours', status: 'open', conversationId: chat.id }),
    ]);
    expect((await kit.request('/api/agent/tickets', { agent: 'mobile-only' })).json.tickets).toEqual([]);
    expect((await kit.request('/api/agent/tickets?status=closed', { agent: 'biller' })).status).toBe(400);

    const ticketId = left.json.ticket.id;
    expect((await kit.request(`/api/agent/tickets/${ticketId}/answer`, { method: 'POST', agent: 'mobile-only', body: { text: 'x' } })).status).toBe(403);
    const answered = await kit.request(`/api/agent/tickets/${ticketId}/answer`, { method: 'POST', agent: 'biller', body: { text: '发票已重新寄出' } });
    expect(answered.status).toBe(200);
    expect(answered.json.ticket).toMatchObject({ status: 'answered', answer: '发票已重新寄出', answeredBy: 'biller' });
    const last = (await kit.conversations.listMessages(chat.id)).at(-1)!;
    expect(last).toMatchObject({ author: 'agent', text: '发票已重新寄出', agentId: 'biller' });
    expect(kit.hub.on(`conversation:${chat.id}`, 'message').at(-1)).toMatchObject({ message: { id: last.id } });
    expect((await kit.request(`/api/agent/tickets/${ticketId}/answer`, { method: 'POST', agent: 'biller', body: { text: 'again' } })).status).toBe(409);
    expect((await kit.request('/api/agent/tickets/999/answer', { method: 'POST', agent: 'biller', body: { text: 'x' } })).status).toBe(404);
    expect((await kit.request('/api/agent/tickets/abc/answer', { method: 'POST', agent: 'biller', body: { text: 'x' } })).status).toBe(404);
    expect((await kit.request('/api/agent/tickets?status=answered', { agent: 'biller' })).json.tickets).toHaveLength(1);
  });
});
