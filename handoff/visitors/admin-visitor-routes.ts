// Admin privacy API: export, or delete, everything stored about a visitor (see visitor-transcripts.ts for
// what a visitor is): :visitorKey is `visitor:<visitor id>` or conversation ids separated by commas.
import { Hono } from 'hono';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { AgentLog } from '../agents/agent-log.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.ts';
import type { VisitorTranscripts } from './visitor-transcripts.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';

export interface AdminVisitorRoutesDeps {
  visitors: VisitorTranscripts;
  requireAgent: RequireAgent;
  /** Audit lines: who exported or deleted how much (never message text). */
  log: AgentLog;
  /** Audit rows of exports and erasures (conversation ids and counts, never text); none in tests that do not read it. */
  audit?: AuditLog;
  /** An erasure and its audit row commit together. */
  unitOfWork: UnitOfWork;
  /**
   * Removes what the erased conversations left outside the database (attachment bytes in their object store),
   * after the erasure commits. A failure is logged; the files go at the next erasure or start.
   */
  afterErase?: () => Promise<unknown>;
}

export const VisitorLogEvent = {
  exported: 'privacy.visitor_exported',
  deleted: 'privacy.visitor_deleted',
  /** The erasure committed but some attachment bytes are still stored: removed at the next erasure or start. */
  filesPending: 'privacy.files_pending',
} as const;

/** Most conversation ids in one key. */
export const MAX_VISITOR_CONVERSATIONS = 100;
/** Most conversations of one visitor id in one request (a widget starts one per chat: far more than any visitor has). */
export const MAX_CONVERSATIONS_PER_VISITOR_ID = 1000;
const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The widget's visitor id (bot/chat/chat-request.ts accepts the same). */
const VISITOR_KEY = /^visitor:([A-Za-z0-9_-]{16,64})$/;

/** The conversation ids a key names (a visitor id: its oldest MAX_CONVERSATIONS_PER_VISITOR_ID conversations). */
async function parseVisitorKey(key: string, visitors: VisitorTranscripts): Promise<string[]> {
  const byVisitor = VISITOR_KEY.exec(key);
  if (byVisitor) {
    // Never a silent cut: a visitor id with more conversations than one request takes is refused as a whole.
    const ids = await visitors.conversationsOf(byVisitor[1]!, MAX_CONVERSATIONS_PER_VISITOR_ID + 1);
    if (ids.length > MAX_CONVERSATIONS_PER_VISITOR_ID) {
      throw new ConflictError(`this visitor id has more than ${MAX_CONVERSATIONS_PER_VISITOR_ID} conversations: name them by id`, 'too_many_conversations');
    }
    return ids;
  }
  const ids = [...new Set(key.split(',').map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0 || ids.length > MAX_VISITOR_CONVERSATIONS || !ids.every((id) => CONVERSATION_ID.test(id))) {
    throw new ValidationError(
      'invalid_visitor_key',
      `visitorKey is visitor:<visitor id> or 1-${MAX_VISITOR_CONVERSATIONS} conversation ids separated by commas`,
      'visitorKey',
    );
  }
  return ids;
}

export function adminVisitorRoutes({ visitors, requireAgent, log, audit, unitOfWork, afterErase }: AdminVisitorRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  // requireAgent also refuses a DELETE with a foreign Origin (same-origin check) before the session is read.
  const admin = requireAgent('admin');

  /** ?format=json (the default and, for now, the only format): every conversation with its messages. */
  app.get('/api/admin/visitors/:visitorKey/transcripts', admin, async (c) => {
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json') throw new ValidationError('invalid_format', 'format must be json', 'format');
    const ids = await parseVisitorKey(c.req.param('visitorKey'), visitors);
    const exported = await visitors.export(ids);
    if (exported.conversations.length === 0) throw new NotFoundError('no conversation with these ids');
    const messages = exported.conversations.reduce((n, conv) => n + conv.messages.length, 0);
    log.info(
      { event: VisitorLogEvent.exported, by: c.var.agent.id, conversations: exported.conversations.length, messages },
      'visitor transcripts exported',
    );
    await audit?.record(actorOf(c.var.agent), AuditAction.transcriptsExported, { type: 'conversations', id: ids.join(',') }, {
      conversations: exported.conversations.length,
      messages,
    });
    c.header('Content-Disposition', 'attachment; filename="visitor-transcripts.json"');
    return c.json({ exportedAt: new Date().toISOString(), ...exported });
  });

  /** Deletes the named conversations and all stored with them; unknown ids count 0 (a repeat is harmless). */
  app.delete('/api/admin/visitors/:visitorKey/transcripts', admin, async (c) => {
    const ids = await parseVisitorKey(c.req.param('visitorKey'), visitors);
    // A chat waiting for or held by a person is live in the queue and on an agent's screen: close it first.
    const live = [...(await visitors.statuses(ids))].filter(([, status]) => status === 'queued' || status === 'assigned').map(([id]) => id);
    if (live.length > 0) throw new ConflictError(`close these conversations first: ${live.join(', ')}`);
    // The erasure and its audit row commit together: an erasure is never left unaccounted for.
    const deleted = await unitOfWork.withTransaction(async () => {
      const counts = await visitors.delete(ids);
      await audit?.record(actorOf(c.var.agent), AuditAction.transcriptsDeleted, { type: 'conversations', id: ids.join(',') }, { ...counts });
      return counts;
    });
    await afterErase?.().catch((err: unknown) => log.warn({ event: VisitorLogEvent.filesPending, err }, 'files of the erased chats not removed yet (retried)'));
    await visitors.scrub();
    log.info({ event: VisitorLogEvent.deleted, by: c.var.agent.id, ...deleted }, 'visitor transcripts deleted');
    return c.json({ deleted });
  });

  return app;
}
