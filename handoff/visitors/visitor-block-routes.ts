// Blocking visitors: the holder of a chat (or an admin) blocks its visitor by visitor id or address and the
// chat closes; agents read the toolbar counter; admins list, make (an address or a CIDR range) and lift blocks.
// Addresses are admin-only data: an agent blocks by address without seeing it, and never a shared one
// (loopback, private, a proxy).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { Agent } from '../agents/agent.ts';
import type { AgentLog } from '../agents/agent-log.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { limitBody } from '../http/body-limit.ts';
import { charCount, cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import type { ConversationStore } from '../conversations/conversation-store.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { addressKey, DEFAULT_IPV6_PREFIX_LENGTH, parseAddressRange } from '../http/address-key.ts';
import type { AgentDirectory, Routing } from '../routing/routing.ts';
import { isSharedAddress } from './shared-address.ts';
import type { BlockKind, VisitorBlock, VisitorBlocks } from './visitor-blocks.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';

export interface VisitorBlockRoutesOptions {
  /** Longest reason, in characters. Range 1-1000; default 200. */
  maxReasonChars: number;
  /** Longest block, in hours. Range 1-87600; default 8760 (a year). */
  maxDurationHours: number;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes: number;
  /**
   * IPV6_PREFIX_LENGTH: blocking a chat's IPv6 visitor by address blocks this prefix of it (the /64 the
   * per-address limits count as one client), since the visitor may use any address inside it. Range 32-128; default 64.
   */
  ipv6PrefixLength: number;
  /** Widest range an admin may block: IPv4 prefix at least this long. Range 0-32; default 8. */
  minIpv4Prefix: number;
  /** Widest range an admin may block: IPv6 prefix at least this long. Range 0-128; default 32 (one provider's allocation). */
  minIpv6Prefix: number;
}

export const defaultVisitorBlockRoutesOptions: VisitorBlockRoutesOptions = {
  maxReasonChars: 200,
  maxDurationHours: 8760,
  maxBodyBytes: 16_384,
  ipv6PrefixLength: DEFAULT_IPV6_PREFIX_LENGTH,
  minIpv4Prefix: 8,
  minIpv6Prefix: 32,
};

export interface VisitorBlockRoutesDeps {
  blocks: VisitorBlocks;
  routing: Routing;
  /** The conversation's stored visitor id and client address. */
  conversations: ConversationStore;
  /** Display names of who blocked. */
  agents: AgentDirectory;
  requireAgent: RequireAgent;
  /** Audit lines: block id, kind, conversation and agent; never the address or message text. */
  log: AgentLog;
  /** Audit rows of blocks and lifts (kind, conversation, duration; never the address or visitor id); none in tests that do not read it. */
  audit?: AuditLog;
  /** A block or lift and its audit row commit together. */
  unitOfWork: UnitOfWork;
  /** The config's TRUSTED_PROXIES: an agent may not block a proxy's address (every chat through it has it). Absent: none. */
  isTrustedProxy?: (ip: string) => boolean;
  options?: Partial<VisitorBlockRoutesOptions>;
}

export const VisitorBlockLogEvent = {
  blocked: 'visitor.blocked',
  unblocked: 'visitor.unblocked',
} as const;

/** The Block of the HTTP contract. */
export interface BlockJson {
  id: string;
  by: BlockKind;
  /** The address or visitor id; the block response leaves an address out for a non-admin (admin-only data). */
  value: string;
  reason: string | null;
  conversationId: string | null;
  createdBy: { id: string; displayName: string };
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  active: boolean;
  hits: number;
  lastHitAt: string | null;
}

/** Longer ids cannot be ours (UUIDs are 36). */
const MAX_ID_LENGTH = 128;
/** The widget's visitor ids (bot/chat/chat-request.ts). */
const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Longest address or range text: an IPv6 address in full with a zone and a prefix is well under it. */
const MAX_VALUE_LENGTH = 100;

export function visitorBlockRoutes(deps: VisitorBlockRoutesDeps): Hono<AgentEnv> {
  const { blocks, routing, conversations, agents, requireAgent, log, audit, unitOfWork, isTrustedProxy } = deps;
  const opts: VisitorBlockRoutesOptions = { ...defaultVisitorBlockRoutesOptions, ...deps.options };
  const app = new Hono<AgentEnv>();
  const agent = requireAgent();
  const admin = requireAgent('admin');
  const body = limitBody(opts.maxBodyBytes);

  const durationMessage = `durationHours must be a whole number from 1 to ${opts.maxDurationHours}, or null (until lifted)`;
  const blockFields = {
    by: z.enum(['ip', 'visitor'], { error: 'by must be "ip" or "visitor"' }),
    reason: z
      .string({ error: 'reason must be a string' })
      .transform(cleanVisitorText)
      .refine((t) => charCount(t) <= opts.maxReasonChars, {
        error: `reason must be at most ${opts.maxReasonChars} characters`,
        params: { code: 'invalid_reason' },
      })
      .nullish(),
    durationHours: z
      .number({ error: durationMessage })
      .int({ error: durationMessage })
      .min(1, { error: durationMessage })
      .max(opts.maxDurationHours, { error: durationMessage })
      .nullish(),
  };
  const blockSchema = z.strictObject(blockFields);
  // An admin names the value: a visitor id, or an address or CIDR range (checked by valueOf below).
  const adminBlockSchema = z.strictObject({
    ...blockFields,
    value: z.string({ error: 'value must be a string' }).max(MAX_VALUE_LENGTH, { error: `value must be at most ${MAX_VALUE_LENGTH} characters` }),
  });
  const rangeMessage = `value must be an IP address or a CIDR range no wider than /${opts.minIpv4Prefix} (IPv4) or /${opts.minIpv6Prefix} (IPv6), e.g. 203.0.113.7, 198.51.100.0/24, 2001:db8:9:9::/64`;

  /** The admin's value, checked for its kind: an address or range in canonical form, or a visitor id as it is. */
  function valueOf(by: BlockKind, value: string): string {
    if (by === 'visitor') {
      if (!VISITOR_ID.test(value)) throw new ValidationError('invalid_value', 'value must be a visitor id: 16-64 characters of A-Z, a-z, 0-9, _ and -', 'value');
      return value;
    }
    const range = parseAddressRange(value.trim());
    if (!range || range.prefixLength < (range.family === 'ipv4' ? opts.minIpv4Prefix : opts.minIpv6Prefix)) {
      throw new ValidationError('invalid_value', rangeMessage, 'value');
    }
    return range.value;
  }

  /** A block and its audit row in one transaction; the in-memory gate changes only once it commits. */
  async function blockAudited(me: Agent, input: { by: BlockKind; value: string; reason?: string | null | undefined; durationHours?: number | null | undefined }, conversationId?: string) {
    return unitOfWork.withTransaction(async () => {
      const b = await blocks.block({
        kind: input.by,
        value: input.value,
        createdBy: me.id,
        ...(conversationId ? { conversationId } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.durationHours != null ? { durationHours: input.durationHours } : {}),
      });
      await audit?.record(actorOf(me), AuditAction.visitorBlocked, { type: 'block', id: b.id }, {
        kind: b.kind, conversationId: conversationId ?? null, durationHours: input.durationHours ?? null, withReason: Boolean(input.reason),
        ...(b.kind === 'ip' ? { range: b.value.includes('/') } : {}),
      });
      return b;
    });
  }

  /** Names of who blocked, looked up once per response. */
  async function toJson(list: VisitorBlock[]): Promise<BlockJson[]> {
    const names = new Map<string, string>();
    for (const id of new Set(list.map((b) => b.createdBy))) names.set(id, (await agents.get(id))?.displayName ?? id);
    return list.map((b) => ({
      id: b.id,
      by: b.kind,
      value: b.value,
      reason: b.reason,
      conversationId: b.conversationId,
      createdBy: { id: b.createdBy, displayName: names.get(b.createdBy)! },
      createdAt: b.createdAt,
      expiresAt: b.expiresAt,
      liftedAt: b.liftedAt,
      active: b.active,
      hits: b.hits,
      lastHitAt: b.lastHitAt,
    }));
  }

  app.post('/api/agent/conversations/:id/block', agent, body, async (c) => {
    const id = conversationId(c);
    const me = c.var.agent;
    const conversation = await conversations.getConversation(id);
    // The rule of transfer and close: the agent holding the chat, or an admin.
    if (me.role !== 'admin' && !(await routing.heldConversationIds(me.id)).includes(id)) {
      throw new ForbiddenError(`handoff: conversation ${id} is not yours; only its holder or an admin may block its visitor`);
    }
    const input = parseBody(blockSchema, await readJsonBody(c));
    const stored = input.by === 'visitor' ? conversation.visitor.visitorId : conversation.visitor.ip;
    if (stored === undefined) {
      throw input.by === 'visitor'
        ? new ConflictError('this conversation has no visitor id (the widget sent none); block by ip instead', 'no_visitor_id')
        : new ConflictError('this conversation has no client address; block by visitor id instead', 'no_ip');
    }
    // One agent must not shut out everyone behind a proxy, an office network or a misconfigured TRUSTED_PROXIES.
    if (input.by === 'ip' && me.role !== 'admin' && isSharedAddress(stored, isTrustedProxy)) {
      throw new ConflictError(
        'this chat comes from a shared address (a proxy or a local network) that many visitors may use; block by visitor id instead, or ask an admin',
        'shared_address',
      );
    }
    // An IPv6 visitor picks any address in its /64 (privacy addresses change daily; a flooder rotates at will):
    // blocking the one address would stop nothing, so the block covers the prefix the limits count as one client.
    const value = input.by === 'ip' ? addressKey(stored, opts.ipv6PrefixLength) : stored;
    const block = await blockAudited(me, { ...input, value }, id);
    // Closed the normal way: hub events, closure row, the visitor stream's `closed`. Already closed is fine.
    await routing.close(id, { kind: 'agent', agent: me });
    log.info({ event: VisitorBlockLogEvent.blocked, blockId: block.id, kind: block.kind, conversationId: id, by: me.id }, 'visitor blocked');
    const json = (await toJson([block]))[0]!;
    // The address is admin-only personal data: the agent who blocked by it does not get it back.
    const { value: _address, ...withoutAddress } = json;
    return c.json({ block: block.kind === 'ip' && me.role !== 'admin' ? withoutAddress : json });
  });

  app.get('/api/agent/blocks/summary', agent, async (c) => c.json(await blocks.summary()));

  app.get('/api/admin/blocks', admin, async (c) => c.json({ blocks: await toJson(await blocks.list()) }));

  // An admin blocks an address or a range (a flood from a provider's block, a known abusive network) or a
  // visitor id, without a chat; shared addresses included (the admin knows what sits behind them).
  app.post('/api/admin/blocks', admin, body, async (c) => {
    const me = c.var.agent;
    const input = parseBody(adminBlockSchema, await readJsonBody(c));
    const block = await blockAudited(me, { ...input, value: valueOf(input.by, input.value) });
    log.info({ event: VisitorBlockLogEvent.blocked, blockId: block.id, kind: block.kind, by: me.id }, 'visitor blocked');
    return c.json({ block: (await toJson([block]))[0] }, 201);
  });

  app.delete('/api/admin/blocks/:id', admin, async (c) => {
    const id = c.req.param('id') ?? '';
    if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('no such block');
    // The lift and its audit row in one transaction; the gate opens only once it commits.
    const block = await unitOfWork.withTransaction(async () => {
      const b = await blocks.lift(id, c.var.agent.id);
      await audit?.record(actorOf(c.var.agent), AuditAction.visitorUnblocked, { type: 'block', id: b.id }, { kind: b.kind, conversationId: b.conversationId });
      return b;
    });
    log.info({ event: VisitorBlockLogEvent.unblocked, blockId: block.id, kind: block.kind, by: c.var.agent.id }, 'visitor unblocked');
    return c.json({ block: (await toJson([block]))[0] });
  });

  return app;
}

function conversationId(c: Context<AgentEnv>): string {
  const id = c.req.param('id') ?? '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('handoff: no such conversation');
  return id;
}
