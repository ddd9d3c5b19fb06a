// The agent console's API for the queue and the chats: status, queue, take, read, reply, transfer,
// close, groups to transfer to, and the messages visitors left (tickets). Every route needs a session.
import { Hono, type Context } from 'hono';
import { PROVINCE_CATALOG } from './provinces.ts';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { charCount, cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import type { AgentStatus } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import type { Groups } from './groups.ts';
import { parseBody } from '../http/parse-body.ts';
import { CLIENT_MESSAGE_ID_RULE, clientMessageIdField } from '../conversations/client-message-id.ts';
import type { PresenceService } from './presence-service.ts';
import { publishMessage } from '../conversations/publish-message.ts';
import type { Hub } from '../platform/hub.ts';
import type { Routing } from './routing.ts';
import { TICKET_STATUSES, type Ticket, type TicketStatus, type TicketStore } from './tickets.ts';

export interface AgentQueueRoutesOptions {
  /** Longest agent message or ticket answer, in characters. Range 1-10000; default 2000. */
  maxMessageChars: number;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes: number;
  /** Longest transfer note, in characters. Range 1-2000; default 500. */
  maxNoteChars: number;
}

export const defaultAgentQueueRoutesOptions: AgentQueueRoutesOptions = {
  maxMessageChars: 2000,
  maxBodyBytes: 16_384,
  maxNoteChars: 500,
};

export interface AgentQueueRoutesDeps {
  routing: Routing;
  presence: PresenceService;
  groups: Groups;
  tickets: TicketStore;
  hub: Hub;
  requireAgent: RequireAgent;
  /** A row for each view of a chat by an admin who does not hold it (counts, never text); none in tests that do not read it. */
  audit?: AuditLog;
  /**
   * Told of each answered ticket once it is stored and its answer is in the chat (e-mails it to the visitor, issue
   * 17). Called after the answer is committed; it must return at once and never throw into the agent's request.
   */
  onTicketAnswered?: (ticket: Ticket) => void;
  options?: Partial<AgentQueueRoutesOptions>;
}

/** Longer ids cannot be ours (UUIDs are 36). */
const MAX_ID_LENGTH = 128;
const CHOSEN_STATUSES = ['online', 'away', 'busy', 'invisible', 'offline'] as const satisfies readonly AgentStatus[];

export function agentQueueRoutes(deps: AgentQueueRoutesDeps): Hono<AgentEnv> {
  const { routing, presence, groups, tickets, hub, requireAgent, audit } = deps;
  const opts: AgentQueueRoutesOptions = { ...defaultAgentQueueRoutesOptions, ...deps.options };
  const app = new Hono<AgentEnv>();
  // Per route, never `use('/api/agent/*')`: that would also guard the sign-in route mounted beside these.
  const agent = requireAgent();
  const body = limitBody(opts.maxBodyBytes);

  const textField = (name: string, max: number) =>
    z
      .string({ error: `${name} must be a string` })
      .transform(cleanVisitorText)
      .refine((t) => t !== '', { error: `${name} must not be empty`, params: { code: 'empty_text' } })
      .refine((t) => charCount(t) <= max, { error: `${name} must be at most ${max} characters`, params: { code: 'message_too_long' } });
  // Strict: a misspelt or smuggled field (`{"$gt": ...}`, `__proto__`) is a 400 naming it, never silently dropped.
  const messageSchema = z.strictObject({ text: textField('text', opts.maxMessageChars) });
  const replySchema = z.strictObject({ text: textField('text', opts.maxMessageChars), clientMessageId: clientMessageIdField });
  const statusSchema = z.strictObject({
    status: z.enum(CHOSEN_STATUSES, { error: 'status must be one of online, away, busy, invisible, offline' }),
  });
  const transferSchema = z
    .strictObject({
      agent: z.string({ error: 'agent must be an agent id' }).min(1, { error: 'agent must be an agent id' }).max(MAX_ID_LENGTH).nullish(),
      group: z.string({ error: 'group must be a group id' }).min(1, { error: 'group must be a group id' }).max(64).nullish(),
      note: z
        .string({ error: 'note must be a string' })
        .transform(cleanVisitorText)
        .refine((t) => charCount(t) <= opts.maxNoteChars, { error: `note must be at most ${opts.maxNoteChars} characters` })
        .nullish(),
    })
    .superRefine((b, ctx) => {
      if ((b.agent == null) === (b.group == null)) {
        ctx.addIssue({
          code: 'custom',
          path: [b.agent == null ? 'agent' : 'group'],
          message: 'transfer to exactly one of agent or group',
          params: { code: 'invalid_target' },
        });
      }
    });

  app.get('/api/agent/status', agent, (c) => c.json({ status: presence.status(c.var.agent.id) }));

  app.post('/api/agent/status', agent, body, async (c) => {
    const { status } = parseBody(statusSchema, await readJsonBody(c));
    presence.setStatus(c.var.agent.id, status);
    return c.json({ status: presence.status(c.var.agent.id) });
  });

  app.get('/api/agent/queue', agent, async (c) => c.json({ conversations: await routing.queueFor(c.var.agent) }));

  app.get('/api/agent/groups', agent, async (c) => {
    const list = await groups.list();
    return c.json({
      groups: list.map((g) => {
        const hours = groups.hoursStatus(g);
        return hours.open ? { id: g.id, name: g.name, open: true } : { id: g.id, name: g.name, open: false, opensAt: hours.opensAt.toISOString() };
      }),
      // The names of the province ids queue items and chats carry.
      provinces: PROVINCE_CATALOG,
    });
  });

  app.get('/api/agent/conversations', agent, async (c) => c.json({ conversations: await routing.heldBy(c.var.agent) }));

  app.post('/api/agent/conversations/:id/take', agent, async (c) => {
    const id = conversationId(c);
    await routing.take(id, c.var.agent);
    return c.json(await routing.view(id, c.var.agent));
  });

  app.get('/api/agent/conversations/:id', agent, async (c) => {
    const after = parseAfter(c.req.query('after'));
    const me = c.var.agent;
    const id = conversationId(c);
    const view = await routing.view(id, me, { after });
    // An admin reads any chat; reading one they do not hold is a read of someone's personal data, so it is
    // audited, once per request (the console asks again only on a change, and with `after` for the new part).
    if (me.role === 'admin' && !(view.status === 'assigned' && view.agent?.id === me.id)) {
      await audit?.record(actorOf(me), AuditAction.conversationViewed, { type: 'conversation', id }, {
        status: view.status,
        messages: view.messages.length,
        ...(after > 0 ? { after } : {}),
      });
    }
    return c.json(view);
  });

  app.post('/api/agent/conversations/:id/messages', agent, body, async (c) => {
    const id = conversationId(c);
    const { text, clientMessageId } = parseBody(replySchema, await readJsonBody(c), { clientMessageId: CLIENT_MESSAGE_ID_RULE });
    // A retry with the same clientMessageId gets the message stored the first time (same id), nothing new.
    const message = await routing.sendAgentMessage(id, c.var.agent, text, clientMessageId != null ? { clientMessageId } : {});
    // With its author: a chat may have two agents writing (a colleague invited in), and each console names who wrote what.
    return c.json({ message: { id: message.id, author: message.author, text: message.text, createdAt: message.createdAt, ...(message.agentId ? { agentId: message.agentId } : {}) } }, 201);
  });

  app.post('/api/agent/conversations/:id/transfer', agent, body, async (c) => {
    const id = conversationId(c);
    const input = parseBody(transferSchema, await readJsonBody(c));
    const transfer = await routing.transfer(id, c.var.agent, {
      ...(input.agent != null ? { agent: input.agent } : {}),
      ...(input.group != null ? { group: input.group } : {}),
      ...(input.note ? { note: input.note } : {}),
    });
    return c.json({ transfer });
  });

  app.post('/api/agent/conversations/:id/close', agent, async (c) => {
    const id = conversationId(c);
    return c.json(await routing.close(id, { kind: 'agent', agent: c.var.agent }));
  });

  app.get('/api/agent/tickets', agent, async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && status !== '' && !TICKET_STATUSES.includes(status as TicketStatus)) {
      throw new ValidationError('invalid_status', 'status must be open or answered', 'status');
    }
    const me = c.var.agent;
    const list = await tickets.list({
      ...(status ? { status: status as TicketStatus } : {}),
      ...(me.role === 'admin' ? {} : { groups: me.groups }),
    });
    return c.json({ tickets: list });
  });

  app.post('/api/agent/tickets/:id/answer', agent, body, async (c) => {
    const id = ticketId(c);
    const { text } = parseBody(messageSchema, await readJsonBody(c));
    const me = c.var.agent;
    const { ticket, message } = await tickets.answer(id, {
      agentId: me.id,
      text,
      ...(me.role === 'admin' ? {} : { groups: me.groups }),
    });
    if (message) publishMessage(hub, message);
    try {
      deps.onTicketAnswered?.(ticket);
    } catch {
      // A courtesy on top of the stored answer: it never fails the agent's request.
    }
    return c.json({ ticket });
  });

  return app;
}

function conversationId(c: Context<AgentEnv>): string {
  const id = c.req.param('id') ?? '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('handoff: no such conversation');
  return id;
}

function ticketId(c: Context<AgentEnv>): number {
  const id = c.req.param('id') ?? '';
  if (!/^\d{1,15}$/.test(id)) throw new NotFoundError(`handoff: no ticket ${JSON.stringify(id)}`);
  return Number(id);
}

/** `after` is the last message id the console has: absent or a non-negative integer. */
function parseAfter(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,15}$/.test(value)) throw new ValidationError('invalid_after', 'after must be a message id (a non-negative integer)', 'after');
  return Number(value);
}
