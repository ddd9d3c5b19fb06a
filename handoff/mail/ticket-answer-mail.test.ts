// E-mailing an answered left message through a real SMTP server on loopback (nodemailer to smtp-server): who gets
// mail (an e-mail address, never a phone number), what it says (the answer and the message left, in the visitor's
// language), retries after a refused delivery, and giving up quietly, logged, when the server never takes it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../routing/tickets.ts';
import { startSmtpTestServer, type SmtpTestServer } from '../testing/smtp-test-server.ts';
import { createSmtpMailer } from './mailer.ts';
import { createTicketAnswerMail, emailOf, ticketAnswerMail, type TicketAnswerMail } from './ticket-answer-mail.ts';

const TICKET: Ticket = {
  id: 7, conversationId: 'c1', groupId: 'mobile', lang: 'zh', contact: ' visitor@example.com ', text: '宽带一直掉线，请回电',
  reason: 'outside_hours', status: 'answered', answer: '已为您重新配置端口，请重启光猫后再试。', answeredBy: 'a1',
  answeredAt: '2025-03-03T01:00:00.000Z', createdAt: '2025-03-02T14:00:00.000Z',
};

function recordingLog() {
  const lines: Array<{ level: string; event: string; attempts?: number }> = [];
  const at = (level: string) => (obj: object) => lines.push({ level, ...(obj as { event: string; attempts?: number }) });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

let smtp: SmtpTestServer | undefined;
let mail: TicketAnswerMail | undefined;
afterEach(async () => {
  mail?.stop();
  await mail?.settled();
  await smtp?.close();
  smtp = undefined;
  mail = undefined;
});

describe('who gets the mail', () => {
  it('reads one plain e-mail address out of the contact; a phone number or anything else gets none', () => {
    expect(emailOf(' li.wei+hall@mail.example.cn ')).toBe('li.wei+hall@mail.example.cn');
    for (const contact of ['13800138000', 'li wei <li@example.com>', 'a@b', 'a@example.com, b@example.com', 'a@exa mple.com', '@example.com', `${'x'.repeat(250)}@example.com`]) {
      expect([contact, emailOf(contact)]).toEqual([contact, undefined]);
    }
  });

  it('says what was left and the answer, in the language the visitor wrote in', () => {
    const zh = ticketAnswerMail(TICKET);
    expect(zh.subject).toBe('您的留言已有回复');
    expect(zh.text).toContain(TICKET.text);
    expect(zh.text).toContain(TICKET.answer);
    expect(ticketAnswerMail({ ...TICKET, lang: 'en' }).subject).toBe('Reply to the message you left');
  });
});

describe('sending through SMTP', () => {
  it('delivers the answer to the address left, from SMTP_FROM', async () => {
    smtp = await startSmtpTestServer();
    const { lines, log } = recordingLog();
    mail = createTicketAnswerMail({ mailer: createSmtpMailer({ url: smtp.url, from: 'Online hall <noreply@hall.example>' }), log });
    mail.answered(TICKET);
    mail.answered({ ...TICKET, id: 8, contact: '13800138000' });
    await mail.settled();
    const [got] = await smtp.waitFor(1);
    expect(smtp.mails).toHaveLength(1);
    expect(got!.to).toEqual(['visitor@example.com']);
    expect(got!.from).toBe('noreply@hall.example');
    expect(got!.subject).toBe('您的留言已有回复');
    expect(got!.text).toContain('已为您重新配置端口，请重启光猫后再试。');
    expect(got!.text).toContain('宽带一直掉线，请回电');
    expect(lines).toEqual([{ level: 'info', event: 'ticket.mailed', ticketId: 7, attempts: 1 }]);
  });

  it('tries again after a refused delivery, and gives up after the last retry with an error logged, never a throw', async () => {
    smtp = await startSmtpTestServer();
    const { lines, log } = recordingLog();
    mail = createTicketAnswerMail({ mailer: createSmtpMailer({ url: smtp.url, from: 'noreply@hall.example' }), log, options: { retryDelaysMs: [50, 50] } });
    smtp.refuseNext(2);
    mail.answered({ ...TICKET, lang: 'en', answer: 'Your port was reset; restart the modem.' });
    await mail.settled();
    expect(smtp.attempts).toBe(3);
    expect((await smtp.waitFor(1))[0]!.text).toContain('Your port was reset; restart the modem.');
    expect(lines.map((l) => [l.level, l.event, l.attempts])).toEqual([
      ['warn', 'ticket.mail_retry', 1],
      ['warn', 'ticket.mail_retry', 2],
      ['info', 'ticket.mailed', 3],
    ]);

    // A server that never takes it: three tries, then one error line, and nothing thrown anywhere.
    lines.length = 0;
    smtp.refuseNext(10);
    mail.answered({ ...TICKET, id: 9 });
    await mail.settled();
    expect(lines.map((l) => [l.level, l.event, l.attempts])).toEqual([
      ['warn', 'ticket.mail_retry', 1],
      ['warn', 'ticket.mail_retry', 2],
      ['error', 'ticket.mail_failed', 3],
    ]);
    expect(smtp.mails).toHaveLength(1);
  });

  it('logs a server that is not there as a failed send (retried), and stop() cancels what waits', async () => {
    const { lines, log } = recordingLog();
    mail = createTicketAnswerMail({ mailer: createSmtpMailer({ url: 'smtp://127.0.0.1:1', from: 'noreply@hall.example' }), log, options: { retryDelaysMs: [60_000] } });
    mail.answered(TICKET);
    await expect.poll(() => lines.map((l) => l.event)).toEqual(['ticket.mail_retry']);
    mail.stop();
    await mail.settled();
    expect(lines.map((l) => l.event)).toEqual(['ticket.mail_retry']);
  });
});
