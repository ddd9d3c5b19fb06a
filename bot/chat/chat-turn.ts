// What one visitor message does to a conversation: the bot answers, the queue waits, or the agent reads.
// A handoff goes to the group of the topic; outside hours (or with nobody there) the visitor may leave a message.
// Why one file of this size: one visitor message's path through every conversation state, each state a short
// case calling the engine, the store and routing; the helpers it needs are in their own modules.
import {
  ConflictError,
  declinesProvince,
  describeHours,
  handoffText,
  parseProvinceAnswer,
  provinceName,
  provinceSuggestions,
  type Agent,
  type ProvinceQuestion,
  publishMessages,
  queuedReply,
  systemClock,
  unavailableReply,
  type Availability,
  type Clock,
  type Conversation,
  type ConversationStore,
  type HandoffReplyFields,
  type Hub,
  type JsonObject,
  type Routing,
  type StoredMessage,
  type TurnInput,
  type UnansweredLog,
  type VisitorInfo,
} from '../../handoff/index.ts';
import type { KnowledgeBase, Lang } from '../../knowledge/types.ts';
import type { ChatRequest } from './chat-request.ts';
import type { ConversationContext, Decision, Explain, Suggestion } from '../engine/decision.ts';
import { summarizeDecision, toJson } from './decision-summary.ts';
import type { Engine } from '../engine/engine.ts';
import { topicGroup } from './handoff-group.ts';
import { handoffNote, queueInfo, queueNote, type QueueInfo } from './queue-note.ts';
import { maskVisitorMessage } from '../../knowledge/text/redact.ts';
import { unansweredRecord } from './unanswered-log.ts';

export interface ChatReply {
  kind: Decision['kind'];
  text: string;
  entryId?: string;
  confidence: number;
  suggestions: Suggestion[];
  /** Waiting for a person: place in the group's queue and estimated wait. */
  queue?: QueueInfo;
  /** A person took the chat at once. */
  agent?: { displayName: string };
  /** Nobody can take the chat now (outside hours, nobody in the group): the visitor may leave a message. */
  leaveMessage?: HandoffReplyFields['leaveMessage'];
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
  /**
   * Routing of handoffs (groups, hours, agents). Without it a handoff only queues the conversation
   * (the engine-only app before the handoff module is wired in).
   */
  routing?: Routing;
  /** Every stored message is published here for live delivery. */
  hub?: Hub;
  clock?: Clock;
  /** Turns the bot could not answer go to the editors' inbox (masked); never throws. */
  unanswered?: UnansweredLog;
}

/** A status change under this request (an agent took the chat, a racing message queued it) is retried this often. */
const MAX_ATTEMPTS = 3;

/**
 * What a first response said, kept with a visitor message sent with a clientMessageId so a retry answers
 * the same. The queue place (and who took the chat) is read again at the retry: it is decided after the write.
 */
type Receipt = { kind: 'bot'; reply: ChatReply } | { kind: 'queued'; lang: Lang } | { kind: 'assigned' };

/** The turn with the client's message id and what the response will say, when the client sent an id. */
function withReceipt(turn: TurnInput, request: ChatRequest, receipt: Receipt): TurnInput {
  if (request.clientMessageId === undefined) return turn;
  return { ...turn, clientMessageId: request.clientMessageId, receipt: receipt as unknown as JsonObject };
}

export async function startConversation(deps: ChatTurnDeps, request: ChatRequest, visitor: VisitorInfo): Promise<ChatResponse> {
  const plan = await botTurn(deps, request, undefined);
  // With the visitorId, the clientMessageId makes a retried first message (its response lost) find the
  // conversation it started, if that is still at this first turn (the store checks it with the write lock held).
  // The pair is the client's proof: the clientMessageId is random and never leaves the client but in this
  // body, while the visitorId alone is no credential (agents see it), so without one of them nothing is matched.
  const base = baseReply(deps, plan);
  const firstTurn = withReceipt(plan.turn, request, { kind: 'bot', reply: base });
  const created = await deps.store.createConversation({ lang: plan.decision.lang, visitor, firstTurn });
  const id = created.conversation.id;
  if (created.turn?.replay) {
    // Nothing was written, published or logged now; the same reply as the first time, with the new token.
    const replayed = await replay(deps, id, created.turn.replay.receipt, created.turn.queuePosition);
    return { ...replayed, token: created.token };
  }
  publish(deps, created.turn?.messages ?? []);
  await logUnanswered(deps, plan, id);
  return { conversationId: id, token: created.token, reply: await botReply(deps, plan, base, id, created.turn?.queuePosition) };
}

