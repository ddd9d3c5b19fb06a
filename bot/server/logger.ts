// The structured logger (pino) every module receives from the composition root, with stable event codes.
import { destination as sonicBoom, pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pinoPretty from 'pino-pretty';
import { maskPersonalData } from '../../knowledge/text/mask-personal-data.ts';
import type { LogLevel } from './config.ts';

export type Logger = PinoLogger;

/** Stable codes in the `event` field: dashboards and alerts key on these, not on message wording. */
export const LogEvent = {
  serverStarted: 'server.started',
  serverStopping: 'server.stopping',
  kbLoaded: 'kb.loaded',
  kbLoadFailed: 'kb.load_failed',
  kbReloaded: 'kb.reloaded',
  kbReloadFailed: 'kb.reload_failed',
  kbChanged: 'kb.changed',
  kbWarnings: 'kb.warnings',
  kbWatchError: 'kb.watch_error',
  kbChangeIgnored: 'kb.change_ignored',
  kbSyncFailed: 'kb.sync_failed',
  kbPublicationServed: 'kb.publication_served',
  httpRequest: 'http.request',
} as const;
export type LogEvent = (typeof LogEvent)[keyof typeof LogEvent];

/**
 * Anything that could carry a credential is censored wherever it appears in a log object, even if
 * a future call site logs a whole request or the config by mistake (pino wildcards match one level).
 */
export const redactPaths = [
  'authorization',
  'cookie',
  'token',
  'password',
  'adminPassword',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.token',
  '*.password',
  '*.*.authorization',
  '*.*.cookie',
  '*.*.token',
  '*.*.password',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

export interface LoggerOptions {
  level: LogLevel;
  /** `json` lines (default: for log shippers), or `pretty`: coloured, one readable line per event, for a terminal. */
  format?: 'json' | 'pretty';
  /** Where lines go; default stdout, written asynchronously (see createLogger). Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * Personal data (phone and ID numbers, a password after its keyword) is masked in the parts of a line that
 * can carry a visitor's or agent's words: the message string (and format arguments), an error's message and
 * stack (an error may quote the text it failed on), and a top-level `text` field. Redact paths censor whole
 * values; these have to be rewritten inside the string, so it happens here, before the line is written.
 * Other fields are the caller's own (ids, codes, counts) and must not hold message text.
 */
export const maskingOptions = {
  hooks: {
    logMethod(this: PinoLogger, args: unknown[], method: (...args: unknown[]) => void) {
      method.apply(this, args.map((a) => (typeof a === 'string' ? maskPersonalData(a) : a)));
    },
  },
  serializers: {
    err: (err: Error) => {
      const s = stdSerializers.err(err);
      if (typeof s.message === 'string') s.message = maskPersonalData(s.message);
      if (typeof s.stack === 'string') s.stack = maskPersonalData(s.stack);
      return s;
    },
    text: (text: unknown) => (typeof text === 'string' ? maskPersonalData(text) : text),
  },
};

export function createLogger({ level, destination, format = 'json' }: LoggerOptions): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'telecom-chat' }, ...maskingOptions };
  // pino-pretty as a stream in this thread (not a transport worker): a person at a terminal, few lines. The
  // masking and redaction above run before it, on the same objects as for JSON.
  if (format === 'pretty' && destination === undefined) {
    return pino(options, pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true }));
  }
  // stdout without blocking: pino's default writes every line with a synchronous write(2), and a reader that
  // falls behind (a pipe to a log shipper) then stalls the event loop. Lines written while one write is in
  // flight go out together in the next. Nothing is lost on exit: pino flushes this destination synchronously
  // on the process's 'exit' (process.exit after SIGTERM, a fatal start error, an uncaught exception); only
  // a SIGKILL can drop what was still in the buffer at that instant.
  return pino(options, destination ?? sonicBoom({ dest: 1, sync: false }));
}

/**
 * A logger for lines whose every field the caller builds from known, credential-free values (the access
 * log: method, path without query, status, duration). It writes where `logger` writes, without the
 * censoring pass, which walks every wildcard path of `redactPaths` through the object and costs several
 * times the rest of the line. Anything else logs through `logger` itself.
 */
export function uncensoredLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [], censor: '[redacted]' } });
}
