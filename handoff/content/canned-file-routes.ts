// The canned library's files: admins upload an image or PDF once (judged by its bytes, as a chat's attachments are),
// agents look at it and send it into a chat they hold or joined as a colleague, where it becomes an ordinary attachment of that chat (a
// copy: erasure and retention of the chat remove it, the library keeps its own).
import { randomBytes } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { AttachmentBlobs } from '../conversations/attachments/attachment-blobs.ts';
import { ATTACHMENT_TYPES, defaultAttachmentOptions, isImageType, toMessageAttachment } from '../conversations/attachments/attachment.ts';
import { cleanAttachmentName, contentDisposition } from '../conversations/attachments/attachment-name.ts';
import { DOWNLOAD_CSP, type AttachmentResponse } from '../conversations/attachments/attachment-routes.ts';
import { attachmentRefusal, holderFor } from '../conversations/attachments/attachment-rows.ts';
import type { AttachmentStore } from '../conversations/attachments/attachment-store.ts';
import { readUpload, refuseDeclaredOversize } from '../conversations/attachments/read-upload.ts';
import { sniffAttachment } from '../conversations/attachments/sniff-attachment.ts';
import { publishMessage } from '../conversations/publish-message.ts';
import type { ViewedConversation } from '../conversations/view-access.ts';
import type { RateLimiterFactory } from '../http/rate-limit.ts';
import { parseBody } from '../http/parse-body.ts';
import { NotFoundError, UnsupportedMediaTypeError } from '../platform/errors.ts';
import type { Hub } from '../platform/hub.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { z } from 'zod';
import { cannedCategory, cannedChars, cannedLang, cannedShortcut, CANNED_FIELD_MESSAGES, MAX_CANNED_TITLE } from './canned-entry.ts';
import type { CannedReply, CannedReplyStore } from './canned-reply-store.ts';

export interface CannedFileRoutesDeps {
  replies: CannedReplyStore;
  /** Where the library's bytes are (a folder under DATA_DIR, or PostgreSQL with several nodes). */
  files: AttachmentBlobs;
  /** A chat's attachments: a file sent into a chat is copied there. */
  attachments: AttachmentStore;
  attachmentBlobs: AttachmentBlobs;
  hub: Hub;
  requireAgent: RequireAgent;
  /**
   * Who holds the conversation and the colleagues who joined it (the send is theirs, as an upload is);
   * NotFoundError when unknown.
   */
  viewed: (conversationId: string) => Promise<ViewedConversation>;
  audit?: AuditLog;
  /** Where the per-conversation send buckets live; without it, or with rateLimit 'off', sends are not limited. */
  rateLimiters?: RateLimiterFactory;
  options?: {
    /** MAX_ATTACHMENT_BYTES: the largest file (the library's files go into chats, so the chat's limit). Default 5 MiB. */
    maxBytes?: number;
    /** Files sent into one conversation in a burst, then one every 5 s, as uploads. */
    rateLimit?: 'off';
  };
}

/** The form parts beside the file: the entry's fields (title defaults to the file's name). */
const fieldsSchema = z.strictObject({
  shortcut: cannedShortcut,
  title: cannedChars(MAX_CANNED_TITLE).optional(),
  lang: z.union([cannedLang, z.literal('')]).optional(),
  category: z.union([cannedCategory, z.literal('')]).optional(),
});

/**
 * POST /api/admin/canned/files                          multipart: file, shortcut, title?, lang?, category? -> 201 { reply }
 * GET  /api/agent/canned/:id/file                       the file's bytes (served so it can never run as a page)
 * POST /api/agent/conversations/:id/canned-files/:cannedId  the holder (or a colleague who joined) sends it into the chat -> 201 { attachment, message }
 */