/**
 * The first message of a chat an agent invited the visitor to, while that agent can take it: no bot turn, the
 * conversation is queued in the agent's first group and taken by them at once. If the take fails (capacity
 * filled meanwhile) it waits in the queue like any handoff.
 */
export async function startInvitedConversation(deps: ChatTurnDeps, request: ChatRequest, visitor: VisitorInfo, agent: Agent): Promise<ChatResponse> {
  const lang = request.lang ?? deps.engine.decide(request.text, { context: {} }).lang;
  const firstTurn: TurnInput = {
    visitorText: visitorTextToStore(deps.engine, request.text),
    lang,
    handoff: { reason: 'invitation', decision: { kind: 'invitation', agentId: agent.id }, ...(agent.groups[0] ? { group: agent.groups[0] } : {}) },
  };
  const created = await deps.store.createConversation({ lang, visitor, firstTurn });
  const id = created.conversation.id;
  publish(deps, created.turn?.messages ?? []);
  if (deps.routing) {
    try {
      await deps.routing.take(id, agent);
      return { conversationId: id, token: created.token, reply: { kind: 'handoff', text: '', confidence: 1, suggestions: [], agent: { displayName: agent.displayName } } };
    } catch {
      const fields = queuedReply(handoffNote(deps.engine.kb, lang), await deps.routing.enqueued(id));
      return { conversationId: id, token: created.token, reply: { kind: 'handoff', text: fields.text ?? handoffNote(deps.engine.kb, lang), confidence: 1, suggestions: [], ...(fields.queue ? { queue: fields.queue } : {}), ...(fields.agent ? { agent: fields.agent } : {}) } };
    }
  }
  return { conversationId: id, token: created.token, reply: { kind: 'handoff', text: handoffNote(deps.engine.kb, lang), confidence: 1, suggestions: [] } };
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
      const plan = await botTurn(deps, request, conversation);
      const base = baseReply(deps, plan);
      const result = await store.appendTurn(conversationId, withReceipt(plan.turn, request, { kind: 'bot', reply: base }));
      if (result.replay) return replay(deps, conversationId, result.replay.receipt, result.queuePosition);
      publish(deps, result.messages);
      await logUnanswered(deps, plan, conversationId);
      return { conversationId, reply: await botReply(deps, plan, base, conversationId, result.queuePosition) };
    }
    case 'queued': {
      // Stored for the agent; the visitor hears where they stand (not stored: it changes as the queue moves).
      const turn: TurnInput = { visitorText: visitorTextToStore(engine, request.text), expectStatus: 'queued' };
      if (request.lang) turn.lang = request.lang;
      const lang = request.lang ?? conversation.lang;
      const result = await store.appendTurn(conversationId, withReceipt(turn, request, { kind: 'queued', lang }));
      if (result.replay) return replay(deps, conversationId, result.replay.receipt, result.queuePosition);
      publish(deps, result.messages);
      return { conversationId, reply: await queueReply(deps, conversationId, lang, result.queuePosition) };
    }
    case 'assigned': {
      const turn: TurnInput = { visitorText: visitorTextToStore(engine, request.text), expectStatus: 'assigned' };
      const result = await store.appendTurn(conversationId, withReceipt(turn, request, { kind: 'assigned' }));
      if (result.replay) return replay(deps, conversationId, result.replay.receipt, result.queuePosition);
      publish(deps, result.messages);
      return { conversationId, reply: null };
    }
  }
}

/** Where a queued visitor stands, or null when a person took the chat right after the message was stored. */
async function queueReply(deps: ChatTurnDeps, conversationId: string, lang: Lang, queuePosition: number | undefined): Promise<ChatReply | null> {
  let queue: QueueInfo;
  if (deps.routing) {
    const standing = await deps.routing.standing(conversationId);
    // Taken (or closed) right after this message was stored: it reached the person; nothing to say.
    if (!standing) return null;
    queue = standing;
  } else {
    queue = queueInfo(queuePosition ?? 1);
  }
  return { kind: 'handoff', text: queueNote(deps.engine.kb, lang, queue.position, queue.etaSeconds), confidence: 1, suggestions: [], queue };
}

/**
 * The response to a retried message (its clientMessageId was stored): nothing was written or published
 * now; the reply is the first one, with the queue place read again as the first response read it.
 */
