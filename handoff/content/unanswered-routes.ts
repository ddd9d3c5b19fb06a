// Admin API of the unanswered inbox: grouped questions the bot could not answer, dismissing a group, and
// turning a group into a knowledge-base change file (a download the editor applies; the live KB is not touched).
import { Hono } from 'hono';
import { z } from 'zod';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { limitBody } from '../http/body-limit.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { Clock } from '../platform/clock.ts';
import { ValidationError } from '../platform/errors.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { kbChangeToYaml, type KbChange } from '../../knowledge/kb-change.ts';
import { checkKbChange, kbChangeRequestSchema } from './unanswered-change.ts';
import { groupKeyOf, groupUnanswered, type UnansweredGroupOptions } from './unanswered-groups.ts';
import type { UnansweredStore } from './unanswered-store.ts';

export interface UnansweredRoutesOptions {
  /** Groups returned by default. Range 1-500; default 50. */
  defaultLimit: number;
  /** Most groups one request may ask for. Range 1-1000; default 200. */
  maxLimit: number;
  /** Most recent open questions grouped per request (grouping is in memory). Range 100-100000; default 5000. */
  maxRows: number;
  /** Largest request body. Range 1024-1048576 bytes; default 65536 (a drafted entry with its answers). */
  maxBodyBytes: number;
  grouping: Partial<UnansweredGroupOptions>;
}

export const defaultUnansweredRoutesOptions: UnansweredRoutesOptions = {
  defaultLimit: 50,
  maxLimit: 200,
  maxRows: 5000,
  maxBodyBytes: 65_536,
  grouping: {},
};

export interface UnansweredRoutesDeps {
  store: UnansweredStore;
  requireAgent: RequireAgent;
  /** Whether the live knowledge base has an entry with this id (read at each call, so a reload applies). */
  entryExists: (id: string) => boolean;
  /** The change as YAML; defaults to knowledge/kb-change.ts's kbChangeToYaml (the file `npm run kb -- apply` reads). */
  toYaml?: (change: KbChange) => string;
  clock: Clock;
  /** Audit rows of dismissed groups and generated change files (keys, ids and counts; never question text). */
  audit?: AuditLog;
  /** The questions marked handled and their audit row commit together. */
  unitOfWork: UnitOfWork;
  options?: Partial<UnansweredRoutesOptions>;
}

const dismissSchema = z.strictObject({ groupKey: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export function unansweredRoutes({ store, requireAgent, entryExists, toYaml = kbChangeToYaml, clock, audit, unitOfWork, options = {} }: UnansweredRoutesDeps): Hono<AgentEnv> {
  const opts = { ...defaultUnansweredRoutesOptions, ...options };
  const app = new Hono<AgentEnv>();
  // Content work: editors and admins (see authorization-table.ts).
  const editor = requireAgent('content');

  app.get('/api/admin/unanswered', editor, async (c) => {
    const from = isoParam(c.req.query('from'), 'from');
    const to = isoParam(c.req.query('to'), 'to');
    const lang = c.req.query('lang');
    if (lang !== undefined && lang !== 'zh' && lang !== 'en') throw new ValidationError('invalid_lang', 'lang is zh or en', 'lang');
    const limit = limitParam(c.req.query('limit'), opts.defaultLimit, opts.maxLimit);
    const rows = await store.listOpen({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...(lang ? { lang } : {}), limit: opts.maxRows });
    const questions = groupUnanswered(rows, opts.grouping)
      .slice(0, limit)
      .map(({ rowIds: _ids, ...group }) => group);
    return c.json({ questions });
  });

  app.post('/api/admin/unanswered/dismiss', editor, limitBody(opts.maxBodyBytes), async (c) => {
    const { groupKey } = parseBody(dismissSchema, await readJsonBody(c));
    // The group as grouped now over every open question: the one holding the wording the key names.
    const rows = await store.listOpen({ limit: opts.maxRows });
    const wordings = new Set(rows.filter((r) => groupKeyOf(r.lang, r.normKey) === groupKey).map((r) => r.id));
    const group = groupUnanswered(rows, opts.grouping).find((g) => g.groupKey === groupKey || g.rowIds.some((id) => wordings.has(id)));
    // The rows marked and the audit row commit together; dismissing nothing (already handled) is not a change.
    const dismissed = group
      ? await unitOfWork.withTransaction(async () => {
          const count = await store.markHandled(group.rowIds, clock().toISOString());
          await audit?.record(actorOf(c.var.agent), AuditAction.unansweredDismissed, { type: 'unanswered_group', id: groupKey }, { questions: count });
          return count;
        })
      : 0;
    return c.json({ dismissed });
  });

  app.post('/api/admin/unanswered/change', editor, limitBody(opts.maxBodyBytes), async (c) => {
    const change = parseBody(kbChangeRequestSchema, await readJsonBody(c));
    checkKbChange(change, entryExists);
    await audit?.record(actorOf(c.var.agent), AuditAction.kbChangeGenerated, { type: 'kb_change', id: null }, {
      source: 'unanswered',
      changes: change.changes.map((item) =>
        'addQuestions' in item
          ? { addQuestions: item.addQuestions.entry, lang: item.addQuestions.lang, count: item.addQuestions.questions.length }
          : { newEntry: item.newEntry.entry.id, file: item.newEntry.file },
      ),
    });
    const day = clock().toISOString().slice(0, 10);
    c.header('Content-Type', 'application/yaml; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="kb-change-${day}.yaml"`);
    return c.body(toYaml(change));
  });

  return app;
}

/** An ISO date or date-time; a bare date YYYY-MM-DD means its start (from) as written. */
function isoParam(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
    throw new ValidationError(`invalid_${field}`, `${field} must be an ISO date or time`, field);
  }
  // Stored times are ISO in UTC: compare in the same form. A bare `to` date covers that whole day.
  if (field === 'to' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(time + 86_400_000 - 1).toISOString();
  return new Date(time).toISOString();
}

function limitParam(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new ValidationError('invalid_limit', `limit must be an integer from 1 to ${max}`, 'limit');
  }
  return Number(value);
}
