// What one visitor message does to a conversation: the bot answers, the queue waits, or the agent reads.
import { ConflictError, type Conversation, type ConversationStore, type TurnInput, type VisitorInfo } from '../handoff/index.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';
import type { ChatRequest } from './chat-request.ts';
import type { ConversationContext, Decision, Explain, Suggestion } from './decision.ts';
import { summarizeDecision, toJson } from './decision-summary.ts';
import type { Engine } from './engine.ts';
import { handoffNote, queueInfo, queueNote, type QueueInfo } from './queue-note.ts';
import { maskSecrets } from './redact.ts';

export interface ChatReply {
  kind: Decision['kind'];
  text: string;
  entryId?: string;
  confidence: number;
  suggestions: Suggestion[];
  queue?: QueueInfo;
  explain?: Explain;
}

export interface ChatResponse {
  conversationId: string;
  /** Only when the conversation was just created: the visitor's secret for every later call. */
  token?: string;
  /** null while a person has the conversation: the message went to them. */
  reply: ChatReply | null;
}

export interface ChatTurnDeps {
  store: ConversationStore;
  /** Read once per request by the caller, so a reload in the middle cannot mix two knowledge bases. */
  engine: Engine;
  /** Attach the engine's explain trace to replies (EXPLAIN=on). */
  explain: boolean;
}

/** A status change under this request (an agent took the chat, a racing message queued it) is retried this often. */
const MAX_ATTEMPTS = 3;

export async function startConversation(deps: ChatTurnDeps, request: ChatRequest, visitor: VisitorInfo): Promise<ChatResponse> {
  const { turn, decision, text } = botTurn(deps.engine, request, undefined);
  const created = await deps.store.createConversation({ lang: decision.lang, visitor, firstTurn: turn });
  return { conversationId: created.conversation.id, token: created.token, reply: botReply(deps, decision, text, created.turn?.queuePosition) };
}

export async function continueConversation(deps: ChatTurnDeps, conversation: Conversation, request: ChatRequest): Promise<ChatResponse> {
  let current = conversation;
  for (let attempt = 1; ; attempt++) {
    try {
      return await respond(deps, current, request);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      current = await deps.store.getConversation(conversation.id);
    }
  }
}

async function respond(deps: ChatTurnDeps, conversation: Conversation, request: ChatRequest): Promise<ChatResponse> {
  const { store, engine } = deps;
  const conversationId = conversation.id;
  switch (conversation.status) {
    case 'bot':
    case 'closed': {
      // After `closed`, a new message reopens the conversation with the bot.
      const { turn, decision, text } = botTurn(engine, request, conversation);
      const result = await store.appendTurn(conversationId, turn);
      return { conversationId, reply: botReply(deps, decision, text, result.queuePosition) };
    }
    case 'queued': {
      // Stored for the agent; the visitor hears where they stand (not stored: it changes as the queue moves).
      const turn: TurnInput = { visitorText: request.text, expectStatus: 'queued' };
      if (request.lang) turn.lang = request.lang;
      const result = await store.appendTurn(conversationId, turn);
      const position = result.queuePosition ?? 1;
      const lang = request.lang ?? conversation.lang;
      return {
        conversationId,
        reply: {
          kind: 'handoff',
          text: queueNote(engine.kb, lang, position),
          confidence: 1,
          suggestions: [],
          queue: queueInfo(position),
        },
      };
    }
    case 'assigned': {
      await store.appendTurn(conversationId, { visitorText: request.text, expectStatus: 'assigned' });
      return { conversationId, reply: null };
    }
  }
}

/** Runs the engine on the message and describes everything the store must write for it. */
function botTurn(engine: Engine, request: ChatRequest, conversation: Conversation | undefined) {
  // A reopened conversation starts afresh: what the bot remembered belongs to the finished exchange.
  const context: ConversationContext = conversation?.status === 'bot' ? (conversation.context as ConversationContext) : {};
  // Explicit language wins; otherwise the engine detects it and falls back on the conversation's (context.lang).
  const decision = engine.decide(request.text, request.lang ? { lang: request.lang, context } : { context });
  const text = replyText(engine.kb, decision);
  const summary = summarizeDecision(decision);
  const turn: TurnInput = {
    // A rule marked the message as carrying a secret: it is never stored or shown to an agent as typed.
    visitorText: decision.redact ? maskSecrets(request.text) : request.text,
    reply: {
      author: 'bot',
      text,
      kind: decision.kind,
      confidence: decision.confidence,
      ...(decision.kind === 'answer' ? { entryId: decision.entryId } : {}),
    },
    context: engine.nextContext(context, decision),
    decision: toJson(summary),
    lang: decision.lang,
  };
  if (conversation) turn.expectStatus = conversation.status;
  if (decision.kind === 'handoff') {
    // The decision before this one tells the agent what the bot had tried (a rule-fired handoff has no candidates).
    turn.handoff = { reason: decision.reason, decision: { ...summary, previous: conversation?.lastDecision ?? null } };
  } else if (conversation?.status === 'closed') {
    turn.status = 'bot';
  }
  return { turn, decision, text };
}

/** The engine leaves text empty when the knowledge base has none for the case (a rule without a reply). */
function replyText(kb: KnowledgeBase, decision: Decision): string {
  if (decision.text.trim() !== '') return decision.text;
  if (decision.kind === 'handoff') return handoffNote(kb, decision.lang);
  return kb.messages.fallback?.[decision.lang] ?? '';
}

function botReply(deps: ChatTurnDeps, decision: Decision, text: string, queuePosition: number | undefined): ChatReply {
  const reply: ChatReply = {
    kind: decision.kind,
    text,
    confidence: decision.confidence,
    suggestions: decision.suggestions,
  };
  if (decision.kind === 'answer') reply.entryId = decision.entryId;
  if (decision.kind === 'handoff' && queuePosition !== undefined) reply.queue = queueInfo(queuePosition);
  if (deps.explain) reply.explain = decision.explain;
  return reply;
}
