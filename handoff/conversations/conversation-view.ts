// What an agent sees of one conversation: the transcript, why the bot handed off and what it had
// considered, the visitor's context, and the chat's path through groups and agents.
import type { Lang } from '../../knowledge/types.ts';
import type { Agent } from '../agents/agent.ts';
import type { Clock } from '../platform/clock.ts';
import type { MessageAttachment } from './attachments/attachment.ts';
import type { ConversationStatus, ConversationStore, JsonObject, MessageAuthor, VisitorInfo } from './conversation-store.ts';
import type { ClosedBy, RoutedConversation, RoutingStore } from '../routing/routing-store.ts';

/** The question (and answer) of a knowledge entry in a language, if the entry (still) exists. */
export type DescribeEntry = (entryId: string, lang: Lang) => { question: string; answer?: string } | undefined;

export interface ViewMessage {
  id: number;
  author: MessageAuthor;
  text: string;
  createdAt: string;
  kind?: string;
  entryId?: string;
  confidence?: number;
  agentId?: string;
  /** A file sent in the chat (its `url` downloads it with the agent's session). */
  attachment?: MessageAttachment;
}

/**
 * A colleague in the chat beside its holder (handoff/collaboration/): invited, or joined and writing too. A list of
 * who is in a chat holds those two; the answer to a decline or a departure says `declined` or `left`.
 */
export interface ViewParticipant {
  id: string;
  displayName: string;
  state: 'invited' | 'joined' | 'declined' | 'left';
  invitedBy: { id: string; displayName: string };
  invitedAt: string;
  joinedAt?: string;
  /** What the inviter asked for help with, when they said. */
  note?: string;
}

export interface ViewCandidate {
  entryId: string;
  score?: number;
  coverage?: number;
  /** The entry's first question in the conversation's language, when the knowledge base still has it. */
  question?: string;
  /** The entry's answer in the conversation's language: what the agent may send with one click. */
  answer?: string;
}

export interface ConversationView {
  id: string;
  status: ConversationStatus;
  lang: Lang;
  group?: string;
  /** The visitor's home province (handoff/routing/provinces.ts id), when known. */
  province?: string;
  agent?: { id: string; displayName: string };
  /** Colleagues the holder (or an admin) invited into the chat, while the holder keeps it; absent when none can be. */
  participants?: ViewParticipant[];
  queuedAt?: string;
  assignedAt?: string;
  /** While queued: seconds since entering the queue, place and estimated wait. */
  waitingSeconds?: number;
  position?: number;
  etaSeconds?: number;
  closedAt?: string;
  closedBy?: ClosedBy;
  /** Why the bot handed off, its decision then (with its top candidates) and the decision before it. */
  handoff: {
    reason: string;
    queuedAt: string;
    decision: JsonObject;
    candidates: ViewCandidate[];
    previous: JsonObject | null;
  } | null;
  /** The bot's latest decision (also when no handoff happened yet). */
  lastDecision: JsonObject | null;
  /**
   * visitorId and the address: what the agent may block the visitor by (POST .../block); absent when unknown.
   * The address itself (`ip`) only for admins (admin-only personal data); `hasIp` tells others it is known.
   */
  visitor: { lang: Lang; firstSeen: string; pageUrl?: string; referrer?: string; userAgent?: string; visitorId?: string; ip?: string; hasIp?: true };
  transfers: {
    from?: { id: string; displayName: string };
    toAgent?: { id: string; displayName: string };
    toGroup?: string;
    note?: string;
    createdAt: string;
  }[];
  /** The visitor's rating of the latest close, if any. */
  rating?: { score: number; comment?: string };
  messages: ViewMessage[];
  /** More messages follow: ask again with `after` = the last id. */
  more: boolean;
}

export interface ConversationViewDeps {
  conversations: ConversationStore;
  store: RoutingStore;
  agents: { get(agentId: string): Promise<Agent | undefined> };
  describeEntry?: DescribeEntry;
  clock: Clock;
  standing(conversationId: string): Promise<{ position: number; etaSeconds: number } | undefined>;
}

/** Messages per view; the console pages on with `after`. Range 100-1000; default 500. */
export const VIEW_PAGE_SIZE = 500;

