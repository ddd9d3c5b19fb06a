// E-mails an agent's answer to a left message when the visitor left an e-mail address (issue 17). The answer is
// already stored and in the chat: the mail is a courtesy on top, sent after the agent's request has been answered,
// retried a few times with growing pauses, logged when it fails, and never able to fail the answer itself.
import type { Lang } from '../../knowledge/types.ts';
import type { Ticket } from '../routing/tickets.ts';
import type { Mailer } from './mailer.ts';

/** What this module logs; a pino Logger fits. No addresses and no message text: the ticket id says which. */
export interface TicketMailLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TicketAnswerMailOptions {
  /**
   * Pauses before each retry after a failed send, in ms; its length is the number of retries. Each 100-3600000;
   * default [5000, 30000, 120000] (three retries over about two and a half minutes).
   */
  retryDelaysMs: readonly number[];
}

export const defaultTicketAnswerMailOptions: TicketAnswerMailOptions = { retryDelaysMs: [5_000, 30_000, 120_000] };

export interface TicketAnswerMail {
  /** Sends the answer to the ticket's contact when it is an e-mail address; returns at once. */
  answered(ticket: Ticket): void;
  /** Cancels the pending retries (on stop); a send under way finishes, then the SMTP transport closes. */
  stop(): void;
  /** Settles when every send and retry started so far has ended (tests). */
  settled(): Promise<void>;
}

/**
 * One plain address as visitors type it into the contact field ("phone or e-mail"): `name@host.tld`, nothing around
 * it but spaces. Anything else (a phone number, two addresses, a display name) gets no mail.
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The e-mail address in a ticket's contact, or undefined when it holds none (a phone number). */
export function emailOf(contact: string): string | undefined {
  const candidate = contact.trim();
  return candidate.length <= 254 && EMAIL.test(candidate) ? candidate : undefined;
}

const WORDS: Record<Lang, { subject: string; intro: string; yours: string; answer: string; outro: string }> = {
  zh: {
    subject: '您的留言已有回复',
    intro: '您好！您在在线客服的留言已有客服回复：',
    yours: '您的留言',
    answer: '客服回复',
    outro: '再次打开网站的在线客服也能看到这条回复。本邮件由系统自动发送，请勿直接回复。',
  },
  en: {
    subject: 'Reply to the message you left',
    intro: 'Hello! An agent has answered the message you left in our online chat:',
    yours: 'Your message',
    answer: 'Our answer',
    outro: 'You will also see this answer when you open the chat on our website again. This is an automatic e-mail; please do not reply to it.',
  },
};

/** The mail for an answered ticket, in the language the visitor wrote in. */
export function ticketAnswerMail(ticket: Pick<Ticket, 'lang' | 'text' | 'answer'>): { subject: string; text: string } {
  const w = WORDS[ticket.lang] ?? WORDS.zh;
  return {
    subject: w.subject,
    text: `${w.intro}\n\n${w.yours}:\n${ticket.text}\n\n${w.answer}:\n${ticket.answer ?? ''}\n\n${w.outro}\n`,
  };
}

export function createTicketAnswerMail(deps: { mailer: Mailer; log: TicketMailLog; options?: Partial<TicketAnswerMailOptions> }): TicketAnswerMail {
  const { mailer, log } = deps;
  const { retryDelaysMs } = { ...defaultTicketAnswerMailOptions, ...deps.options };
  /** Pending retries, and what ends each one's place in `running` when it is cancelled. */
  const timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const settled = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };

  const track = (work: Promise<void>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  function attempt(ticketId: number, mail: { to: string; subject: string; text: string }, tried: number): void {
    track(
      mailer.send(mail).then(
        () => log.info({ event: 'ticket.mailed', ticketId, attempts: tried + 1 }, 'ticket answer e-mailed'),
        (err: unknown) => {
          const delay = retryDelaysMs[tried];
          if (delay === undefined || stopped) {
            log.error({ event: 'ticket.mail_failed', ticketId, attempts: tried + 1, err }, 'ticket answer not e-mailed: giving up');
            return;
          }
          log.warn({ event: 'ticket.mail_retry', ticketId, attempts: tried + 1, retryInMs: delay, err }, 'ticket answer not e-mailed yet: retrying');
          let done!: () => void;
          track(new Promise<void>((resolve) => (done = resolve)));
          const timer = setTimeout(() => {
            timers.delete(timer);
            attempt(ticketId, mail, tried + 1);
            done();
          }, delay);
          // A pending retry must not keep the process alive on its own.
          timer.unref?.();
          timers.set(timer, done);
        },
      ),
    );
  }
  return {
    answered(ticket) {
      const to = emailOf(ticket.contact);
      if (!to || stopped || ticket.answer === undefined) return;
      attempt(ticket.id, { to, ...ticketAnswerMail(ticket) }, 0);
    },
    stop() {
      stopped = true;
      for (const [timer, cancel] of timers) {
        clearTimeout(timer);
        cancel();
      }
      timers.clear();
      // After a send under way has ended (its result is still logged).
      void settled().then(() => mailer.close());
    },
    settled,
  };
}
