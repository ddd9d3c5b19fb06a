// Canned replies API: GET/POST /api/agent/canned, GET/PATCH/DELETE /api/agent/canned/:id.
// Everyone reads the shared replies and their own; only admins write shared ones; personal ones are private.
import { Hono } from 'hono';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import type { Agent } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import type { CannedReply, CannedReplyStore } from './canned-reply-store.ts';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';

export interface CannedReplyRoutesDeps {
  replies: CannedReplyStore;
  requireAgent: RequireAgent;
  /** Audit rows of changes to shared replies (shortcut and fields, never the text); personal ones are not audited. */
  audit?: AuditLog;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes?: number;
}

/** "/" then 1-32 letters, digits, _ or - of any script: "/refund", "/退款", "/5g-plan". */
const SHORTCUT = /^\/[\p{L}\p{N}_-]{1,32}$/u;
const MAX_TITLE = 100;
const MAX_TEXT = 4000;
const MAX_QUERY = 100;
const MAX_CATEGORY = 40;
/** Most results per search. */
const MAX_LIMIT = 200;

const chars = (max: number) =>
  z
    .string()
    // Agents send these to visitors: no control characters or direction overrides, as for any chat text.
    .transform(cleanVisitorText)
    .pipe(z.string().min(1).refine((s) => [...s].length <= max));
const shortcut = z
  .string()
  .transform((s) => s.normalize('NFKC').trim().toLowerCase())
  .transform((s) => (s.startsWith('/') ? s : `/${s}`))
  .pipe(z.string().regex(SHORTCUT));
const lang = z.enum(['zh', 'en']);
/** A category name: trimmed (inner spaces folded), 1-40 characters, no control characters. */
const category = z
  .string()
  .transform((s) => cleanVisitorText(s).replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1).refine((s) => [...s].length <= MAX_CATEGORY));

const newSchema = z.strictObject({
  shortcut,
  title: chars(MAX_TITLE),
  text: chars(MAX_TEXT),
  lang: lang.nullish(),
  category: category.nullish(),
  shared: z.boolean().default(false),
});
const patchSchema = z
  .strictObject({
    shortcut: shortcut.optional(),
    title: chars(MAX_TITLE).optional(),
    text: chars(MAX_TEXT).optional(),
    lang: lang.nullable().optional(),
    category: category.nullable().optional(),
  })
  .superRefine((patch, ctx) => {
    if (Object.values(patch).every((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'nothing to change: send at least one field', params: { code: 'empty_patch' } });
    }
  });

const MESSAGES = {
  shortcut: { code: 'invalid_shortcut', message: 'shortcut must be "/" and 1-32 letters, digits, _ or - (like /refund)' },
  title: { code: 'invalid_title', message: `title must be 1-${MAX_TITLE} characters` },
  text: { code: 'invalid_text', message: `text must be 1-${MAX_TEXT} characters` },
  lang: { code: 'invalid_lang', message: 'lang must be "zh", "en" or null (both)' },
  category: { code: 'invalid_category', message: `category must be 1-${MAX_CATEGORY} characters, or null (none)` },
  shared: { code: 'invalid_shared', message: 'shared must be true or false' },
};