async function replay(deps: ChatTurnDeps, conversationId: string, stored: JsonObject | undefined, queuePosition: number | undefined): Promise<ChatResponse> {
  const receipt = stored as Receipt | undefined;
  if (receipt?.kind === 'queued') return { conversationId, reply: await queueReply(deps, conversationId, receipt.lang, queuePosition) };
  if (receipt?.kind !== 'bot') return { conversationId, reply: null };
  const reply: ChatReply = { ...receipt.reply };
  if (reply.kind === 'handoff' && reply.leaveMessage?.reason !== 'outside_hours') {
    if (deps.routing) {
      const fields = queuedReply(reply.text, await deps.routing.currentOutcome(conversationId));
      if (fields.queue) reply.queue = fields.queue;
      if (fields.agent) reply.agent = fields.agent;
    } else if (queuePosition !== undefined) {
      reply.queue = queueInfo(queuePosition);
    }
  }
  return { conversationId, reply };
}

/**
 * A visitor message as stored, indexed and shown to agents: a secret after a password keyword is always
 * masked, and what a `redact` rule recognizes as a password (on the normalized text, so full-width digits
 * too) in every state, not only on turns the bot decides (a person reading the chat needs it even less).
 */
function visitorTextToStore(engine: Engine, text: string, redact = false): string {
  return maskVisitorMessage(text, redact || engine.carriesSecret(text));
}

interface BotTurn {
  turn: TurnInput;
  decision: Decision;
  /** The text stored as the bot's reply. */
  text: string;
  /** The reply's chips: the engine's, or the province question's choices. */
  suggestions: Suggestion[];
  /** A handoff that could not reach a person (outside hours): what the visitor was told instead. */
  unavailable?: HandoffReplyFields;
  /** Queued within hours with nobody online: the visitor is told so and may leave a message instead. */
  unstaffed?: HandoffReplyFields;
}

