// Admin API of the audit log: GET /api/admin/audit, newest first, filtered by period, actor and action, paged by id.
import { Hono } from 'hono';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { AuditLog } from './audit-log.ts';
import { ValidationError } from '../platform/errors.ts';

export interface AuditRoutesOptions {
  /** Entries per page when `limit` is not given. Range 1-500; default 50. */
  defaultLimit: number;
  /** Most entries per page. Range 1-1000; default 500. */
  maxLimit: number;
}

export const defaultAuditRoutesOptions: AuditRoutesOptions = { defaultLimit: 50, maxLimit: 500 };

export interface AuditRoutesDeps {
  audit: AuditLog;
  requireAgent: RequireAgent;
  options?: Partial<AuditRoutesOptions>;
}

/** Actions are dotted verbs (agent.created); account ids are UUIDs. Longer input cannot match anything. */
const ACTION = /^[a-z_]{1,32}(\.[a-z_]{1,32})?$/;
const ACTOR = /^[A-Za-z0-9_-]{1,64}$/;

export function auditRoutes({ audit, requireAgent, options = {} }: AuditRoutesDeps): Hono<AgentEnv> {
  const opts = { ...defaultAuditRoutesOptions, ...options };
  const app = new Hono<AgentEnv>();

  /**
   * ?from&to (ISO date or time; a bare `to` date covers its whole day), ?actor (account id), ?action,
   * ?limit, ?before (the last id of the previous page). `nextBefore` is there when more may follow.
   */
  app.get('/api/admin/audit', requireAgent('admin'), async (c) => {
    const from = isoParam(c.req.query('from'), 'from');
    const to = isoParam(c.req.query('to'), 'to');
    const actor = patternParam(c.req.query('actor'), ACTOR, 'actor', 'actor must be an account id');
    const action = patternParam(c.req.query('action'), ACTION, 'action', 'action must look like agent.created');
    const limit = intParam(c.req.query('limit'), 'limit', 1, opts.maxLimit) ?? opts.defaultLimit;
    const before = intParam(c.req.query('before'), 'before', 1, Number.MAX_SAFE_INTEGER);
    const entries = await audit.list({
      limit,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(actor ? { actorId: actor } : {}),
      ...(action ? { action } : {}),
      ...(before !== undefined ? { before } : {}),
    });
    const last = entries.at(-1);
    return c.json({ entries, ...(entries.length === limit && last ? { nextBefore: last.id } : {}) });
  });

  return app;
}

function isoParam(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (value.length > 40 || !/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
    throw new ValidationError(`invalid_${field}`, `${field} must be an ISO date or time`, field);
  }
  // Stored times are ISO in UTC: compare in the same form.
  if (field === 'to' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(time + 86_400_000 - 1).toISOString();
  return new Date(time).toISOString();
}

function patternParam(value: string | undefined, pattern: RegExp, field: string, message: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!pattern.test(value)) throw new ValidationError(`invalid_${field}`, message, field);
  return value;
}

function intParam(value: string | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ValidationError(`invalid_${field}`, `${field} must be an integer from ${min} to ${max}`, field);
  }
  return Number(value);
}
