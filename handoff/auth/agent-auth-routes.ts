// Agent sign-in API: POST /api/agent/login, POST /api/agent/logout, GET /api/agent/me, POST /api/agent/password.
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import { toAgent } from '../agents/agent.ts';
import type { AgentAccounts } from '../agents/agent-accounts.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { AgentLogEvent, silentAgentLog, type AgentLog } from '../agents/agent-log.ts';
import { normalizeUsername } from '../agents/agent-store.ts';
import { RateLimitedError, UnauthorizedError, ValidationError } from '../platform/errors.ts';
import type { Hub } from '../platform/hub.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { PasswordHasher } from './password.ts';
import { assertSameOrigin, normalizeAllowed, type AllowedOrigins } from '../http/same-origin.ts';
import { clearSessionCookie, readSessionCookie, setSessionCookie, type SecureCookies } from './session-cookie.ts';
import type { SessionStore } from './session-store.ts';

export interface AgentAuthRoutesDeps {
  accounts: AgentAccounts;
  sessions: SessionStore;
  passwords: PasswordHasher;
  limiter: LoginLimiter;
  requireAgent: RequireAgent;
  /** The client's address for the per-address sign-in limits (handoff/http/client-address.ts in the app). */
  clientAddress: (c: Context) => string;
  /** Where ended sessions are announced (`session_ended` on `agent:<id>`). */
  hub?: Hub;
  /** Origins besides the request's own that may sign in and out (a TLS proxy's public origin). Default none. */
  allowedOrigins?: AllowedOrigins;
  /** Secure attribute of the cookie: `auto` (default) sets it when the request is https. */
  secureCookies?: SecureCookies;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes?: number;
  log?: AgentLog;
}

/** One answer for an unknown username, a wrong password and a disabled account. */
const BAD_CREDENTIALS = 'wrong username or password';

// Strict: an unknown field is a 400 naming it (a smuggled `__proto__` or `isAdmin` is never silently dropped).
const loginSchema = z.strictObject({
  // Bounds only: a username that cannot exist simply fails like any other.
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});
const loginMessages = {
  username: { code: 'invalid_username', message: 'username must be a non-empty string' },
  password: { code: 'invalid_password', message: 'password must be a non-empty string of at most 1024 characters' },
};
const passwordSchema = z.strictObject({ current: z.string().max(1024), next: z.string().max(1024) });
const passwordMessages = {
  current: { code: 'invalid_current', message: 'current must be a string (your current password)' },
  next: { code: 'invalid_next', message: 'next must be a string (the new password)' },
};

