// Canned replies API: GET/POST /api/agent/canned, GET/PATCH/DELETE /api/agent/canned/:id.
// Everyone reads the shared replies and their own; only admins write shared ones (links among them); personal ones
// are private. Files of the library are uploaded, served and sent into chats by canned-file-routes.ts.
import { Hono } from 'hono';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import type { Agent } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import type { CannedReply, CannedReplyStore } from './canned-reply-store.ts';
import type { AttachmentBlobs } from '../conversations/attachments/attachment-blobs.ts';
import { cannedCategory, cannedChars, cannedLang, cannedShortcut, cannedUrl, CANNED_FIELD_MESSAGES, MAX_CANNED_CATEGORY, MAX_CANNED_TEXT, MAX_CANNED_TITLE } from './canned-entry.ts';
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
  /** Where the library's files are (canned-file-routes.ts): a deleted file entry's bytes are removed from it. */
  files?: AttachmentBlobs;
}

const MAX_QUERY = 100;
/** Most results per search. */
const MAX_LIMIT = 200;

const newSchema = z
  .strictObject({
    kind: z.enum(['text', 'link', 'file']).default('text'),
    shortcut: cannedShortcut,
    title: cannedChars(MAX_CANNED_TITLE),
    text: cannedChars(MAX_CANNED_TEXT).optional(),
    url: cannedUrl.optional(),
    lang: cannedLang.nullish(),
    category: cannedCategory.nullish(),
    shared: z.boolean().optional(),
  })
  .superRefine((input, ctx) => {
    // A text has words and no address; a link an address and no words (the composer inserts title and address).
    if (input.kind === 'file') {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'files are added with POST /api/admin/canned/files (multipart)', params: { code: 'invalid_kind' } });
    } else if (input.kind === 'text' && input.text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text is required', params: { code: 'missing_field' } });
    } else if (input.kind === 'text' && input.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'only a link entry (kind "link") has a url', params: { code: 'invalid_url' } });
    } else if (input.kind === 'link' && input.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'url is required for a link', params: { code: 'missing_field' } });
    } else if (input.kind === 'link' && input.text !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'a link has a title and a url, not a text', params: { code: 'invalid_text' } });
    } else if (input.kind === 'link' && input.shared === false) {
      ctx.addIssue({ code: 'custom', path: ['shared'], message: 'links are shared: the library is kept by admins', params: { code: 'invalid_shared' } });
    }
  });
const patchSchema = z
  .strictObject({
    shortcut: cannedShortcut.optional(),
    title: cannedChars(MAX_CANNED_TITLE).optional(),
    text: cannedChars(MAX_CANNED_TEXT).optional(),
    url: cannedUrl.optional(),
    lang: cannedLang.nullable().optional(),
    category: cannedCategory.nullable().optional(),
  })
  .superRefine((patch, ctx) => {
    if (Object.values(patch).every((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'nothing to change: send at least one field', params: { code: 'empty_patch' } });
    }
  });

const MESSAGES = CANNED_FIELD_MESSAGES;

export function cannedReplyRoutes({ replies, requireAgent, audit, maxBodyBytes = 16_384, files }: CannedReplyRoutesDeps): Hono<AgentEnv> {
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
    const categoryParsed = categoryQuery === undefined || categoryQuery === '' ? undefined : cannedCategory.safeParse(categoryQuery);
    if (categoryParsed && !categoryParsed.success) {
      throw new ValidationError('invalid_category', `category must be 1-${MAX_CANNED_CATEGORY} characters`, 'category');
    }
    const kindQuery = c.req.query('kind');
    if (kindQuery !== undefined && kindQuery !== '' && kindQuery !== 'text' && kindQuery !== 'link' && kindQuery !== 'file') {
      throw new ValidationError('invalid_kind', 'kind must be "text", "link" or "file"', 'kind');
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
      ...(kindQuery === 'text' || kindQuery === 'link' || kindQuery === 'file' ? { kind: kindQuery } : {}),
    });
    return c.json({ replies: list });
  });

  app.get('/api/agent/canned/:id', signedIn, async (c) => {
    return c.json({ reply: await visible(c.req.param('id'), c.var.agent) });
  });

  app.post('/api/agent/canned', signedIn, bodyWithinLimit, async (c) => {
    const input = parseBody(newSchema, await readJsonBody(c), MESSAGES);
    const { agent } = c.var;
    const link = input.kind === 'link';
    const shared = link || input.shared === true;
    if (shared && agent.role !== 'admin') throw new ForbiddenError(link ? 'only admins may add links to the library' : 'only admins may add shared replies');
    const reply = await replies.create({
      ownerAgentId: shared ? null : agent.id,
      shortcut: input.shortcut,
      title: input.title,
      // A link keeps its address where a text keeps its words: searched and inserted alike.
      text: link ? input.url! : input.text!,
      ...(link ? { kind: 'link' as const } : {}),
      ...(input.lang ? { lang: input.lang } : {}),
      ...(input.category ? { category: input.category } : {}),
    });
    if (shared) {
      await audit?.record(actorOf(agent), AuditAction.cannedReplyCreated, { type: 'canned_reply', id: reply.id }, {
        shortcut: reply.shortcut, lang: input.lang ?? null, category: input.category ?? null, ...(link ? { kind: 'link' } : {}),
      });
    }
    return c.json({ reply }, 201);
  });

  app.patch('/api/agent/canned/:id', signedIn, bodyWithinLimit, async (c) => {
    const patch = parseBody(patchSchema, await readJsonBody(c), MESSAGES);
    const reply = await writable(c.req.param('id'), c.var.agent);
    // Each kind keeps its own content: a text its words, a link its address; a file's file is replaced by a new entry.
    if (patch.text !== undefined && reply.kind !== 'text') {
      throw new ValidationError('invalid_text', `a ${reply.kind} entry has no text to change${reply.kind === 'link' ? ' (change its url)' : ''}`, 'text');
    }
    if (patch.url !== undefined && reply.kind !== 'link') throw new ValidationError('invalid_url', 'only a link entry has a url', 'url');
    const content = patch.text ?? patch.url;
    const updated = await replies.update(reply.id, {
      ...(patch.shortcut !== undefined ? { shortcut: patch.shortcut } : {}),
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(content !== undefined ? { text: content } : {}),
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
    const deleted = await replies.delete(reply.id);
    // After the row: a failure here leaves bytes nobody can reach, never an entry without its file.
    if (deleted.file) await files?.delete([deleted.file.id]).catch(() => undefined);
    if (reply.scope === 'shared') {
      await audit?.record(actorOf(c.var.agent), AuditAction.cannedReplyDeleted, { type: 'canned_reply', id: reply.id }, { shortcut: reply.shortcut });
    }
    return c.body(null, 204);
  });

  return app;
}
