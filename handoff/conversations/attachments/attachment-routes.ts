// Files in a chat with a person: the visitor uploads with their Bearer token, the agent holding the chat (or a
// colleague who joined it) with their session; either side downloads through the one URL a message carries. Every
// file is judged by its bytes, stored under a random id, and served so that it can never run as a page.
import { randomBytes } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Agent } from '../../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../../agents/agent-env.ts';
import { bearerToken } from '../../http/bearer-token.ts';
import type { RateLimiterFactory } from '../../http/rate-limit.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError, UnsupportedMediaTypeError } from '../../platform/errors.ts';
import type { Hub } from '../../platform/hub.ts';
import { actorOf, AuditAction, type AuditLog } from '../../supervision/audit-log.ts';
import type { Conversation, ConversationStore } from '../conversation-store.ts';
import { publishMessage } from '../publish-message.ts';
import { mayView, viewAccessOf, type ViewedConversation } from '../view-access.ts';
import { ATTACHMENT_TYPES, defaultAttachmentOptions, isImageType, toMessageAttachment, type AttachmentAuthor, type AttachmentOptions, type MessageAttachment } from './attachment.ts';
import { BLOB_KEY, type AttachmentBlobs } from './attachment-blobs.ts';
import { cleanAttachmentName, contentDisposition } from './attachment-name.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { attachmentRefusal, holderFor } from './attachment-rows.ts';
import { readUpload, refuseDeclaredOversize } from './read-upload.ts';
import { sniffAttachment } from './sniff-attachment.ts';

export interface AttachmentRoutesDeps {
  conversations: ConversationStore;
  attachments: AttachmentStore;
  blobs: AttachmentBlobs;
  hub: Hub;
  requireAgent: RequireAgent;
  /** Who holds the conversation and where it waits, for the view rule (view-access.ts); NotFoundError when unknown. */
  viewed: (conversationId: string) => Promise<ViewedConversation>;
  /** Refuses a blocked visitor (VisitorBlockedError) once the token is checked. Default: nobody is blocked. */
  visitorGate?: (c: Context, conversation: Conversation) => void;
  /** Where the per-conversation upload buckets live; without it, or with rateLimit 'off', uploads are not limited. */
  rateLimiters?: RateLimiterFactory;
  /** A row for each download by an admin of a chat they do not hold (as for conversation.viewed). */
  audit?: AuditLog;
  options?: Partial<AttachmentOptions> & { rateLimit?: 'off' };
}

/** 201 of an upload: the attachment, and the message that carries it (as history and the live streams show it). */
export interface AttachmentResponse {
  attachment: MessageAttachment;
  /**
   * `agentId`: who sent it, on an agent's upload only (the console names the message by it: the holder, or a
   * colleague who joined the chat). The visitor's answer never has it.
   */
  message: { id: number; author: AttachmentAuthor; text: string; createdAt: string; attachment: MessageAttachment; agentId?: string };
}

/**
 * Images go out inline as what they are; nothing in a response may run: no script, no plugin, no frame, and the
 * sandbox gives a document opened from it an opaque origin, so even a file that slipped past the sniffing could
 * not reach this service's cookies or storage.
 */
export const DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

