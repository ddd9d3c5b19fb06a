// The structured logger (pino) every module receives from the composition root, with stable event codes.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
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
  /** Where lines go; default stdout. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'telecom-chat' } };
  return destination ? pino(options, destination) : pino(options);
}