export function cannedReplyRoutes({ replies, requireAgent, audit, maxBodyBytes = 16_384 }: CannedReplyRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  const bodyWithinLimit = limitBody(maxBodyBytes);
  const signedIn = requireAgent();

  /** A reply this agent may see: shared, or their own. Someone else's personal reply does not exist for them. */
  async function visible(id: string, agent: Agent): Promise<CannedReply> {
    const reply = await replies.get(id);
    if (reply.scope === 'personal' && reply.ownerAgentId !== agent.id) {
      throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
    }
    return reply;
  }

  /** A reply this agent may change: their own, or a shared one when they are an admin. */
  async function writable(id: string, agent: Agent): Promise<CannedReply> {
    const reply = await visible(id, agent);
    if (reply.scope === 'shared' && agent.role !== 'admin') throw new ForbiddenError('only admins may change shared replies');
    return reply;
  }

  app.get('/api/agent/canned', signedIn, async (c) => {
    const q = c.req.query('q');
    if (q !== undefined && [...q].length > MAX_QUERY) {
      throw new ValidationError('invalid_q', `q must be at most ${MAX_QUERY} characters`, 'q');
    }
    const langQuery = c.req.query('lang');
    if (langQuery !== undefined && langQuery !== '' && langQuery !== 'zh' && langQuery !== 'en') {
      throw new ValidationError('invalid_lang', 'lang must be "zh" or "en"', 'lang');
    }
    const categoryQuery = c.req.query('category');
    const categoryParsed = categoryQuery === undefined || categoryQuery === '' ? undefined : category.safeParse(categoryQuery);
    if (categoryParsed && !categoryParsed.success) {
      throw new ValidationError('invalid_category', `category must be 1-${MAX_CATEGORY} characters`, 'category');
    }
    const limitQuery = c.req.query('limit');
    let limit: number | undefined;
    if (limitQuery !== undefined && limitQuery !== '') {
      if (!/^\d{1,4}$/.test(limitQuery) || Number(limitQuery) < 1 || Number(limitQuery) > MAX_LIMIT) {
        throw new ValidationError('invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
      }
      limit = Number(limitQuery);
    }
    const list = await replies.list(c.var.agent.id, {
      ...(q !== undefined ? { q } : {}),
      ...(langQuery === 'zh' || langQuery === 'en' ? { lang: langQuery } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(categoryParsed ? { category: categoryParsed.data } : {}),
    });
    return c.json({ replies: list });
  });

  app.get('/api/agent/canned/:id', signedIn, async (c) => {
    return c.json({ reply: await visible(c.req.param('id'), c.var.agent) });
  });

  app.post('/api/agent/canned', signedIn, bodyWithinLimit, async (c) => {
    const input = parseBody(newSchema, await readJsonBody(c), MESSAGES);
    const { agent } = c.var;
    if (input.shared && agent.role !== 'admin') throw new ForbiddenError('only admins may add shared replies');
    const reply = await replies.create({
      ownerAgentId: input.shared ? null : agent.id,
      shortcut: input.shortcut,
      title: input.title,
      text: input.text,
      ...(input.lang ? { lang: input.lang } : {}),
      ...(input.category ? { category: input.category } : {}),
    });
    if (input.shared) {
      await audit?.record(actorOf(agent), AuditAction.cannedReplyCreated, { type: 'canned_reply', id: reply.id }, { shortcut: reply.shortcut, lang: input.lang ?? null, category: input.category ?? null });
    }
    return c.json({ reply }, 201);
  });

  app.patch('/api/agent/canned/:id', signedIn, bodyWithinLimit, async (c) => {
    const patch = parseBody(patchSchema, await readJsonBody(c), MESSAGES);
    const reply = await writable(c.req.param('id'), c.var.agent);
    const updated = await replies.update(reply.id, {
      ...(patch.shortcut !== undefined ? { shortcut: patch.shortcut } : {}),
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.text !== undefined ? { text: patch.text } : {}),
      ...(patch.lang !== undefined ? { lang: patch.lang } : {}),
      ...(patch.category !== undefined ? { category: patch.category } : {}),
    });
    if (reply.scope === 'shared') {
      await audit?.record(actorOf(c.var.agent), AuditAction.cannedReplyUpdated, { type: 'canned_reply', id: reply.id }, {
        shortcut: updated.shortcut,
        fields: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined).sort(),
      });
    }
    return c.json({ reply: updated });
  });

  app.delete('/api/agent/canned/:id', signedIn, async (c) => {
    const reply = await writable(c.req.param('id'), c.var.agent);
    await replies.delete(reply.id);
    if (reply.scope === 'shared') {
      await audit?.record(actorOf(c.var.agent), AuditAction.cannedReplyDeleted, { type: 'canned_reply', id: reply.id }, { shortcut: reply.shortcut });
    }
    return c.body(null, 204);
  });

  return app;
}