export function agentAuthRoutes(deps: AgentAuthRoutesDeps): Hono<AgentEnv> {
  const { accounts, sessions, passwords, limiter, requireAgent, clientAddress, hub } = deps;
  const { secureCookies = 'auto', maxBodyBytes = 16_384, log = silentAgentLog } = deps;
  const origins = normalizeAllowed(deps.allowedOrigins ?? []);
  const agents = accounts.agents;
  const app = new Hono<AgentEnv>();

  const bodyWithinLimit = limitBody(maxBodyBytes);

  /** Never cached, and (for changes) refused from a foreign origin before anything else happens. */
  const guard: MiddlewareHandler = async (c, next) => {
    assertSameOrigin(c, origins);
    c.header('Cache-Control', 'no-store');
    await next();
  };

  app.post('/api/agent/login', guard, bodyWithinLimit, async (c) => {
    const { username, password } = parseBody(loginSchema, await readJsonBody(c), loginMessages);
    const address = clientAddress(c);
    const key = normalizeUsername(username);
    await admit(address, key);

    const credentials = await agents.credentials(key);
    // Unknown usernames cost one argon2 verification too, so timing does not tell which usernames exist.
    const ok = credentials
      ? await passwords.verify(credentials.passwordHash, password)
      : await passwords.verifyDummy(password);
    if (!credentials || !ok || credentials.agent.disabled) {
      const reason = !credentials ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled';
      log.warn({ event: AgentLogEvent.loginFailed, agentId: credentials?.agent.id, reason, address }, 'sign-in refused');
      throw new UnauthorizedError(BAD_CREDENTIALS);
    }

    const { agent, passwordHash } = credentials;
    const created = await sessions.create({ agentId: agent.id, passwordHash });
    if (created.kind === 'refused') {
      // The password changed or the account was disabled while this attempt was being checked.
      log.warn({ event: AgentLogEvent.loginFailed, agentId: agent.id, reason: 'raced', address }, 'sign-in refused');
      throw new UnauthorizedError(BAD_CREDENTIALS);
    }
    await refund(address, key);

    // A new session id at every sign-in; a session this browser still had ends now.
    const previous = readSessionCookie(c);
    if (previous !== undefined) {
      const lookup = await sessions.resolve(previous);
      if (lookup.kind === 'active') await endSession(lookup.session.id, lookup.session.agentId, 'login');
    }

    if (passwords.needsRehash(passwordHash)) {
      // Hashing parameters were raised since this password was set: upgrade it while it is at hand.
      if (await agents.rehash(agent.id, passwordHash, await passwords.hash(password))) {
        log.info({ event: AgentLogEvent.passwordRehashed, agentId: agent.id }, 'password rehashed');
      }
    }

    const { session, secret } = created;
    setSessionCookie(c, secret, sessions.options.absoluteTimeoutMs / 1000, secureCookies);
    log.info({ event: AgentLogEvent.login, agentId: agent.id, sessionId: session.id, address }, 'signed in');
    return c.json({
      agent: toAgent(agent),
      session: {
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        idleTimeoutSeconds: Math.round(sessions.options.idleTimeoutMs / 1000),
      },
    });
  });

  // Works without a valid session too (the cookie is cleared either way): signing out never fails.
  app.post('/api/agent/logout', guard, async (c) => {
    const secret = readSessionCookie(c);
    if (secret !== undefined) {
      const lookup = await sessions.resolve(secret);
      if (lookup.kind === 'active') await endSession(lookup.session.id, lookup.session.agentId, 'logout');
    }
    clearSessionCookie(c, secureCookies);
    return c.body(null, 204);
  });

  // Any role: an editor's console reads who they are too.
  app.get('/api/agent/me', requireAgent('signed-in'), async (c) => {
    const session = await sessions.get(c.var.session.id);
    if (!session) throw new UnauthorizedError('sign in first');
    return c.json({
      agent: c.var.agent,
      session: { createdAt: session.createdAt, expiresAt: session.expiresAt, idleExpiresAt: session.idleExpiresAt },
    });
  });

  app.post('/api/agent/password', requireAgent('signed-in'), bodyWithinLimit, async (c) => {
    const { current, next } = parseBody(passwordSchema, await readJsonBody(c), passwordMessages);
    const { agent, session } = c.var;
    const address = clientAddress(c);
    // A stolen session must not become a way to guess the password: same limits as sign-in.
    await admit(address, agent.username);
    try {
      await accounts.changeOwnPassword(agent.id, session.id, current, next);
    } catch (err) {
      if (err instanceof ValidationError && err.code === 'wrong_password') {
        log.warn({ event: AgentLogEvent.loginFailed, agentId: agent.id, reason: 'wrong_current_password', address }, 'password change refused');
      } else {
        // The current password was right (or never checked): only wrong guesses count.
        await refund(address, agent.username);
      }
      throw err;
    }
    await refund(address, agent.username);
    return c.json({ ok: true });
  });

  /**
   * The sign-in limits before a password is checked: 429 from an address (or address and username) that
   * failed too often; otherwise the username's delay, waited on a timer (the event loop goes on serving).
   */
  async function admit(address: string, username: string): Promise<void> {
    let admission;
    try {
      admission = await limiter.attempt(address, username);
    } catch (err) {
      if (err instanceof RateLimitedError) log.warn({ event: AgentLogEvent.loginLimited, address }, 'sign-in attempts limited');
      throw err;
    }
    if (admission.delayMs > 0) {
      // No username here: the one typed into a failing sign-in is never logged.
      log.warn({ event: AgentLogEvent.loginSlowed, address, delayMs: admission.delayMs }, 'sign-in slowed: many failures for this username');
      await sleep(admission.delayMs);
    }
  }

  /**
   * The right password gives its attempts back. The sign-in has succeeded by then: a limiter out of reach (Redis)
   * costs the address one attempt, never the sign-in.
   */
  async function refund(address: string, username: string): Promise<void> {
    try {
      await limiter.succeeded(address, username);
    } catch (err) {
      log.warn({ event: AgentLogEvent.loginRefundFailed, address, err }, 'sign-in attempt not given back');
    }
  }

  async function endSession(id: string, agentId: string, why: 'logout' | 'login'): Promise<void> {
    const ended = await sessions.end(id, 'logout');
    if (!ended) return;
    hub?.publish(`agent:${agentId}`, { type: 'session_ended', agentId, sessionId: id });
    log.info({ event: AgentLogEvent.logout, agentId, sessionId: id, why }, 'session ended');
  }

  return app;
}

