// Agent login sessions: a 256-bit random cookie value, stored only as its sha256, with idle and absolute expiry.
// SQLite today (sqlite-session-store.ts); a PostgreSQL adapter implements the same interface later.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';

export type SessionEndReason = 'logout' | 'disabled' | 'password_changed' | 'role_changed' | 'idle' | 'expired';

export interface Session {
  /** hex sha256 of the cookie value: safe to log and to publish, useless as a credential. */
  id: string;
  agentId: string;
  createdAt: string;
  lastSeenAt: string;
  /** Absolute expiry: fixed at login, never extended. */
  expiresAt: string;
  /** When the session expires if no request comes before (lastSeenAt + the idle timeout, capped by expiresAt). */
  idleExpiresAt: string;
}

/** A session that has just ended (or been found ended), to announce on the hub. */
export interface EndedSession {
  id: string;
  agentId: string;
  reason: SessionEndReason;
}

export type CreateSessionResult =
  /** `secret` is the cookie value: returned this once, never stored. */
  | { kind: 'created'; session: Session; secret: string }
  /** The agent was disabled or its password changed since the caller checked it: no session. */
  | { kind: 'refused' };

export type SessionLookup =
  | { kind: 'active'; session: Session }
  /** It had ended before, or expired and was ended by this lookup (`endedNow`: announce it). */
  | { kind: 'ended'; ended: EndedSession; endedNow: boolean }
  /** Not a cookie value of any session (never was, or removed by the sweeper). */
  | { kind: 'unknown' };

export interface SessionStoreOptions {
  /** A session with no request for this long ends. Range 60000 (1 min)-86400000 (24 h); default 1800000 (30 min). */
  idleTimeoutMs: number;
  /** A session ends this long after login whatever its use. Range 600000 (10 min)-2592000000 (30 days); default 43200000 (12 h, a long shift). */
  absoluteTimeoutMs: number;
  /**
   * last_seen_at is written at most this often per session, so that every request is not a write.
   * Idle expiry is therefore exact to within this much. Range 0-600000 (10 min) and below the idle timeout; default 60000.
   */
  touchIntervalMs: number;
  /** Source of "now" for every expiry decision. Default the system clock. */
  clock: Clock;
}

export const defaultSessionStoreOptions: SessionStoreOptions = {
  idleTimeoutMs: 30 * 60_000,
  absoluteTimeoutMs: 12 * 3_600_000,
  touchIntervalMs: 60_000,
  clock: () => new Date(),
};

/** `options` over the defaults; RangeError when the touch interval is not below the idle timeout. */
export function sessionStoreOptions(options: Partial<SessionStoreOptions>): SessionStoreOptions {
  const opts: SessionStoreOptions = { ...defaultSessionStoreOptions, ...options };
  if (!(opts.touchIntervalMs < opts.idleTimeoutMs)) {
    throw new RangeError(`handoff/sessions: touchIntervalMs (${opts.touchIntervalMs}) must be below idleTimeoutMs (${opts.idleTimeoutMs})`);
  }
  return opts;
}

export interface SessionStore {
  readonly options: Readonly<SessionStoreOptions>;
  /**
   * Starts a session for `agentId`, only if that agent is still enabled and `passwordHash` is still
   * its hash: a login whose password check raced a disable or a password change gets `refused`.
   */
  create(input: { agentId: string; passwordHash: string }): Promise<CreateSessionResult>;
  /** The session of a cookie value, its last-seen time refreshed; an expired one is ended on the spot. */
  resolve(secret: string): Promise<SessionLookup>;
  /** An active session by id (no refresh); undefined when unknown, ended or expired. */
  get(id: string): Promise<Session | undefined>;
  /** Ends one session; undefined when it was not active. */
  end(id: string, reason: SessionEndReason): Promise<EndedSession | undefined>;
  /** Ends every active session of the agent except `except`; returns those ended. */
  endAllOf(agentId: string, reason: SessionEndReason, options?: { except?: string }): Promise<EndedSession[]>;
  /** Active sessions of an agent, newest first. */
  listActive(agentId: string): Promise<Session[]>;
  /**
   * Ends sessions past their idle or absolute expiry and removes every ended session; returns the
   * removed ones so the caller can announce them (an end written by another process, the CLI, is
   * announced this way; announcing one twice is harmless).
   */
  sweep(): Promise<EndedSession[]>;
}

/** 32 bytes = 256 bits; base64url keeps it cookie-safe without quoting (43 characters). */
const SECRET_BYTES = 32;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newSessionSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** The stored id of a cookie value. */
export function sessionIdOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Anything else cannot be one of ours: refused without a database lookup. */
export function looksLikeSessionSecret(value: string): boolean {
  return SECRET_SHAPE.test(value);
}
