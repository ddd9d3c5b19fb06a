// FAQ drafts: an agent saves an answer that resolved a handed-off question; editors list drafts, dismiss them, or
// turn one into a knowledge-base change file (a download the editor applies; the live KB is never written).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { contentLimits } from '../../knowledge/schema.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { limitBody } from '../http/body-limit.ts';
import { charCount, cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import type { Clock } from '../platform/clock.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { ConversationStore } from '../conversations/conversation-store.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts';
import { draftToChange } from './faq-draft-change.ts';
import { draftQuestion, suggestedEntryOf } from './faq-draft-source.ts';
import { FAQ_DRAFT_STATUSES, type FaqDraft, type FaqDraftStatus, type FaqDraftStore } from './faq-draft-store.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { kbChangeToYaml, type KbChange } from '../../knowledge/kb-change.ts';
import { checkKbChange, kbChangeRequestSchema } from './unanswered-change.ts';

export interface FaqDraftRoutesOptions {
  /** Drafts listed by default. Range 1-500; default 100. */
  defaultLimit: number;
  /** Most drafts one request may list. Range 1-1000; default 500. */
  maxLimit: number;
  /** Messages before the answer searched for the visitor's question. Range 5-500; default 50. */
  lookBack: number;
  /** Largest request body. Range 1024-1048576 bytes; default 65536 (a change with a drafted entry). */
  maxBodyBytes: number;
}

export const defaultFaqDraftRoutesOptions: FaqDraftRoutesOptions = {
  defaultLimit: 100,
  maxLimit: 500,
  lookBack: 50,
  maxBodyBytes: 65_536,
};

export interface FaqDraftRoutesDeps {
  drafts: FaqDraftStore;
  conversations: ConversationStore;
  requireAgent: RequireAgent;
  /** Masks personal data (phones, ID numbers, passwords) in question and answer; knowledge/text/mask-personal-data.ts in the server. */
  mask: (text: string) => string;
  /** Whether the live knowledge base has an entry with this id (read at each call, so a reload applies). */
  entryExists: (id: string) => boolean;
  /** Display names for `createdBy` / `handledBy`; ids alone when absent. */
  agentName?: (id: string) => Promise<string | undefined>;
  /** The change as YAML; the server injects knowledge/kb-change.ts's serializer (the `npm run kb -- apply` format). */
  toYaml?: (change: KbChange) => string;
  clock: Clock;
  /** Who saved, dismissed or used a draft (ids and counts only, never the text). */
  audit?: AuditLog;
  /** A draft's change and its audit row commit together. */
  unitOfWork: UnitOfWork;
  options?: Partial<FaqDraftRoutesOptions>;
}

/** A draft as the API returns it: the stored draft plus names. */
export type FaqDraftJson = FaqDraft & { createdByName?: string; handledByName?: string };

const MAX_ID_LENGTH = 128;

export function faqDraftRoutes(deps: FaqDraftRoutesDeps): Hono<AgentEnv> {
  const { drafts, conversations, requireAgent, mask, entryExists, agentName, toYaml = kbChangeToYaml, clock, audit, unitOfWork } = deps;
  const opts = { ...defaultFaqDraftRoutesOptions, ...deps.options };
  const app = new Hono<AgentEnv>();
  const body = limitBody(opts.maxBodyBytes);
  // Content work: editors and admins (authorization-table.ts 'content').
  const editor = requireAgent('content');

  const text = (name: string, max: number) =>
    z
      .string({ error: `${name} must be a string` })
      .transform(cleanVisitorText)
      .refine((t) => t !== '', { error: `${name} must not be empty`, params: { code: 'empty_text' } })
      .refine((t) => charCount(t) <= max, { error: `${name} must be at most ${max} characters`, params: { code: 'too_long' } });
  const createSchema = z.strictObject({
    messageId: z.number({ error: 'messageId must be a message id' }).int({ error: 'messageId must be a message id' }).positive({ error: 'messageId must be a message id' }),
    question: text('question', contentLimits.maxQuestionChars).optional(),
    answer: text('answer', contentLimits.maxAnswerChars).optional(),
    lang: z.enum(['zh', 'en'], { error: 'lang is zh or en' }).optional(),
  });
  const changeSchema = z.strictObject({ change: kbChangeRequestSchema.optional() });

  const withNames = async (d: FaqDraft): Promise<FaqDraftJson> => {
    if (!agentName) return d;
    const [created, handled] = await Promise.all([agentName(d.createdBy), d.handledBy ? agentName(d.handledBy) : undefined]);
    return { ...d, ...(created ? { createdByName: created } : {}), ...(handled ? { handledByName: handled } : {}) };
  };

  app.post('/api/agent/conversations/:id/faq-drafts', requireAgent(), body, async (c) => {
    const id = conversationId(c);
    const input = parseBody(createSchema, await readJsonBody(c));
    const me = c.var.agent;
    const conversation = await conversations.getConversation(id); // NotFoundError: 404
    // The holder, or an agent who held it before (a transfer, a requeue); admins any chat.
    if (me.role !== 'admin' && !(await drafts.hasHeld(id, me.id))) throw new ForbiddenError('handoff: only an agent who held this chat may save a draft from it');
    if (!conversation.handoff) throw new ConflictError('handoff: this chat was never handed to a person; it has no agent answer to save', 'not_handed_off');
    const message = await drafts.message(id, input.messageId);
    if (!message || message.author !== 'agent') {
      throw new ValidationError('not_agent_message', `messageId ${input.messageId} is not an agent message of this conversation`, 'messageId');
    }
    const question = input.question ?? draftQuestion(await drafts.messagesBefore(id, message.id, opts.lookBack), conversation.handoff.reason);
    if (question === undefined) throw new ValidationError('missing_field', 'no visitor message precedes this answer: send question', 'question');
    // Masked after the length checks too: masking only replaces digits with stars, never lengthens.
    const maskedQuestion = mask(cleanVisitorText(question)).slice(0, contentLimits.maxQuestionChars);
    const maskedAnswer = mask(input.answer ?? message.text).slice(0, contentLimits.maxAnswerChars);
    const suggestedEntry = suggestedEntryOf(conversation.handoff.decision);
    // The draft and its audit row commit together.
    const draft = await unitOfWork.withTransaction(async () => {
      const d = await drafts.create({
        conversationId: id,
        messageId: message.id,
        createdBy: me.id,
        createdAt: clock().toISOString(),
        lang: input.lang ?? conversation.lang,
        question: maskedQuestion,
        answer: maskedAnswer,
        ...(suggestedEntry !== undefined ? { suggestedEntry } : {}),
      });
      await audit?.record(actorOf(me), AuditAction.faqDraftCreated, { type: 'faq_draft', id: String(d.id) }, {
        conversationId: id,
        messageId: d.messageId,
        lang: d.lang,
        ...(d.suggestedEntry ? { suggestedEntry: d.suggestedEntry } : {}),
      });
      return d;
    });
    return c.json({ draft: await withNames(draft) }, 201);
  });

  app.get('/api/admin/faq-drafts', editor, async (c) => {
    const status = c.req.query('status') || 'open';
    if (!FAQ_DRAFT_STATUSES.includes(status as FaqDraftStatus)) {
      throw new ValidationError('invalid_status', 'status must be open, used or dismissed', 'status');
    }
    const limit = limitParam(c.req.query('limit'), opts.defaultLimit, opts.maxLimit);
    const list = await drafts.list({ status: status as FaqDraftStatus, limit });
    return c.json({ drafts: await Promise.all(list.map(withNames)) });
  });

  app.post('/api/admin/faq-drafts/:id/dismiss', editor, async (c) => {
    const id = draftId(c);
    if (!(await drafts.get(id))) throw new NotFoundError(`handoff: no FAQ draft ${id}`);
    // Throws inside the transaction: a draft handled already is a 409 with no audit row written.
    const draft = await unitOfWork.withTransaction(async () => {
      const done = await drafts.handle(id, 'dismissed', c.var.agent.id, clock().toISOString());
      if (!done) throw new ConflictError(`handoff: FAQ draft ${id} was already handled`, 'already_handled');
      await audit?.record(actorOf(c.var.agent), AuditAction.faqDraftDismissed, { type: 'faq_draft', id: String(id) });
      return done;
    });
    return c.json({ draft: await withNames(draft) });
  });

  // The editor's change (or, without one, the question as a variant of the suggested entry) as a YAML download;
  // the draft becomes `used`. A used draft may be made again (a lost download); a dismissed one may not.
  app.post('/api/admin/faq-drafts/:id/change', editor, body, async (c) => {
    const id = draftId(c);
    const input = c.req.header('content-length') === '0' ? {} : parseBody(changeSchema, await readJsonBody(c));
    const draft = await drafts.get(id);
    if (!draft) throw new NotFoundError(`handoff: no FAQ draft ${id}`);
    if (draft.status === 'dismissed') throw new ConflictError(`handoff: FAQ draft ${id} was dismissed`, 'already_handled');
    const change: KbChange = input.change ?? draftToChange(draft, entryExists);
    checkKbChange(change, entryExists);
    const yaml = toYaml(change);
    // The draft marked used and the audit row of the change commit together.
    await unitOfWork.withTransaction(async () => {
      if (!(await drafts.handle(id, 'used', c.var.agent.id, clock().toISOString()))) {
        throw new ConflictError(`handoff: FAQ draft ${id} was dismissed meanwhile`, 'already_handled');
      }
      await audit?.record(actorOf(c.var.agent), AuditAction.kbChangeGenerated, { type: 'kb_change', id: null }, {
        source: 'faq_draft',
        draftId: id,
        changes: change.changes.map((item) =>
          item.addQuestions
            ? { addQuestions: item.addQuestions.entry, lang: item.addQuestions.lang, count: item.addQuestions.questions.length }
            : { newEntry: item.newEntry?.entry.id, file: item.newEntry?.file },
        ),
      });
    });
    c.header('Content-Type', 'application/yaml; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="kb-change-draft-${id}.yaml"`);
    return c.body(yaml);
  });

  return app;
}

function conversationId(c: Context<AgentEnv>): string {
  const id = c.req.param('id') ?? '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('handoff: no such conversation');
  return id;
}

function draftId(c: Context<AgentEnv>): number {
  const id = c.req.param('id') ?? '';
  if (!/^\d{1,15}$/.test(id)) throw new NotFoundError(`handoff: no FAQ draft ${JSON.stringify(id)}`);
  return Number(id);
}

function limitParam(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new ValidationError('invalid_limit', `limit must be an integer from 1 to ${max}`, 'limit');
  }
  return Number(value);
}
