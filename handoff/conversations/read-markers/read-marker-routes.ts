// Read receipts: the visitor's widget says how far it has shown the chat (Bearer token), an agent's console how far
// the chat has been open before them (session cookie, same origin); each move goes out on the conversation's topic
// as a `read` event, so the other side sees "read" on whichever node its stream is.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AgentEnv, RequireAgent } from '../../agents/agent-env.ts';
import { limitBody } from '../../http/body-limit.ts';
import { bearerToken } from '../../http/bearer-token.ts';
import { parseBody } from '../../http/parse-body.ts';
import type { RateLimitOptions, RateLimiterFactory } from '../../http/rate-limit.ts';
import { readJsonBody } from '../../http/read-json-body.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import { ForbiddenError, ValidationError } from '../../platform/errors.ts';
import type { Hub } from '../../platform/hub.ts';
import type { Conversation, ConversationStore } from '../conversation-store.ts';
import { mayView, viewAccessOf, type ViewedConversation } from '../view-access.ts';
import type { MarkOutcome, Reader, ReadMarkerStore, ReadState } from './read-marker-store.ts';

export interface ReadMarkerRoutesOptions {
  /** Marks per conversation and side: a bucket of `capacity`, refilled per second. Default 20, 4/s (a busy chat marks on every message). */
  rateLimit: RateLimitOptions | 'off';
}

export const defaultReadMarkerRoutesOptions: ReadMarkerRoutesOptions = {
  rateLimit: { capacity: 20, refillPerSecond: 4 },
};

export interface ReadMarkerRoutesDeps {
  conversations: ConversationStore;
  markers: ReadMarkerStore;
  hub: Hub;
  requireAgent: RequireAgent;
  /** Who holds the conversation and where it waits, for the view rule (view-access.ts); NotFoundError when unknown. */
  viewed: (conversationId: string) => Promise<ViewedConversation>;
  /**
   * Whether an agent who does not hold the chat still takes part in it (a colleague invited in): their reading counts
   * for the visitor as the holder's does. Default: only the holder.
   */
  participates?: (conversationId: string, agentId: string) => Promise<boolean>;
  /** Refuses a blocked visitor (VisitorBlockedError) once the token is checked. Default: nobody is blocked. */
  visitorGate?: (c: Context, conversation: Conversation) => void;
  /** Where the buckets live (this process, or Redis with several nodes); without it, marks are not limited. */
  rateLimiters?: RateLimiterFactory;
  clock?: Clock;
  options?: Partial<ReadMarkerRoutesOptions>;
}

/** 200 of every read-marker route: both sides' markers; `moved` (POST only) says whether this call moved the caller's. */
export interface ReadResponse {
  read: ReadState;
  moved?: boolean;
}

/** `{"upTo": 9007199254740991}` with room to spare. */
const MAX_BODY_BYTES = 256;

const markSchema = z.strictObject({
  upTo: z.number({ error: 'upTo must be a message id (a positive integer)' }).int({ error: 'upTo must be a message id (a positive integer)' })
    .positive({ error: 'upTo must be a message id (a positive integer)' }).max(Number.MAX_SAFE_INTEGER, { error: 'upTo must be a message id (a positive integer)' }),
});

function parseMark(body: unknown): number {
  return parseBody(markSchema, body, { upTo: { code: 'invalid_up_to', message: 'upTo must be a message id (a positive integer)' } }).upTo;
}

export function readMarkerRoutes(deps: ReadMarkerRoutesDeps): Hono<AgentEnv> {
  const { conversations, markers, hub, requireAgent } = deps;
  const opts: ReadMarkerRoutesOptions = { ...defaultReadMarkerRoutesOptions, ...deps.options };
  const clock = deps.clock ?? systemClock;
  const limiter = deps.rateLimiters && opts.rateLimit !== 'off' ? deps.rateLimiters('read-marker', opts.rateLimit) : undefined;
  const app = new Hono<AgentEnv>();
  const agent = requireAgent();
  const body = limitBody(MAX_BODY_BYTES, 'a read marker request body');

  async function visitorConversation(c: Context): Promise<Conversation> {
    const conversation = await conversations.authenticate(c.req.param('id') ?? '', bearerToken(c.req.header('authorization')));
    deps.visitorGate?.(c, conversation);
    return conversation;
  }

  /** The conversation's row when the agent may view it (404 unknown, 403 neither held nor waiting in their groups). */
  async function viewedBy(c: Context<AgentEnv>, id: string): Promise<ViewedConversation> {
    const row = await deps.viewed(id);
    if (!mayView(viewAccessOf(c.var.agent), row)) {
      throw new ForbiddenError(`handoff: conversation ${id} is neither yours nor waiting in your groups`);
    }
    return row;
  }

  /** Stores a mark and announces a move to the other side; 400 when upTo is no message of this conversation. */
  async function mark(conversationId: string, reader: Reader, upTo: number): Promise<ReadResponse> {
    await limiter?.take(`${conversationId}:${reader}`);
    const at = clock();
    const outcome: MarkOutcome = await markers.mark(conversationId, reader, upTo, at);
    if (outcome.kind === 'not_a_message') {
      throw new ValidationError('not_a_message', `upTo ${upTo} is not a message of this conversation`, 'upTo');
    }
    if (outcome.kind === 'moved') {
      const marker = outcome.state[reader]!;
      hub.publish(`conversation:${conversationId}`, { type: 'read', conversationId, reader, upTo: marker.upTo, at: marker.at });
    }
    return { read: outcome.state, moved: outcome.kind === 'moved' };
  }

  app.get('/api/conversations/:id/read', async (c) => {
    const conversation = await visitorConversation(c);
    return c.json({ read: await markers.get(conversation.id) } satisfies ReadResponse);
  });

  app.post('/api/conversations/:id/read', body, async (c) => {
    // The token first: another conversation's token is a 404 whatever the body says.
    const conversation = await visitorConversation(c);
    const upTo = parseMark(await readJsonBody(c));
    return c.json(await mark(conversation.id, 'visitor', upTo));
  });

  app.get('/api/agent/conversations/:id/read', agent, async (c) => {
    const id = c.req.param('id');
    await viewedBy(c, id);
    return c.json({ read: await markers.get(id) } satisfies ReadResponse);
  });

  app.post('/api/agent/conversations/:id/read', agent, body, async (c) => {
    const id = c.req.param('id');
    const upTo = parseMark(await readJsonBody(c));
    const row = await viewedBy(c, id);
    const me = c.var.agent;
    const holds = row.status === 'assigned' && row.agentId === me.id;
    // An admin following the chat, or an agent looking at a chat waiting in their group, reads it without the
    // visitor being told it was read: only the people talking with the visitor move the agent side's marker.
    if (!holds && !(row.status === 'assigned' && (await deps.participates?.(id, me.id)))) {
      return c.json({ read: await markers.get(id), moved: false } satisfies ReadResponse);
    }
    return c.json(await mark(id, 'agent', upTo));
  });

  return app;
}
