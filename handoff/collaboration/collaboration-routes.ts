// The console's API for working together in a chat: who is in it, inviting a colleague, the colleague's answer and
// departure, and consults (private notes between agents). Every route needs an agent's session; changes are
// same-origin only (requireAgent), and the rights per chat are collaboration.ts's.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { charCount, cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { limitBody } from '../http/body-limit.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { NotFoundError } from '../platform/errors.ts';
import type { Collaboration } from './collaboration.ts';

export interface CollaborationRoutesOptions {
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes: number;
  /** Longest invitation note, in characters. Range 1-500; default 500 (the column's limit). */
  maxInviteNoteChars: number;
  /** Longest consult note, in characters. Range 1-2000; default 2000 (the column's limit). */
  maxConsultChars: number;
}

export const defaultCollaborationRoutesOptions: CollaborationRoutesOptions = { maxBodyBytes: 16_384, maxInviteNoteChars: 500, maxConsultChars: 2000 };

export interface CollaborationRoutesDeps {
  collaboration: Collaboration;
  requireAgent: RequireAgent;
  options?: Partial<CollaborationRoutesOptions>;
}

/** Longer ids cannot be ours (UUIDs are 36). */
const MAX_ID_LENGTH = 128;
/** Agent ids are UUIDs; anything that would need escaping somewhere is refused before it is looked up. */
const AGENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * GET  /api/agent/conversations/:id/participants   the holder and the colleagues invited or joined
 * POST /api/agent/conversations/:id/invite         { agent, note? }   the holder, or an admin
 * POST /api/agent/conversations/:id/accept         the colleague invited
 * POST /api/agent/conversations/:id/decline        the colleague invited
 * POST /api/agent/conversations/:id/leave          a colleague who joined (the holder closes or transfers instead)
 * GET  /api/agent/conversations/:id/consult        consult notes: all for the chat's agents, one's own for a colleague asked
 * POST /api/agent/conversations/:id/consult        { text, to? }
 * GET  /api/agent/chat-invitations                 invitations waiting for the signed-in agent's answer
 * GET  /api/agent/consults                         consults asked of the signed-in agent, per chat
 */
export function collaborationRoutes(deps: CollaborationRoutesDeps): Hono<AgentEnv> {
  const { collaboration, requireAgent } = deps;
  const opts: CollaborationRoutesOptions = { ...defaultCollaborationRoutesOptions, ...deps.options };
  const app = new Hono<AgentEnv>();
  const agent = requireAgent();
  const body = limitBody(opts.maxBodyBytes);

  const agentField = (name: string) =>
    z.string({ error: `${name} must be an agent id` }).regex(AGENT_ID, { error: `${name} must be an agent id (letters, digits, _ and -)` });
  const textField = (name: string, max: number, required: boolean) =>
    z
      .string({ error: `${name} must be a string` })
      .transform(cleanVisitorText)
      .refine((t) => !required || t !== '', { error: `${name} must not be empty`, params: { code: 'empty_text' } })
      .refine((t) => charCount(t) <= max, { error: `${name} must be at most ${max} characters`, params: { code: 'text_too_long' } });
  // Strict: a misspelt or smuggled field is a 400 naming it, never silently dropped.
  const inviteSchema = z.strictObject({ agent: agentField('agent'), note: textField('note', opts.maxInviteNoteChars, false).nullish() });
  const consultSchema = z.strictObject({ text: textField('text', opts.maxConsultChars, true), to: agentField('to').nullish() });

  app.get('/api/agent/conversations/:id/participants', agent, async (c) => c.json(await collaboration.participants(conversationId(c), c.var.agent)));

  app.post('/api/agent/conversations/:id/invite', agent, body, async (c) => {
    const input = parseBody(inviteSchema, await readJsonBody(c));
    const participant = await collaboration.invite(conversationId(c), c.var.agent, { agent: input.agent, ...(input.note ? { note: input.note } : {}) });
    return c.json({ participant }, 201);
  });

  for (const [path, to] of [['accept', 'joined'], ['decline', 'declined'], ['leave', 'left']] as const) {
    app.post(`/api/agent/conversations/:id/${path}`, agent, async (c) => c.json({ participant: await collaboration.respond(conversationId(c), c.var.agent, to) }));
  }

  app.get('/api/agent/conversations/:id/consult', agent, async (c) => c.json({ notes: await collaboration.notes(conversationId(c), c.var.agent) }));

  app.post('/api/agent/conversations/:id/consult', agent, body, async (c) => {
    const input = parseBody(consultSchema, await readJsonBody(c));
    const note = await collaboration.consult(conversationId(c), c.var.agent, { text: input.text, ...(input.to != null ? { to: input.to } : {}) });
    return c.json({ note }, 201);
  });

  app.get('/api/agent/chat-invitations', agent, async (c) => c.json({ invitations: await collaboration.invitationsFor(c.var.agent) }));

  app.get('/api/agent/consults', agent, async (c) => c.json({ threads: await collaboration.threadsFor(c.var.agent) }));

  return app;
}

function conversationId(c: Context<AgentEnv>): string {
  const id = c.req.param('id') ?? '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('handoff: no such conversation');
  return id;
}
