// A fresh install as a telecom would first try it (issue 13): the service started whole with only
// ADMIN_USERNAME/ADMIN_PASSWORD, a visitor asking for a person before anyone signs in, then the admin
// signing in. Also: a rule handoff reaches the team of what it is about, and reports count every handoff.
import { describe, expect, it } from 'vitest';
import { postChat, signIn, streamKeeper } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
const streams = streamKeeper();
useTestServer('handoff-first-run-', { streams, started: (s) => (base = s.url) });

type Reply = { kind: string; text: string; queue?: { position: number; etaSeconds: number }; leaveMessage?: { reason: string }; agent?: { displayName: string } };
const chat = (text: string, auth?: { id: string; token: string }) => postChat<{ conversationId: string; token?: string; reply: Reply | null }>(base, text, auth);

describe('a fresh install', () => {
  it('queues a visitor who asks for a person before anyone signs in, and the first admin takes the chat', async () => {
    const first = await chat('转人工');
    expect(first.reply?.kind).toBe('handoff');
    // Queued, with a place and a wait, and told honestly that nobody is online (leaving a message offered).
    expect(first.reply?.queue?.position).toBe(1);
    expect(first.reply?.leaveMessage?.reason).toBe('no_agents');
    expect(first.reply?.text).toMatch(/排队/);

    // The first admin (no groups of their own) signs in and sees the chat waiting.
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const queue = await admin.call('GET', '/api/agent/queue');
    expect(queue.json.conversations.map((c: { id: string }) => c.id)).toContain(first.conversationId);

    // Online with the console open: the admin is offered the chat like any agent of the group.
    const events = await streams.open(`${base}/api/agent/events`, { cookie: admin.cookie });
    await events.waitFor((e) => e.event === 'ready');
    expect((await admin.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    await events.waitFor((e) => e.event === 'assigned' && e.json.conversationId === first.conversationId);
    const view = await admin.call('GET', `/api/agent/conversations/${first.conversationId}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.json)).toContain('转人工');
    expect((await admin.call('POST', `/api/agent/conversations/${first.conversationId}/close`)).status).toBe(200);
    expect((await admin.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
  });

  it('routes a request for a person to the team of what the message is about', async () => {
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const broadband = await chat('宽带报修，家里宽带一直掉线');
    const billing = await chat('充值卡充错号码了，帮我转人工');
    expect(broadband.reply?.kind).toBe('handoff');
    expect(billing.reply?.kind).toBe('handoff');
    const queue = await admin.call('GET', '/api/agent/queue');
    const groupOf = (id: string) => queue.json.conversations.find((c: { id: string }) => c.id === id)?.group;
    expect(groupOf(broadband.conversationId)).toBe('broadband');
    expect(groupOf(billing.conversationId)).toBe('billing');
  });

  it('counts every handoff in the reports, also those nobody was online for', async () => {
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const before = await admin.call('GET', `/api/admin/reports?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    for (let i = 0; i < 4; i++) expect((await chat('我要人工客服')).reply?.kind).toBe('handoff');
    const after = await admin.call('GET', `/api/admin/reports?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const handedOff = (r: { conversations: number; handoffRate: number }) => Math.round(r.handoffRate * r.conversations);
    expect(after.json.conversations - before.json.conversations).toBe(4);
    expect(handedOff(after.json) - handedOff(before.json)).toBe(4);
    expect(after.json.containmentRate).toBeLessThan(1);
  });
});

describe('regional routing', () => {
  it('gives a province visitor to the province team, others to the national team, and refuses an unknown province', async () => {
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const hours = { timeZone: 'Asia/Shanghai', open: '00:00', close: '23:59', days: [1, 2, 3, 4, 5, 6, 7] };
    expect((await admin.call('PUT', '/api/admin/groups/guangdong', { name: '广东客服', hours, provinces: ['guangdong'] })).status).toBe(201);
    expect((await admin.call('PUT', '/api/admin/groups/national', { name: '全国客服', hours })).status).toBe(201);
    const bad = await admin.call('PUT', '/api/admin/groups/nowhere', { name: 'x', hours, provinces: ['atlantis'] });
    expect(bad.status).toBe(400);
    const listed = await admin.call('GET', '/api/admin/groups');
    expect(listed.json.groups).toContainEqual(expect.objectContaining({ id: 'guangdong', provinces: ['guangdong'], skills: [] }));
    expect(listed.json.groups).toContainEqual(expect.objectContaining({ id: 'billing', provinces: [], skills: ['billing'] }));

    const agents: Record<string, Awaited<ReturnType<typeof signIn>>> = {};
    for (const [username, group] of [['gd-agent', 'guangdong'], ['cn-agent', 'national']] as const) {
      const created = await admin.call('POST', '/api/admin/agents', { username, displayName: username, password: `${username}-pass-123`, role: 'agent', groups: [group], capacity: 3 });
      expect(created.status).toBe(201);
      agents[username] = await signIn(base, username, `${username}-pass-123`);
      const events = await streams.open(`${base}/api/agent/events`, { cookie: agents[username]!.cookie });
      await events.waitFor((e) => e.event === 'ready');
      expect((await agents[username]!.call('POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
    }

    const ask = async (province: string) => {
      const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '转人工', province }) });
      return { status: res.status, json: (await res.json()) as { conversationId: string; reply: Reply; error?: { code: string } } };
    };
    const cantonese = await ask('guangdong');
    expect(cantonese.json.reply.agent?.displayName).toBe('gd-agent');
    const sichuan = await ask('sichuan');
    expect(sichuan.json.reply.agent?.displayName).toBe('cn-agent');
    // The agent sees where the visitor is from and which team has the chat.
    const view = await agents['gd-agent']!.call('GET', `/api/agent/conversations/${cantonese.json.conversationId}`);
    expect(view.json).toMatchObject({ province: 'guangdong', group: 'guangdong' });

    const unknown = await ask('atlantis');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error?.code).toBe('invalid_province');

    // No province known: the visitor is asked first (nothing queued), and the answer routes the handoff.
    type Asked = Reply & { suggestions: { entryId: string; question: string }[] };
    const asked = await chat('转人工');
    const question = asked.reply as Asked;
    expect(question.kind).toBe('handoff');
    expect(question.queue).toBeUndefined();
    expect(question.agent).toBeUndefined();
    expect(question.suggestions.map((x) => x.question)).toEqual(['广东', '其他省份']);
    const answered = await chat('广东省', { id: asked.conversationId, token: asked.token! });
    expect(answered.reply).toMatchObject({ agent: { displayName: 'gd-agent' } });
    const elsewhere = await chat('我要人工客服');
    const declined = await chat('其他省份', { id: elsewhere.conversationId, token: elsewhere.token! });
    expect(declined.reply).toMatchObject({ agent: { displayName: 'cn-agent' } });
    const view2 = await agents['gd-agent']!.call('GET', `/api/agent/conversations/${asked.conversationId}`);
    expect(view2.json).toMatchObject({ province: 'guangdong', group: 'guangdong' });

    // The widget's button asks the same, once; a typed answer naming the province routes it.
    const started = await chat('你好');
    const auth = { authorization: `Bearer ${started.token!}` };
    const press = () => fetch(`${base}/api/conversations/${started.conversationId}/handoff`, { method: 'POST', headers: auth }).then(async (r) => (await r.json()) as { reply: Asked });
    const pressed = await press();
    expect(pressed.reply.suggestions.map((x) => x.question)).toContain('广东');
    expect(pressed.reply.queue).toBeUndefined();
    await press();
    const history = await fetch(`${base}/api/conversations/${started.conversationId}/messages`, { headers: auth }).then(async (r) => (await r.json()) as { messages: { text: string }[] });
    expect(history.messages.filter((m) => m.text === pressed.reply.text)).toHaveLength(1);
    const typed = await chat('我是广东的号码', { id: started.conversationId, token: started.token! });
    expect(typed.reply?.agent?.displayName).toBe('gd-agent');

    // Asked once: an answer that is something else is read as a message, and a second request goes on unasked.
    const moved = await chat('人工');
    const otherQuestion = await chat('怎么查话费', { id: moved.conversationId, token: moved.token! });
    expect(otherQuestion.reply?.kind).not.toBe('handoff');
    const again = await chat('转人工', { id: moved.conversationId, token: moved.token! });
    // Not asked again: queued for the team of the subject it was on (the bill, the national mobile team).
    expect(again.reply).toMatchObject({ kind: 'handoff', suggestions: [], queue: { position: expect.any(Number) } });
  });

  it('answers the agent hours of the team serving the visitor\'s province', async () => {
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const hours = { timeZone: 'Asia/Shanghai', open: '09:00', close: '22:00', days: [1, 2, 3, 4, 5, 6, 7] };
    expect((await admin.call('PUT', '/api/admin/groups/xinjiang', { name: '新疆客服', hours, provinces: ['xinjiang'] })).status).toBe(201);
    const ask = async (province?: string) => {
      const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '人工客服几点上班', ...(province ? { province } : {}) }) });
      return ((await res.json()) as { reply: Reply }).reply.text;
    };
    expect(await ask('xinjiang')).toContain('您所在的新疆，人工客服服务时间为每天 09:00–22:00');
    expect(await ask('guangdong')).toContain('您所在的广东，人工客服服务时间为每天 00:00–23:59');
    expect(await ask()).not.toContain('您所在的');
  });
});
