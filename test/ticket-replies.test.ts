// A left message's answer reaches its visitor (issue 17), over the real app with SMTP_URL pointing at a real SMTP
// server on loopback: the visitor leaves a message with an e-mail address, an agent answers it in the console's
// tickets API, the answer is in the visitor's chat and in GET /api/conversations/:id/tickets (tied to its message),
// and the visitor gets it by e-mail. Another chat's token sees none of it; with SMTP down the answer still succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpTestServer, type SmtpTestServer } from '../handoff/testing/smtp-test-server.ts';
import { overApp, signInCookie } from './http-kit.ts';
import { ADMIN, testConfig, wireService, type TestConfig, type WiredService } from './service-kit.ts';

const ORIGIN = 'http://localhost';

interface Running {
  data: TestConfig;
  service: WiredService;
  adminCookie: string;
}

async function start(prefix: string, smtpUrl: string): Promise<Running> {
  const data = testConfig(prefix, { SMTP_URL: smtpUrl, SMTP_FROM: 'Online hall <noreply@hall.example>' });
  const service = await wireService(data.config);
  return { data, service, adminCookie: await signInCookie(overApp(service.app), ORIGIN, ADMIN) };
}

async function stop(r: Running | undefined): Promise<void> {
  await r?.service.stop();
  r?.data.remove();
}

async function call(r: Running, method: string, url: string, opts: { body?: unknown; token?: string; cookie?: string } = {}) {
  const headers: Record<string, string> = { origin: ORIGIN };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await r.service.app.request(url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
}

async function chat(r: Running, text: string, lang: 'zh' | 'en' = 'zh') {
  const res = await call(r, 'POST', '/api/chat', { body: { text, lang } });
  expect(res.status).toBe(200);
  return { id: res.json.conversationId as string, token: res.json.token as string };
}

describe('an answered left message reaches the visitor', () => {
  let smtp: SmtpTestServer;
  let r: Running;
  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    r = await start('ticket-replies-', smtp.url);
  }, 60_000);
  afterAll(async () => {
    await stop(r);
    await smtp?.close();
  });

  it('in the widget (the answer is the chat message the ticket names) and by e-mail to the address left', async () => {
    const visitor = await chat(r, '宽带报修');
    const other = await chat(r, '你好');
    const left = await call(r, 'POST', `/api/conversations/${visitor.id}/ticket`, {
      token: visitor.token,
      body: { contact: 'li.wei@example.com', text: '宽带一直掉线，请明天上午回电' },
    });
    expect(left.status).toBe(201);
    const ticketId = left.json.ticket.id as number;

    // Before the answer: the visitor sees the message as received and waiting.
    const waiting = await call(r, 'GET', `/api/conversations/${visitor.id}/tickets`, { token: visitor.token });
    expect(waiting.status).toBe(200);
    expect(waiting.json.tickets).toEqual([{ id: ticketId, text: '宽带一直掉线，请明天上午回电', status: 'open', createdAt: expect.any(String) }]);

    const answer = '已为您重置宽带端口，请重启光猫后再试；如仍掉线请拨打10010。';
    const answered = await call(r, 'POST', `/api/agent/tickets/${ticketId}/answer`, { cookie: r.adminCookie, body: { text: answer } });
    expect(answered.status).toBe(200);
    expect(answered.json.ticket).toMatchObject({ status: 'answered', answer, answerMessageId: expect.any(Number) });

    // What the widget reads when it opens: the ticket with its answer and time, and the message carrying it.
    const after = await call(r, 'GET', `/api/conversations/${visitor.id}/tickets`, { token: visitor.token });
    const [ticket] = after.json.tickets;
    expect(ticket).toEqual({
      id: ticketId, text: '宽带一直掉线，请明天上午回电', status: 'answered', createdAt: expect.any(String),
      answer, answeredAt: expect.any(String), answerMessageId: answered.json.ticket.answerMessageId,
    });
    // Nothing an agent-side field: no contact, group or agent id.
    expect(Object.keys(ticket).sort()).toEqual(['answer', 'answerMessageId', 'answeredAt', 'createdAt', 'id', 'status', 'text']);
    const messages = await call(r, 'GET', `/api/conversations/${visitor.id}/messages`, { token: visitor.token });
    expect(messages.json.messages).toContainEqual({ id: ticket.answerMessageId, author: 'agent', agentName: expect.any(String), text: answer, createdAt: ticket.answeredAt });

    // By e-mail, in the visitor's language, with the answer.
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(['li.wei@example.com']);
    expect(mail!.subject).toBe('您的留言已有回复');
    expect(mail!.text).toContain(answer);
    expect(mail!.text).toContain('宽带一直掉线，请明天上午回电');

    // Another conversation's token sees nothing of it; no token, 401.
    expect((await call(r, 'GET', `/api/conversations/${visitor.id}/tickets`, { token: other.token })).status).toBe(404);
    expect((await call(r, 'GET', `/api/conversations/${visitor.id}/tickets`)).status).toBe(401);
    expect((await call(r, 'GET', `/api/conversations/${other.id}/tickets`, { token: other.token })).json).toEqual({ tickets: [] });
  });

  it('sends no mail when the contact left is a phone number', async () => {
    const before = smtp.attempts;
    const visitor = await chat(r, 'How do I get an invoice?', 'en');
    const left = await call(r, 'POST', `/api/conversations/${visitor.id}/ticket`, { token: visitor.token, body: { contact: '13800138000', text: 'Please call me back' } });
    const answered = await call(r, 'POST', `/api/agent/tickets/${left.json.ticket.id}/answer`, { cookie: r.adminCookie, body: { text: 'We called you.' } });
    expect(answered.status).toBe(200);
    await new Promise((done) => setTimeout(done, 300));
    expect(smtp.attempts).toBe(before);
  });
});

describe('with the SMTP server down', () => {
  let r: Running | undefined;
  afterAll(() => stop(r));

  it('the agent’s answer still succeeds and reaches the chat (the mail is retried in the background)', async () => {
    // Port 1 on loopback: nothing listens, every connection is refused.
    r = await start('ticket-replies-down-', 'smtp://127.0.0.1:1');
    const visitor = await chat(r, '发票');
    const left = await call(r, 'POST', `/api/conversations/${visitor.id}/ticket`, { token: visitor.token, body: { contact: 'a@example.com', text: '发票开错了' } });
    const answered = await call(r, 'POST', `/api/agent/tickets/${left.json.ticket.id}/answer`, { cookie: r.adminCookie, body: { text: '已为您重开发票。' } });
    expect(answered.status).toBe(200);
    const tickets = await call(r, 'GET', `/api/conversations/${visitor.id}/tickets`, { token: visitor.token });
    expect(tickets.json.tickets[0]).toMatchObject({ status: 'answered', answer: '已为您重开发票。' });
  }, 60_000);
});