/** Runs the engine on the message and describes everything the store must write for it. */
async function botTurn(deps: ChatTurnDeps, request: ChatRequest, conversation: Conversation | undefined): Promise<BotTurn> {
  const { engine } = deps;
  // A reopened conversation starts afresh: what the bot remembered belongs to the finished exchange.
  const context: ConversationContext = conversation?.status === 'bot' ? (conversation.context as ConversationContext) : {};
  // A handoff on hold for the province question: this message is the answer, or the visitor moved on.
  const asked = conversation?.provinceQuestion;
  const pending = conversation?.status === 'bot' && asked?.waiting ? asked : undefined;
  const answer = pending ? readProvinceAnswer(request.text) : undefined;
  const province = answer?.province ?? conversation?.province ?? request.province;
  // Explicit language wins; otherwise the engine detects it and falls back on the conversation's (context.lang).
  const decided = engine.decide(request.text, request.lang ? { lang: request.lang, context } : { context });
  const decision: Decision = pending && answer ? resumedHandoff(decided, pending, conversation?.lang) : decided;
  let text = replyText(engine.kb, decision);
  let suggestions = decision.suggestions;
  const summary = summarizeDecision(decision);

  let availability: Availability | undefined;
  let unavailable: HandoffReplyFields | undefined;
  let unstaffed: HandoffReplyFields | undefined;
  let question: ProvinceQuestion | undefined;
  if (decision.kind === 'handoff' && deps.routing) {
    // A rule-fired handoff ("转人工") names no topic: the topic the visitor was on picks the group.
    const skill = pending && answer ? pending.skill : topicGroup(engine.kb, decision.topic ?? context.lastTopic);
    // Asked once: a visitor who answers with something else is not asked again (the handoff goes on, nationally).
    const served = province === undefined && !asked ? await deps.routing.servedProvinces() : [];
    if (served.length > 0) {
      question = { reason: decision.reason, waiting: true, ...(skill ? { skill } : {}) };
      text = handoffText(engine.kb.messages, 'ask_province', decision.lang);
      suggestions = provinceSuggestions(served, decision.lang);
    } else {
      availability = await deps.routing.availability({ skill, province });
      if (availability.kind !== 'open') {
        const fields = unavailableReply(availability, decision.lang, engine.kb.messages, (deps.clock ?? systemClock)());
        // Within hours the chat waits even with nobody online: an agent signing in a minute later finds it.
        if (availability.kind === 'no_agents') unstaffed = fields;
        else unavailable = fields;
        text = fields.text;
      }
    }
  } else if (decision.kind === 'answer' && deps.routing && province !== undefined && engine.entry(decision.entryId)?.tailor === 'agent_hours') {
    // The hours question from a visitor whose province is known: the hours of the team that serves them.
    text = `${text}\n${await agentHoursFor(deps.routing, engine.kb, province, decision.lang)}`;
  }

  const turn: TurnInput = {
    // A rule marked the message as carrying a secret: it is never stored or shown to an agent as typed.
    visitorText: visitorTextToStore(engine, request.text, decision.redact),
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
  if (province !== undefined && province !== conversation?.province) turn.province = province;
  if (question) turn.provinceQuestion = question;
  else if (pending) turn.provinceQuestion = { ...pending, waiting: false };
  if (decision.kind === 'handoff' && !unavailable && !question) {
    // The decision before this one tells the agent what the bot had tried (a rule-fired handoff has no candidates).
    turn.handoff = { reason: decision.reason, decision: { ...summary, previous: conversation?.lastDecision ?? null } };
    if (availability) turn.handoff.group = availability.group.id;
  } else if (conversation?.status === 'closed') {
    turn.status = 'bot';
  }
  return { turn, decision, text, suggestions, ...(unavailable ? { unavailable } : {}), ...(unstaffed ? { unstaffed } : {}) };
}

/**
 * What a message says to the province question: a province ("广东", "我是四川的"), or none named but the
 * handoff may go on ("其他省份", "不清楚"); undefined when it is something else (a new question).
 */
function readProvinceAnswer(text: string): { province?: string } | undefined {
  const province = parseProvinceAnswer(text);
  if (province) return { province };
  return declinesProvince(text) ? {} : undefined;
}

/** The handoff that waited for the province question, decided now: the engine's reading of the answer is kept for the trace. */
function resumedHandoff(decided: Decision, pending: ProvinceQuestion, lang: Lang | undefined): Decision {
  return {
    kind: 'handoff',
    reason: pending.reason as Extract<Decision, { kind: 'handoff' }>['reason'],
    // The province answer is no language signal ("广东" in an English chat): the conversation's stays.
    lang: lang ?? decided.lang,
    text: '',
    confidence: 1,
    suggestions: [],
    explain: decided.explain,
  };
}

/** "您所在的新疆，人工客服服务时间为每天 09:00–22:00。": the hours of the group serving the province. */
async function agentHoursFor(routing: Routing, kb: KnowledgeBase, province: string, lang: Lang): Promise<string> {
  const { group } = await routing.availability({ province });
  return handoffText(kb.messages, 'agent_hours_province', lang, { province: provinceName(province, lang), hours: describeHours(group.hours, lang) });
}

/** The engine leaves text empty when the knowledge base has none for the case (a rule without a reply). */
function replyText(kb: KnowledgeBase, decision: Decision): string {
  if (decision.text.trim() !== '') return decision.text;
  if (decision.kind === 'handoff') return handoffNote(kb, decision.lang);
  return kb.messages.fallback?.[decision.lang] ?? '';
}

/** The reply as decided before anything is written: all of it but the queue place (or who took the chat). */
function baseReply(deps: ChatTurnDeps, plan: BotTurn): ChatReply {
  const { decision, text } = plan;
  const reply: ChatReply = {
    kind: decision.kind,
    text,
    confidence: decision.confidence,
    suggestions: plan.suggestions,
  };
  if (decision.kind === 'answer') reply.entryId = decision.entryId;
  const offer = plan.unavailable?.leaveMessage ?? plan.unstaffed?.leaveMessage;
  if (decision.kind === 'handoff' && offer) reply.leaveMessage = offer;
  if (deps.explain) reply.explain = decision.explain;
  return reply;
}

async function botReply(deps: ChatTurnDeps, plan: BotTurn, base: ChatReply, conversationId: string, queuePosition: number | undefined): Promise<ChatReply> {
  const { text } = plan;
  const reply: ChatReply = { ...base };
  // A leave-message reply is complete as decided (baseReply). Queued by this turn (not outside hours, not on hold for the province question).
  if (plan.turn.handoff) {
    if (deps.routing) {
      // Someone free takes it now, or the visitor learns their place; both are also pushed live.
      const fields = queuedReply(text, await deps.routing.enqueued(conversationId));
      if (fields.queue) reply.queue = fields.queue;
      if (fields.agent) reply.agent = fields.agent;
    } else if (queuePosition !== undefined) {
      reply.queue = queueInfo(queuePosition);
    }
  }
  return reply;
}

/**
 * After the turn is stored (a retry that replays writes nothing, so it is not logged twice): one insert, on
 * its own, since the store's turn transaction is behind the ConversationStore interface.
 */
async function logUnanswered(deps: ChatTurnDeps, plan: BotTurn, conversationId: string): Promise<void> {
  if (!deps.unanswered) return;
  const record = unansweredRecord(plan.decision, plan.turn.visitorText, conversationId, (deps.clock ?? systemClock)().toISOString());
  if (record) await deps.unanswered.record(record);
}

function publish(deps: ChatTurnDeps, messages: readonly StoredMessage[]): void {
  if (deps.hub) publishMessages(deps.hub, messages);
}
