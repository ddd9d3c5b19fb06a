// The visitor's side of the handoff (Bearer token of the conversation, as in POST /api/chat): the "talk to
// a person" button, ending the chat, rating it, and leaving a message when nobody can take it.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import { bearerToken } from '../http/bearer-token.ts';
import { charCount, cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { Conversation, ConversationStore } from './conversation-store.ts';
import { queuedReply, unavailableReply, type HandoffReplyFields } from '../routing/handoff-reply.ts';
import { handoffText, type Messages } from '../routing/handoff-texts.ts';
import { parseBody } from '../http/parse-body.ts';
import { provinceSuggestions, type ProvinceSuggestion } from '../routing/provinces.ts';
import type { Routing } from '../routing/routing.ts';
import { visitorTicket, type TicketStore } from '../routing/tickets.ts';

export interface VisitorRoutesOptions {
  /** Longest message left for agents, in characters. Range 1-10000; default 1000. */
  maxMessageChars: number;
  /** Longest rating comment, in characters. Range 1-2000; default 500. */
  maxCommentChars: number;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes: number;
}

export const defaultVisitorRoutesOptions: VisitorRoutesOptions = {
  maxMessageChars: 1000,
  maxCommentChars: 500,
  maxBodyBytes: 16_384,
};

export interface VisitorRoutesDeps {
  conversations: ConversationStore;
  routing: Routing;
  tickets: TicketStore;
  /**
   * The group a conversation's chat goes to, from what it was about (the knowledge base's topic groups);
   * undefined = the default group. The composition root knows the knowledge base; this module does not.
   */
  groupOf: (conversation: Conversation) => string | undefined;
  /** The knowledge base's texts (messages.yaml), read per request so a reload applies. */
  messages: () => Messages | undefined;
  clock?: Clock;
  /**
   * Refuses a blocked visitor (VisitorBlockedError) by the request's address or the conversation's stored
   * visitor id (handoff/visitors/visitor-blocks.ts); called once the token is checked. Default: nobody is blocked.
   */
  visitorGate?: (c: Context, conversation: Conversation) => void;
  options?: Partial<VisitorRoutesOptions>;
}

/** Same shape as the reply of POST /api/chat, so the widget treats both alike. */
export interface HandoffResponse {
  conversationId: string;
  reply: { kind: 'handoff'; text: string; confidence: 1; suggestions: ProvinceSuggestion[] } & Omit<HandoffReplyFields, 'text'>;
}

const MAX_CONTACT_CHARS = 200;

export function visitorRoutes(deps: VisitorRoutesDeps): Hono {
  const { conversations, routing, tickets } = deps;
  const clock = deps.clock ?? systemClock;
  const opts: VisitorRoutesOptions = { ...defaultVisitorRoutesOptions, ...deps.options };
  const app = new Hono();
  const body = limitBody(opts.maxBodyBytes);

  const cleaned = (name: string, max: number) =>
    z
      .string({ error: `${name} must be a string` })
      .transform(cleanVisitorText)
      .refine((t) => t !== '', { error: `${name} must not be empty`, params: { code: 'empty_text' } })
      .refine((t) => charCount(t) <= max, { error: `${name} must be at most ${max} characters`, params: { code: 'too_long' } });
  // Strict: a key the route does not know is refused (400 unknown_field), never silently dropped.
  const ratingSchema = z.strictObject({
    score: z
      .number({ error: 'score must be a whole number from 1 to 5' })
      .int({ error: 'score must be a whole number from 1 to 5' })
      .min(1, { error: 'score must be a whole number from 1 to 5' })
      .max(5, { error: 'score must be a whole number from 1 to 5' }),
    comment: z
      .string({ error: 'comment must be a string' })
      .transform(cleanVisitorText)
      .refine((t) => charCount(t) <= opts.maxCommentChars, { error: `comment must be at most ${opts.maxCommentChars} characters` })
      .nullish(),
  });
  const ticketSchema = z.strictObject({
    contact: cleaned('contact', MAX_CONTACT_CHARS),
    text: cleaned('text', opts.maxMessageChars),
  });

  const skillOf = (conversation: Conversation) => {
    const skill = deps.groupOf(conversation);
    return skill === undefined ? {} : { skill };
  };

  async function authenticated(c: Context): Promise<Conversation> {
    const token = bearerToken(c.req.header('authorization'));
    const conversation = await conversations.authenticate(c.req.param('id') ?? '', token);
    deps.visitorGate?.(c, conversation);
    return conversation;
  }

  app.post('/api/conversations/:id/handoff', async (c) => {
    const conversation = await authenticated(c);
    const lang = conversation.lang;
    const messages = deps.messages();
    const respond = (fields: HandoffReplyFields) => {
      const { text, ...rest } = fields;
      const response: HandoffResponse = {
        conversationId: conversation.id,
        reply: { kind: 'handoff', text, confidence: 1, suggestions: [], ...rest },
      };
      return c.json(response);
    };
    // Pressed twice, or while an agent already has the chat: say where it stands, change nothing.
    if (conversation.status === 'queued' || conversation.status === 'assigned') {
      return respond(queuedReply(handoffText(messages, 'handoff', lang), await routing.currentOutcome(conversation.id)));
    }
    // Some group serves particular provinces and this visitor's is unknown: ask first (once), the handoff
    // waits for the answer (the next chat message, bot/chat/chat-turn.ts).
    if (conversation.province === undefined && !(conversation.provinceQuestion && !conversation.provinceQuestion.waiting)) {
      const served = await routing.servedProvinces();
      if (served.length > 0) {
        const text = handoffText(messages, 'ask_province', lang);
        if (!conversation.provinceQuestion?.waiting) {
          await conversations.setProvinceQuestion(conversation.id, { reason: 'requested', waiting: true, ...skillOf(conversation) });
          await routing.handoffReply(conversation.id, text);
        }
        return c.json({ conversationId: conversation.id, reply: { kind: 'handoff', text, confidence: 1, suggestions: provinceSuggestions(served, lang) } } satisfies HandoffResponse);
      }
    }
    const availability = await routing.availability({ skill: deps.groupOf(conversation), province: conversation.province });
    if (availability.kind === 'outside_hours') {
      const fields = unavailableReply(availability, lang, messages, clock());
      await routing.handoffReply(conversation.id, fields.text);
      return respond(fields);
    }
    // Within hours the chat waits even with nobody online (told so, with leaving a message offered).
    const unstaffed = availability.kind === 'no_agents' ? unavailableReply(availability, lang, messages, clock()) : undefined;
    const note = unstaffed?.text ?? handoffText(messages, 'handoff', lang);
    const { outcome } = await routing.requestHandoff(conversation.id, {
      groupId: availability.group.id,
      reason: 'requested',
      // What the agent sees: the visitor asked by button; the bot's latest decision shows what it had tried.
      decision: { kind: 'handoff', reason: 'requested', source: 'button', candidates: [], previous: conversation.lastDecision ?? null },
      note,
      lang,
    });
    const fields = queuedReply(note, outcome);
    return respond(unstaffed?.leaveMessage && outcome.kind === 'queued' ? { ...fields, leaveMessage: unstaffed.leaveMessage } : fields);
  });

  app.post('/api/conversations/:id/close', async (c) => {
    const conversation = await authenticated(c);
    const outcome = await routing.close(conversation.id, { kind: 'visitor' });
    return c.json({ conversationId: conversation.id, status: outcome.status, closedBy: outcome.closedBy });
  });

  app.post('/api/conversations/:id/rating', body, async (c) => {
    const conversation = await authenticated(c);
    const input = parseBody(ratingSchema, await readJsonBody(c));
    const closure = await routing.rate(conversation.id, {
      score: input.score,
      ...(input.comment ? { comment: input.comment } : {}),
    });
    return c.json({ rating: closure.ratingComment ? { score: closure.rating, comment: closure.ratingComment } : { score: closure.rating } }, 201);
  });

  app.post('/api/conversations/:id/ticket', body, async (c) => {
    const conversation = await authenticated(c);
    const input = parseBody(ticketSchema, await readJsonBody(c));
    const availability = await routing.availability({ skill: deps.groupOf(conversation), province: conversation.province });
    const ticket = await tickets.create({
      conversationId: conversation.id,
      groupId: availability.group.id,
      lang: conversation.lang,
      contact: input.contact,
      text: input.text,
      reason: availability.kind === 'open' ? 'by_choice' : availability.kind,
    });
    return c.json(
      { ticket: { id: ticket.id, status: ticket.status, createdAt: ticket.createdAt }, text: handoffText(deps.messages(), 'ticket_received', conversation.lang) },
      201,
    );
  });

  // The messages this chat left and their answers: the widget shows an answer as the reply to what was left, and a
  // message still waiting as received (issue 17). Only this conversation's, by its token.
  app.get('/api/conversations/:id/tickets', async (c) => {
    const conversation = await authenticated(c);
    return c.json({ tickets: (await tickets.listForConversation(conversation.id)).map(visitorTicket) });
  });

  return app;
}