export function cannedFileRoutes(deps: CannedFileRoutesDeps): Hono<AgentEnv> {
  const { replies, files, attachments, attachmentBlobs, hub, requireAgent, audit } = deps;
  const maxBytes = deps.options?.maxBytes ?? defaultAttachmentOptions.maxBytes;
  const app = new Hono<AgentEnv>();
  const perConversation =
    deps.rateLimiters && deps.options?.rateLimit !== 'off'
      ? deps.rateLimiters('canned-file-send', { capacity: defaultAttachmentOptions.burst, refillPerSecond: defaultAttachmentOptions.refillPerSecond })
      : undefined;

  // An announced body too large for any file is refused before anything else (as on the chat's upload routes).
  const declared: MiddlewareHandler = async (c, next) => {
    refuseDeclaredOversize((name) => c.req.header(name), maxBytes);
    await next();
  };

  /** A file entry of the library, or 404 (texts and links have no file; personal replies are never files). */
  async function fileEntry(id: string): Promise<CannedReply & { file: NonNullable<CannedReply['file']> }> {
    const reply = await replies.get(id).catch((err: unknown) => {
      throw err instanceof NotFoundError ? new NotFoundError('no such canned file') : err;
    });
    if (reply.kind !== 'file' || !reply.file || reply.scope !== 'shared') throw new NotFoundError('no such canned file');
    return reply as CannedReply & { file: NonNullable<CannedReply['file']> };
  }

  async function bytesOf(reply: CannedReply & { file: NonNullable<CannedReply['file']> }): Promise<Uint8Array> {
    const bytes = await files.get(reply.file.id);
    if (!bytes) throw new NotFoundError('the file of this canned entry is gone');
    return bytes;
  }

  app.post('/api/admin/canned/files', declared, requireAgent('admin'), async (c) => {
    const upload = await readUpload(c.req.raw, maxBytes);
    const sniffed = await sniffAttachment(upload.bytes);
    if (sniffed.kind === 'refused') {
      throw new UnsupportedMediaTypeError(`files must be one of ${ATTACHMENT_TYPES.join(', ')} (judged by their content)`, 'unsupported_type');
    }
    const fields = parseBody(fieldsSchema, { ...upload.fields }, CANNED_FIELD_MESSAGES);
    const name = cleanAttachmentName(upload.filename, sniffed.type);
    const id = randomBytes(16).toString('base64url');
    await files.put(id, upload.bytes);
    let reply: CannedReply;
    try {
      reply = await replies.create({
        ownerAgentId: null,
        kind: 'file',
        shortcut: fields.shortcut,
        title: fields.title ?? Array.from(name).slice(0, MAX_CANNED_TITLE).join(''),
        // The name is what a search finds and what the chat's message shows.
        text: name,
        file: { id, name, type: sniffed.type, size: upload.bytes.byteLength },
        ...(fields.lang ? { lang: fields.lang } : {}),
        ...(fields.category ? { category: fields.category } : {}),
      });
    } catch (err) {
      await files.delete([id]).catch(() => undefined);
      throw err;
    }
    await audit?.record(actorOf(c.var.agent), AuditAction.cannedReplyCreated, { type: 'canned_reply', id: reply.id }, {
      shortcut: reply.shortcut, kind: 'file', type: sniffed.type, size: upload.bytes.byteLength, lang: fields.lang || null, category: fields.category || null,
    });
    return c.json({ reply }, 201);
  });

  app.get('/api/agent/canned/:id/file', requireAgent(), async (c) => {
    const reply = await fileEntry(c.req.param('id'));
    const bytes = await bytesOf(reply);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': reply.file.type,
      'Content-Length': String(bytes.byteLength),
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': contentDisposition(isImageType(reply.file.type) ? 'inline' : 'attachment', reply.file.name),
      'Content-Security-Policy': DOWNLOAD_CSP,
      'Cache-Control': 'private, no-store',
    });
  });

  app.post('/api/agent/conversations/:id/canned-files/:cannedId', requireAgent(), async (c) => {
    const me = c.var.agent;
    const conversationId = c.req.param('id');
    const row = await deps.viewed(conversationId);
    // The holder sends, and a colleague who joined the chat, as with an upload (409 for anyone else); checked again
    // when the attachment is written.
    const holder = holderFor(me.id, row);
    const refusal = attachmentRefusal({ author: 'agent', agentId: me.id, holder, conversationId }, { status: row.status, agent_id: row.agentId });
    if (refusal) throw refusal;
    const reply = await fileEntry(c.req.param('cannedId'));
    await perConversation?.take(conversationId);
    const bytes = await bytesOf(reply);
    // A copy under a new key: the chat's attachment lives and is erased with the chat, the library's file stays.
    const id = randomBytes(16).toString('base64url');
    await attachmentBlobs.put(id, bytes);
    let added;
    try {
      added = await attachments.add({ id, conversationId, author: 'agent', agentId: me.id, holder, name: reply.file.name, type: reply.file.type, size: bytes.byteLength });
    } catch (err) {
      await attachmentBlobs.delete([id]).catch(() => undefined);
      throw err;
    }
    publishMessage(hub, added.message);
    const attachment = toMessageAttachment(added.attachment);
    const { id: messageId, text, createdAt } = added.message;
    return c.json({ attachment, message: { id: messageId, author: 'agent', text, createdAt, attachment, agentId: me.id } } satisfies AttachmentResponse, 201);
  });

  return app;
}