export function attachmentRoutes(deps: AttachmentRoutesDeps): Hono<AgentEnv> {
  const { conversations, attachments, blobs, hub, requireAgent, audit } = deps;
  const opts: AttachmentOptions = { ...defaultAttachmentOptions, ...deps.options };
  const app = new Hono<AgentEnv>();
  const agent = requireAgent();
  const perConversation =
    deps.rateLimiters && deps.options?.rateLimit !== 'off'
      ? deps.rateLimiters('attachment-upload', { capacity: opts.burst, refillPerSecond: opts.refillPerSecond })
      : undefined;

  async function visitorConversation(c: Context): Promise<Conversation> {
    const token = bearerToken(c.req.header('authorization'));
    const conversation = await conversations.authenticate(c.req.param('id') ?? '', token);
    deps.visitorGate?.(c, conversation);
    return conversation;
  }

  /** Judges, stores and announces one upload; the bytes are stored first and removed again if the row is refused. */
  async function store(c: Context, conversationId: string, author: AttachmentAuthor, agent?: { agentId: string; holder: string }) {
    const upload = await readUpload(c.req.raw, opts.maxBytes);
    const sniffed = await sniffAttachment(upload.bytes);
    if (sniffed.kind === 'refused') {
      throw new UnsupportedMediaTypeError(`files must be one of ${ATTACHMENT_TYPES.join(', ')} (judged by their content)`, 'unsupported_type');
    }
    const id = randomBytes(16).toString('base64url');
    await blobs.put(id, upload.bytes);
    let added;
    try {
      added = await attachments.add({
        id,
        conversationId,
        author,
        ...(agent ?? {}),
        name: cleanAttachmentName(upload.filename, sniffed.type),
        type: sniffed.type,
        size: upload.bytes.byteLength,
      });
    } catch (err) {
      await blobs.delete([id]).catch(() => undefined);
      throw err;
    }
    publishMessage(hub, added.message);
    const attachment = toMessageAttachment(added.attachment);
    const { id: messageId, text, createdAt } = added.message;
    const message = { id: messageId, author, text, createdAt, attachment, ...(agent ? { agentId: agent.agentId } : {}) };
    return c.json({ attachment, message } satisfies AttachmentResponse, 201);
  }

  // An announced body too large for any file is refused before anything else (as limitBody does on JSON routes).
  const declared: MiddlewareHandler = async (c, next) => {
    refuseDeclaredOversize((name) => c.req.header(name), opts.maxBytes);
    await next();
  };

  app.post('/api/conversations/:id/attachments', declared, async (c) => {
    const conversation = await visitorConversation(c);
    await perConversation?.take(conversation.id);
    // Refused before a byte of the file is read; checked again when the row is written.
    const refusal = attachmentRefusal({ author: 'visitor', conversationId: conversation.id }, { status: conversation.status, agent_id: undefined });
    if (refusal) throw refusal;
    return store(c, conversation.id, 'visitor');
  });

  app.post('/api/agent/conversations/:id/attachments', declared, agent, async (c) => {
    const me = c.var.agent;
    const id = c.req.param('id');
    const row = await deps.viewed(id);
    // The holder sends, and a colleague who joined the chat beside them (their file is theirs, the holder must still
    // hold the chat). Anyone else: the same answer as to a reply in a chat they do not hold (409). Checked again
    // when the row is written.
    const holder = holderFor(me.id, row);
    const refusal = attachmentRefusal({ author: 'agent', agentId: me.id, holder, conversationId: id }, { status: row.status, agent_id: row.agentId });
    if (refusal) throw refusal;
    await perConversation?.take(id);
    return store(c, id, 'agent', { agentId: me.id, holder });
  });

  /** The signed-in agent, or undefined for no session, an ended one or a role without chat work (never 401/403 here). */
  async function signedInAgent(c: Context<AgentEnv>): Promise<Agent | undefined> {
    let found: Agent | undefined;
    try {
      await agent(c, async () => {
        found = c.var.agent;
      });
    } catch (err) {
      if (err instanceof UnauthorizedError || err instanceof ForbiddenError) return undefined;
      throw err;
    }
    return found;
  }

  app.get('/api/conversations/:id/attachments/:attachmentId', async (c) => {
    const conversationId = c.req.param('id');
    const attachmentId = c.req.param('attachmentId');
    const hidden = () => new NotFoundError('no such attachment');
    if (!BLOB_KEY.test(attachmentId)) throw hidden();
    // The visitor of the conversation (Bearer token), or an agent who may view the chat (session): anyone else,
    // including whoever sends neither, learns nothing, not even that the attachment exists.
    if (c.req.header('authorization') !== undefined) {
      try {
        await visitorConversation(c);
      } catch (err) {
        if (err instanceof UnauthorizedError || err instanceof NotFoundError) throw hidden();
        throw err;
      }
    } else {
      const me = await signedInAgent(c);
      if (!me) throw hidden();
      const row = await deps.viewed(conversationId).catch((err: unknown) => {
        throw err instanceof NotFoundError ? hidden() : err;
      });
      if (!mayView(viewAccessOf(me), row)) throw hidden();
      if (me.role === 'admin' && !(row.status === 'assigned' && row.agentId === me.id)) {
        await audit?.record(actorOf(me), AuditAction.attachmentViewed, { type: 'conversation', id: conversationId }, { attachment: attachmentId });
      }
    }
    const attachment = await attachments.get(conversationId, attachmentId);
    if (!attachment) throw hidden();
    const bytes = await blobs.get(attachment.id);
    if (!bytes) throw hidden();
    const image = isImageType(attachment.type);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': attachment.type,
      'Content-Length': String(bytes.byteLength),
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': contentDisposition(image ? 'inline' : 'attachment', attachment.name),
      'Content-Security-Policy': DOWNLOAD_CSP,
      'Cache-Control': 'private, no-store',
    });
  });

  return app;
}
