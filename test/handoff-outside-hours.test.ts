// The "talk to a person" button outside business hours, over real HTTP (issue 13): nothing is queued, the
// visitor is told when people are back and offered leaving a message, the reply is kept in the history once
// per press, and reports count the request as a handoff (the bot did not contain it).
import { describe, expect, it } from 'vitest';
import { postChat, signIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
useTestServer('handoff-outside-hours-', { env: { BUSINESS_HOURS: 'default' }, started: (s) => (base = s.url) });

type Reply = { kind: string; text: string; queue?: unknown; leaveMessage?: { reason: string; opensAt?: string } };

describe('the handoff button outside business hours', () => {
  it('offers leaving a message, keeps the reply in the history, and counts the handoff in reports', async () => {
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    // Every group's shift starts two hours from now: closed at this moment whatever the time of day.
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(new Date()));
    const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    const { json } = await admin.call('GET', '/api/admin/groups');
    for (const g of json.groups as Array<{ id: string; name: string; provinces: string[]; skills: string[] }>) {
      const put = await admin.call('PUT', `/api/admin/groups/${g.id}`, { name: g.name, hours: { open: hh(hour + 2), close: hh(hour + 3) }, provinces: g.provinces, skills: g.skills });
      expect(put.status).toBe(200);
    }
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const report = async () => (await admin.call('GET', `/api/admin/reports?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json;
    const before = await report();

    const chat = await postChat<{ conversationId: string; token: string; reply: Reply }>(base, '网厅充值有折扣吗');
    const auth = { authorization: `Bearer ${chat.token}` };
    const press = async () => {
      const res = await fetch(`${base}/api/conversations/${chat.conversationId}/handoff`, { method: 'POST', headers: auth });
      expect(res.status).toBe(200);
      return ((await res.json()) as { reply: Reply }).reply;
    };
    const reply = await press();
    expect(reply.kind).toBe('handoff');
    expect(reply.queue).toBeUndefined();
    expect(reply.leaveMessage?.reason).toBe('outside_hours');
    expect(reply.text).toMatch(/上线/);

    const history = await fetch(`${base}/api/conversations/${chat.conversationId}/messages`, { headers: auth }).then(async (r) => (await r.json()) as { status: string; messages: { author: string; text: string }[] });
    expect(history.status).toBe('bot');
    expect(history.messages.filter((m) => m.author === 'bot' && m.text === reply.text)).toHaveLength(1);
    const queue = await admin.call('GET', '/api/agent/queue');
    expect(queue.json.conversations.map((c: { id: string }) => c.id)).not.toContain(chat.conversationId);

    // The request counts as a handoff: the bot did not contain this chat.
    const after = await report();
    const handedOff = (r: { conversations: number; handoffRate: number }) => Math.round(r.handoffRate * r.conversations);
    expect(after.conversations - before.conversations).toBe(1);
    expect(handedOff(after) - handedOff(before)).toBe(1);

    // The message left reaches the tickets of the chat's group.
    const ticket = await fetch(`${base}/api/conversations/${chat.conversationId}/ticket`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ contact: '13800138000', text: '明早回电' }),
    });
    expect(ticket.status).toBe(201);
  });
});
