// The Hono environment of agent routes: the agent the session belongs to, set by the auth middleware.
import type { MiddlewareHandler } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type { Agent, AgentAccess, AgentRole } from './agent.ts';

export type AgentVariables = RequestIdVariables & {
  agent: Agent;
  /** The session the request came with (its id is never sent back to clients). */
  session: { id: string };
};

export type AgentEnv = { Variables: AgentVariables };

/**
 * Route modules take this from their caller instead of importing the session code: in production
 * the session middleware (cookie -> agent, 401 without one, 403 to a role outside `access`, foreign
 * Origin refused on mutations); in tests any stand-in that sets `agent` and `session` (roleAllows in
 * agent.ts decides the 403 the same way). `access` is a level of the authorization table (`agent`, the
 * default: agents and admins; `content`: editors and admins; `admin`) or an explicit set of roles.
 */
export type RequireAgent = (access?: AgentAccess | readonly AgentRole[]) => MiddlewareHandler<AgentEnv>;