export async function buildConversationView(
  deps: ConversationViewDeps,
  routed: RoutedConversation,
  { after = 0, showIp = false }: { after?: number; /** The viewer is an admin: include the address. */ showIp?: boolean } = {},
): Promise<ConversationView> {
  const conversation = await deps.conversations.getConversation(routed.id);
  const [page, transfers, closure, standing] = await Promise.all([
    deps.conversations.listMessages(routed.id, { after, limit: VIEW_PAGE_SIZE + 1 }),
    deps.store.transfers(routed.id),
    deps.store.latestClosure(routed.id),
    routed.status === 'queued' ? deps.standing(routed.id) : Promise.resolve(undefined),
  ]);

  const names = new Map<string, string>();
  const nameOf = async (id: string) => {
    if (!names.has(id)) names.set(id, (await deps.agents.get(id))?.displayName ?? id);
    return { id, displayName: names.get(id)! };
  };

  const view: ConversationView = {
    id: routed.id,
    status: routed.status,
    lang: routed.lang,
    handoff: null,
    lastDecision: conversation.lastDecision ?? null,
    visitor: visitorOf(conversation.lang, conversation.createdAt, conversation.visitor, showIp),
    transfers: [],
    messages: page.slice(0, VIEW_PAGE_SIZE).map((m) => {
      const message: ViewMessage = { id: m.id, author: m.author, text: m.text, createdAt: m.createdAt };
      if (m.kind !== undefined) message.kind = m.kind;
      if (m.entryId !== undefined) message.entryId = m.entryId;
      if (m.confidence !== undefined) message.confidence = m.confidence;
      if (m.agentId !== undefined) message.agentId = m.agentId;
      if (m.attachment !== undefined) message.attachment = m.attachment;
      return message;
    }),
    more: page.length > VIEW_PAGE_SIZE,
  };
  if (routed.groupId !== undefined) view.group = routed.groupId;
  if (conversation.province !== undefined) view.province = conversation.province;
  if (routed.status === 'assigned' && routed.agentId) view.agent = await nameOf(routed.agentId);
  if (routed.queuedAt !== undefined) view.queuedAt = routed.queuedAt;
  if (routed.assignedAt !== undefined && routed.status === 'assigned') view.assignedAt = routed.assignedAt;
  if (routed.status === 'queued' && routed.queuedAt !== undefined) {
    view.waitingSeconds = Math.max(0, Math.round((deps.clock().getTime() - Date.parse(routed.queuedAt)) / 1000));
  }
  if (standing) {
    view.position = standing.position;
    view.etaSeconds = standing.etaSeconds;
  }
  if (routed.closedAt !== undefined) view.closedAt = routed.closedAt;
  if (routed.closedBy !== undefined) view.closedBy = routed.closedBy;

  if (conversation.handoff) {
    const { decision } = conversation.handoff;
    const previous = isObject(decision.previous) ? decision.previous : null;
    // A rule-fired handoff ("转人工") has no candidates of its own: what the bot tried before is the useful part.
    const own = candidatesOf(decision);
    view.handoff = {
      reason: conversation.handoff.reason,
      queuedAt: conversation.handoff.queuedAt,
      decision,
      candidates: (own.length > 0 ? own : previous ? candidatesOf(previous) : []).map((c) => {
        const described = deps.describeEntry?.(c.entryId, routed.lang);
        if (!described) return c;
        const candidate: ViewCandidate = { ...c, question: described.question };
        if (described.answer !== undefined) candidate.answer = described.answer;
        return candidate;
      }),
      previous,
    };
  }

  for (const t of transfers) {
    const item: ConversationView['transfers'][number] = { createdAt: t.createdAt };
    if (t.fromAgentId) item.from = await nameOf(t.fromAgentId);
    if (t.toAgentId) item.toAgent = await nameOf(t.toAgentId);
    if (t.toGroupId) item.toGroup = t.toGroupId;
    if (t.note) item.note = t.note;
    view.transfers.push(item);
  }
  if (closure?.rating !== undefined) {
    view.rating = closure.ratingComment ? { score: closure.rating, comment: closure.ratingComment } : { score: closure.rating };
  }
  return view;
}

function visitorOf(lang: Lang, firstSeen: string, info: VisitorInfo, showIp: boolean): ConversationView['visitor'] {
  const { ip, ...rest } = info;
  const visitor: ConversationView['visitor'] = { lang, firstSeen, ...rest };
  if (ip !== undefined) {
    visitor.hasIp = true;
    if (showIp) visitor.ip = ip;
  }
  return visitor;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function candidatesOf(decision: JsonObject): ViewCandidate[] {
  const list = decision.candidates;
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).flatMap((c) => {
    if (typeof c.entryId !== 'string') return [];
    const candidate: ViewCandidate = { entryId: c.entryId };
    if (typeof c.score === 'number') candidate.score = c.score;
    if (typeof c.coverage === 'number') candidate.coverage = c.coverage;
    return [candidate];
  });
}
