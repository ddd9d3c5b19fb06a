// Sends plain-text e-mail through the operator's SMTP server (SMTP_URL, SMTP_FROM) with nodemailer; the one place
// that knows about SMTP. Everything else talks to the Mailer port, so tests and other channels can stand in.
import { createTransport } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects when it did not (the caller decides on retries). */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpSettings {
  /** smtp://user:pass@host:587 or smtps://host:465 (nodemailer's connection URL). */
  url: string;
  /** The From address of every mail (SMTP_FROM). */
  from: string;
}

export interface SmtpMailerOptions {
  /** Waiting for the connection, the greeting, and each reply. Range 1000-120000 ms; default 15000. */
  timeoutMs: number;
}

export const defaultSmtpMailerOptions: SmtpMailerOptions = { timeoutMs: 15_000 };

export function createSmtpMailer(settings: SmtpSettings, options: Partial<SmtpMailerOptions> = {}): Mailer {
  const { timeoutMs } = { ...defaultSmtpMailerOptions, ...options };
  // A short timeout: a hung server must not hold a retry's slot for nodemailer's default ten minutes.
  const transport = createTransport({ url: settings.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  return {
    async send(mail) {
      await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close() {
      transport.close();
    },
  };
}
