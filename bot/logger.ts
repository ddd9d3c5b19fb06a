// The structured logger (pino) every module receives from the composition root, with stable event codes.
import { destination as sonicBoom, pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
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
  chatError: 'chat.error',
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
  /** Where lines go; default stdout, written asynchronously (see createLogger). Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'telecom-chat' } };
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
