// The real RequireAgent: session cookie -> session (idle and absolute expiry) -> enabled agent -> role.
import type { MiddlewareHandler } from 'hono';
import { roleAllows, toAgent } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { AgentLogEvent, silentAgentLog, type AgentLog } from '../agents/agent-log.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import { ForbiddenError, UnauthorizedError } from '../platform/errors.ts';
import type { Hub } from '../platform/hub.ts';
import { assertSameOrigin, normalizeAllowed, type AllowedOrigins } from '../http/same-origin.ts';
import { clearSessionCookie, readSessionCookie, type SecureCookies } from './session-cookie.ts';
import type { SessionStore } from './session-store.ts';

export interface RequireAgentDeps {
  agents: AgentStore;
  sessions: SessionStore;
  /** Where a session found expired, or an agent found disabled, is announced (`session_ended`). */
  hub?: Hub;
  /** Origins besides the request's own that may send changes (a TLS proxy's public origin). Default none. */
  allowedOrigins?: AllowedOrigins;
  /** Secure attribute on the cookie it clears. Default `auto` (when the request is https). */
  secureCookies?: SecureCookies;
  log?: AgentLog;
}

/**
 * `requireAgent()` lets agents and admins through (chat work), `requireAgent('content')` editors and
 * admins, `requireAgent('admin')` admins only, `requireAgent(['editor'])` exactly the roles listed; any
 * other signed-in role gets 403. Before the session is even read, a change (POST, PATCH, DELETE...) with a foreign Origin
 * gets 403. No cookie, an unknown, ended or expired session, or a disabled agent: 401, and the cookie is
 * cleared. Responses are marked `Cache-Control: no-store`.
 */
export function createRequireAgent({
  agents,
  sessions,
  hub,
  allowedOrigins = [],
  secureCookies = 'auto',
  log = silentAgentLog,
}: RequireAgentDeps): RequireAgent {
  const origins = normalizeAllowed(allowedOrigins);

  return (access = 'agent'): MiddlewareHandler<AgentEnv> =>
    async (c, next) => {
      assertSameOrigin(c, origins);
      // Agent data is private: no shared cache or back/forward cache keeps it.
      c.header('Cache-Control', 'no-store');
      const secret = readSessionCookie(c);
      if (secret === undefined) throw new UnauthorizedError('sign in first');

      const lookup = await sessions.resolve(secret);
      if (lookup.kind !== 'active') {
        clearSessionCookie(c, secureCookies);
        if (lookup.kind === 'ended' && lookup.endedNow) {
          const { id, agentId, reason } = lookup.ended;
          hub?.publish(`agent:${agentId}`, { type: 'session_ended', agentId, sessionId: id });
          log.info({ event: AgentLogEvent.sessionEnded, agentId, sessionId: id, reason }, 'session expired');
        }
        const expired = lookup.kind === 'ended' && (lookup.ended.reason === 'idle' || lookup.ended.reason === 'expired');
        throw new UnauthorizedError(expired ? 'your session has expired; sign in again' : 'sign in first');
      }

      const { session } = lookup;
      const agent = await agents.find(session.agentId);
      if (!agent || agent.disabled) {
        // Normally ended when the agent was disabled; this covers a disable written by another process.
        await sessions.endAllOf(session.agentId, 'disabled');
        hub?.publish(`agent:${session.agentId}`, { type: 'session_ended', agentId: session.agentId });
        clearSessionCookie(c, secureCookies);
        throw new UnauthorizedError('sign in first');
      }
      if (!roleAllows(agent.role, access)) {
        throw new ForbiddenError(access === 'admin' ? 'only admins may do this' : `the ${agent.role} role may not do this`);
      }

      const current = toAgent(agent);
      c.set('agent', current);
      c.set('session', { id: session.id });
      await next();
    };
}
