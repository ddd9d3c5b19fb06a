// The ConversationStore on better-sqlite3: statements prepared once, each turn in one transaction.
// Why one file of this size: the conversation's statements (create, turn, replay of a retried first message,
// messages, queue position) share the prepared statements and the row mapping; a turn's transaction uses most
// of them, so splitting would only pass them between files.
import type { Lang } from '../../knowledge/types.ts';
import type {
  Conversation,
  ConversationStatus,
  ConversationStore,
  JsonObject,
  ListMessagesOptions,
  MessageAuthor,
  NewConversation,
  NewConversationResult,
  NewMessage,
  StoredMessage,
  TurnInput,
  TurnResult,
  VisitorInfo,
} from './conversation-store.ts';
import { createHash } from 'node:crypto';
import { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversation-token.ts';
import { visitorClientMessageId } from './client-message-id.ts';
import { lazy, type Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

export interface SqliteConversationStoreOptions {
  /** Source of timestamps (tests pin it). Default `() => new Date()`. */
  clock: () => Date;
  /** Most messages one listMessages call returns. Range 1-10000; default 1000. */
  maxListLimit: number;
  /**
   * How long after its creation a conversation answers a retry of its first message (same visitorId and
   * clientMessageId) instead of a new one being started. Range 0-600000 ms (0: never); default 120000:
   * the widget's retries are over within seconds, and a short window keeps the pair's power short.
   */
  firstMessageRetryMs: number;
}

export const defaultSqliteConversationStoreOptions: SqliteConversationStoreOptions = {
  clock: () => new Date(),
  maxListLimit: 1000,
  firstMessageRetryMs: 120_000,
};

interface ConversationRow {
  id: string;
  /** Migration 016: the visitor's home province. */
  province?: string | null;
  /** Migration 017: a handoff waiting for the visitor to name their province (JSON). */
  province_question?: string | null;
  token_hash: Buffer;
  status: ConversationStatus;
  /** Migration 003: the agent holding the chat (kept after close as the last holder). */
  agent_id: string | null;
  lang: Lang;
  user_agent: string | null;
  page_url: string | null;
  referrer: string | null;
  group_id: string | null;
  context: string;
  last_decision: string | null;
  handoff_reason: string | null;
  handoff_decision: string | null;
  queued_at: string | null;
  created_at: string;
  updated_at: string;
  /** Migration 008: the widget's visitor id and the client address at creation (absent before 008). */
  visitor_id?: string | null;
  client_ip?: string | null;
  /** Migration 014: sha256 of the visitor id and the first message's client id (see creationKey). */
  creation_key?: Buffer | null;
}

/** What a turn needs to know of its conversation before writing. */
type TurnState = Pick<ConversationRow, 'status' | 'agent_id'>;

/** A row of `messages` as better-sqlite3 returns it. */
export interface MessageRow {
  id: number;
  conversation_id: string;
  author: MessageAuthor;
  text: string;
  kind: string | null;
  entry_id: string | null;
  confidence: number | null;
  agent_id?: string | null;
  created_at: string;
  /** Migration 007: the scoped client message id ('visitor:<id>', 'agent:<agent>:<id>'), the first response, the reply written with it. */
  client_message_id?: string | null;
  client_receipt?: string | null;
  reply_id?: number | null;
}


/** Compared against when the id is unknown, so both failures cost the same hashing and comparison. */
const DUMMY_HASH = hashToken('no such conversation');

/**
 * What a conversation started from a visitorId and a first clientMessageId is found by again: a hash, so the
 * pair (the client's proof on a retry) is not kept readable. ':' is in neither id, so two pairs never join alike.
 */
export function creationKey(visitorId: string, clientMessageId: string): Buffer {
  return createHash('sha256').update(`${visitorId}:${clientMessageId}`, 'utf8').digest();
}

export function createSqliteConversationStore(
  db: Db,
  options: Partial<SqliteConversationStoreOptions> = {},
): ConversationStore {
  const { clock, maxListLimit, firstMessageRetryMs } = { ...defaultSqliteConversationStoreOptions, ...options };

  // RETURNING: the new row as stored, without reading it back. The usual first turn (the bot answers)
  // comes with its context and decision, so the row is written once, not inserted and then updated.
  const insertConversation = db.prepare<[Record<string, unknown>], ConversationRow>(`
    INSERT INTO conversations (id, token_hash, status, lang, user_agent, page_url, referrer, context, last_decision, created_at, updated_at)
    VALUES (@id, @tokenHash, 'bot', @lang, @userAgent, @pageUrl, @referrer, @context, @decision, @now, @now)
    RETURNING *`);
  // With a visitor id or client address (migration 008); prepared at first use like the statements below.
  const insertIdentifiedConversation = lazy(() => db.prepare<[Record<string, unknown>], ConversationRow>(`
    INSERT INTO conversations (id, token_hash, status, lang, user_agent, page_url, referrer, context, last_decision, created_at, updated_at, visitor_id, client_ip)
    VALUES (@id, @tokenHash, 'bot', @lang, @userAgent, @pageUrl, @referrer, @context, @decision, @now, @now, @visitorId, @clientIp)
    RETURNING *`));
  // With a creation key (migration 014): a first message that a retry can find again.
  const insertKeyedConversation = lazy(() => db.prepare<[Record<string, unknown>], ConversationRow>(`
    INSERT INTO conversations (id, token_hash, status, lang, user_agent, page_url, referrer, context, last_decision, created_at, updated_at, visitor_id, client_ip, creation_key)
    VALUES (@id, @tokenHash, 'bot', @lang, @userAgent, @pageUrl, @referrer, @context, @decision, @now, @now, @visitorId, @clientIp, @creationKey)
    RETURNING *`));
  const selectByCreationKey = lazy(() => db.prepare<[Buffer], ConversationRow>('SELECT * FROM conversations WHERE creation_key = ?'));
  // The key moves to the newer conversation (the unique index allows one holder).
  const clearCreationKey = lazy(() => db.prepare<[string]>('UPDATE conversations SET creation_key = NULL WHERE id = ?'));
  const updateProvince = lazy(() => db.prepare<[string, string]>('UPDATE conversations SET province = ? WHERE id = ?'));
  const updateProvinceQuestion = lazy(() => db.prepare<[string, string]>('UPDATE conversations SET province_question = ? WHERE id = ?'));
  const setTokenHash = lazy(() => db.prepare<[Buffer, string]>('UPDATE conversations SET token_hash = ? WHERE id = ?'));
  // Anything but the first turn since it was written: another visitor message, an agent's, another bot reply.
  // System notes (a queue or routing note) are not the visitor's doing and do not count.
  const selectOtherMessages = lazy(() => db.prepare<[string, number, number], { n: number }>(
    "SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND author != 'system' AND id NOT IN (?, ?)",
  ));
  const selectConversation = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?');
  // What a turn checks: no need to copy the context and decisions out of SQLite for that.
  const selectTurnState = db.prepare<[string], TurnState>('SELECT status, agent_id FROM conversations WHERE id = ?');
  const insertMessage = db.prepare(`
    INSERT INTO messages (conversation_id, author, text, kind, entry_id, confidence, created_at)
    VALUES (@conversationId, @author, @text, @kind, @entryId, @confidence, @now)`);
  // Only for messages with a client id (migration 007); the usual message keeps the statement above. Prepared
  // at first use: tests open this store on databases migrated only part of the way.
  const insertClientMessage = lazy(() => db.prepare(`
    INSERT INTO messages (conversation_id, author, text, kind, entry_id, confidence, created_at, client_message_id, client_receipt)
    VALUES (@conversationId, @author, @text, @kind, @entryId, @confidence, @now, @clientMessageId, @receipt)`));
  const setReplyId = lazy(() => db.prepare('UPDATE messages SET reply_id = ? WHERE id = ?'));
  const selectByClientId = lazy(() => db.prepare<[string, string], MessageRow>(
    'SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?',
  ));
  const selectMessage = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?');
  const selectMessagesAfter = db.prepare<[string, number, number], MessageRow>(
    'SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?',
  );
  // The usual turn: the bot answers and the conversation, never held by an agent, stays with it. Only
  // these columns are written, so of the conversation's indexes only the activity one (status, updated_at)
  // changes; the full statement below would also fire the holder trigger of migration 004, which does
  // nothing without a holder. NULL means "leave as it is".
  const updateTurn = db.prepare<[Record<string, unknown>], ConversationRow>(`
    UPDATE conversations SET
      lang          = coalesce(@lang, lang),
      context       = coalesce(@context, context),
      last_decision = coalesce(@decision, last_decision),
      updated_at    = @now
    WHERE id = @id
    RETURNING *`);
  // Any other turn. NULL parameters mean "leave as it is"; a handoff (re)sets the queue time, the group
  // and the queue order (queue_rank: epoch ms, see migration 003) and clears the previous holder.
  const updateConversation = db.prepare<[Record<string, unknown>], ConversationRow>(`
    UPDATE conversations SET
      status           = @status,
      lang             = coalesce(@lang, lang),
      context          = coalesce(@context, context),
      last_decision    = coalesce(@decision, last_decision),
      handoff_reason   = coalesce(@handoffReason, handoff_reason),
      handoff_decision = coalesce(@handoffDecision, handoff_decision),
      queued_at        = CASE WHEN @handoffReason IS NULL THEN queued_at ELSE @now END,
      queue_rank       = CASE WHEN @handoffReason IS NULL THEN queue_rank ELSE @nowMs END,
      group_id         = CASE WHEN @handoffReason IS NULL THEN group_id ELSE @groupId END,
      agent_id         = CASE WHEN @handoffReason IS NULL THEN agent_id ELSE NULL END,
      assigned_at      = CASE WHEN @handoffReason IS NULL THEN assigned_at ELSE NULL END,
      updated_at       = @now
    WHERE id = @id
    RETURNING *`);
  // Each group has its own queue, ordered by queue_rank (entry time, or the front for a chat put back);
  // rowid breaks ties within one millisecond.
  const selectQueuePosition = db.prepare<[string], { position: number }>(`
    SELECT count(*) AS position
    FROM conversations AS c JOIN conversations AS q ON q.status = 'queued' AND q.group_id IS c.group_id
      AND (q.queue_rank < c.queue_rank OR (q.queue_rank = c.queue_rank AND q.rowid <= c.rowid))
    WHERE c.id = ? AND c.status = 'queued'`);

  function conversationOrThrow(id: string): ConversationRow {
    const row = selectConversation.get(id);
    if (!row) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
    return row;
  }

  function queuePositionOf(id: string): number | undefined {
    const position = selectQueuePosition.get(id)?.position ?? 0;
    return position > 0 ? position : undefined;
  }

  function writeMessage(conversationId: string, message: NewMessage, now: string, client?: { id: string; receipt: JsonObject | undefined }): StoredMessage {
    const params = {
      conversationId,
      author: message.author,
      text: message.text,
      kind: message.kind ?? null,
      entryId: message.entryId ?? null,
      confidence: message.confidence ?? null,
      now,
    };
    const { lastInsertRowid } = client
      ? insertClientMessage().run({ ...params, clientMessageId: client.id, receipt: client.receipt ? JSON.stringify(client.receipt) : null })
      : insertMessage.run(params);
    return toMessage({
      id: Number(lastInsertRowid),
      conversation_id: conversationId,
      author: message.author,
      text: message.text,
      kind: message.kind ?? null,
      entry_id: message.entryId ?? null,
      confidence: message.confidence ?? null,
      created_at: now,
    });
  }

  /** The visitor's message and the reply to it, if any. */
  function writeMessages(conversationId: string, turn: TurnInput, now: string): StoredMessage[] {
    const client = turn.clientMessageId !== undefined ? { id: visitorClientMessageId(turn.clientMessageId), receipt: turn.receipt } : undefined;
    const visitor = writeMessage(conversationId, { author: 'visitor', text: turn.visitorText }, now, client);
    const messages = [visitor];
    if (turn.reply) {
      const reply = writeMessage(conversationId, turn.reply, now);
      // A retry reads back this reply (the same message id), not whatever follows the visitor message.
      if (client) setReplyId().run(reply.id, visitor.id);
      messages.push(reply);
    }
    return messages;
  }

  /** The turn stored before under this client message id, read back as it was written; undefined when none. */
  function replayOf(id: string, clientMessageId: string | undefined): TurnResult | undefined {
    if (clientMessageId === undefined) return undefined;
    const visitor = selectByClientId().get(id, visitorClientMessageId(clientMessageId));
    if (!visitor) return undefined;
    const messages = [toMessage(visitor)];
    const reply = visitor.reply_id != null ? selectMessage.get(visitor.reply_id) : undefined;
    if (reply) messages.push(toMessage(reply));
    const receipt = parseObject(visitor.client_receipt ?? null);
    const conversation = toConversation(conversationOrThrow(id));
    const queuePosition = conversation.status === 'queued' ? queuePositionOf(id) : undefined;
    return { conversation, messages, queuePosition, replay: receipt ? { receipt } : {} };
  }

  /** One turn on a conversation whose state was read in this transaction: its messages, then the conversation itself. */
  function writeTurn(id: string, { status: current, agent_id: holder }: TurnState, turn: TurnInput): TurnResult {
    if (turn.expectStatus && current !== turn.expectStatus) {
      throw new ConflictError(`handoff: conversation ${id} is ${current}, not ${turn.expectStatus}`);
    }
    const at = clock();
    const now = at.toISOString();
    const messages = writeMessages(id, turn, now);
    const status = turn.handoff ? 'queued' : (turn.status ?? current);
    const lang = turn.lang ?? null;
    const context = turn.context ? JSON.stringify(turn.context) : null;
    const decision = turn.decision ? JSON.stringify(turn.decision) : null;
    const updated =
      current === 'bot' && status === 'bot' && holder === null
        ? updateTurn.get({ id, lang, context, decision, now })
        : updateConversation.get({
            id,
            status,
            lang,
            context,
            decision,
            handoffReason: turn.handoff?.reason ?? null,
            handoffDecision: turn.handoff ? JSON.stringify(turn.handoff.decision) : null,
            groupId: turn.handoff?.group ?? null,
            now,
            nowMs: at.getTime(),
          });
    if (!updated) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
    const row = writeProvince(id, turn) ?? updated;
    // Only a queued conversation has a place in a queue.
    const queuePosition = updated.status === 'queued' ? queuePositionOf(id) : undefined;
    return { conversation: toConversation(row), messages, queuePosition };
  }

  /** The turn's province and province question, in the turn's transaction; the row again when either was written. */
  function writeProvince(id: string, turn: TurnInput): ConversationRow | undefined {
    if (turn.province === undefined && turn.provinceQuestion === undefined) return undefined;
    if (turn.province !== undefined) updateProvince().run(turn.province, id);
    if (turn.provinceQuestion !== undefined) updateProvinceQuestion().run(JSON.stringify(turn.provinceQuestion), id);
    return selectConversation.get(id);
  }

  const appendTurnTx = db.transaction((id: string, turn: TurnInput): TurnResult => {
    const state = selectTurnState.get(id);
    if (!state) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
    // A retry is answered before the status check: the first attempt may have changed the status (a handoff).
    return replayOf(id, turn.clientMessageId) ?? writeTurn(id, state, turn);
  });

  /**
   * The conversation `earlier` (found by the creation key) answering a retry of its first message, or undefined
   * when it has moved on: created at least the retry window ago, a person on it (or a handoff asked for after the
   * first turn), a message other than the first turn's (system notes aside), or closed.
   */
  function retryOf(earlier: ConversationRow, clientMessageId: string, at: Date): TurnResult | undefined {
    if (at.getTime() - Date.parse(earlier.created_at) >= firstMessageRetryMs) return undefined;
    if (earlier.agent_id !== null) return undefined;
    const first = selectByClientId().get(earlier.id, visitorClientMessageId(clientMessageId));
    if (!first) return undefined;
    // Queued only by the first turn itself (its handoff was written with it, at the same time).
    const asFirstLeftIt = earlier.status === 'bot' ? earlier.queued_at === null : earlier.status === 'queued' && earlier.queued_at === first.created_at;
    if (!asFirstLeftIt) return undefined;
    if (selectOtherMessages().get(earlier.id, first.id, first.reply_id ?? first.id)!.n > 0) return undefined;
    return replayOf(earlier.id, clientMessageId);
  }

  // The first turn is written in the same transaction (no savepoint: a failure anywhere rolls back both). The
  // creation key is looked up in it too, and IMMEDIATE (below) holds the write lock from the start, so of two
  // concurrent attempts of one first message (in this process or another) exactly one creates.
  const createTx = db.transaction(({ lang, visitor = {}, firstTurn }: NewConversation): NewConversationResult => {
    const token = newConversationToken();
    const at = clock();
    const key =
      visitor.visitorId !== undefined && firstTurn?.clientMessageId !== undefined
        ? creationKey(visitor.visitorId, firstTurn.clientMessageId)
        : undefined;
    if (key) {
      const earlier = selectByCreationKey().get(key);
      const retried = earlier && retryOf(earlier, firstTurn!.clientMessageId!, at);
      if (earlier && retried) {
        // The token the lost response carried is not known here (only its hash is kept), so the retry gets a
        // new one, and it replaces the old: one conversation has one live credential. A response that was only
        // delayed, not lost (a slow proxy, a log or cache that kept it) then holds a token that opens nothing,
        // and of concurrent attempts only the last answer's token works (the widget keeps the one it reads).
        setTokenHash().run(hashToken(token), earlier.id);
        return { conversation: retried.conversation, token, turn: retried };
      }
      // Too old or moved on: this is a new conversation, which takes the key over.
      if (earlier) clearCreationKey().run(earlier.id);
    }
    const id = newConversationId();
    const now = at.toISOString();
    // A first turn that leaves the conversation with the bot (no handoff) goes into the new row itself.
    const plain =
      firstTurn !== undefined &&
      !firstTurn.handoff &&
      (firstTurn.status ?? 'bot') === 'bot' &&
      (firstTurn.expectStatus ?? 'bot') === 'bot';
    const values = {
      id,
      tokenHash: hashToken(token),
      lang: (plain ? firstTurn.lang : undefined) ?? lang,
      userAgent: visitor.userAgent ?? null,
      pageUrl: visitor.pageUrl ?? null,
      referrer: visitor.referrer ?? null,
      context: plain && firstTurn.context ? JSON.stringify(firstTurn.context) : '{}',
      decision: plain && firstTurn.decision ? JSON.stringify(firstTurn.decision) : null,
      now,
    };
    const identified = visitor.visitorId !== undefined || visitor.ip !== undefined;
    const identity = { visitorId: visitor.visitorId ?? null, clientIp: visitor.ip ?? null };
    const row = (
      key
        ? insertKeyedConversation().get({ ...values, ...identity, creationKey: key })
        : identified
          ? insertIdentifiedConversation().get({ ...values, ...identity })
          : insertConversation.get(values)
    )!;
    if (!firstTurn) return { conversation: toConversation(row), token };
    if (plain) {
      const conversation = toConversation(writeProvince(id, firstTurn) ?? row);
      return { conversation, token, turn: { conversation, messages: writeMessages(id, firstTurn, now), queuePosition: undefined } };
    }
    const turn = writeTurn(id, row, firstTurn);
    return { conversation: turn.conversation, token, turn };
  });

  return gated(db, {
    async createConversation(input) {
      return createTx.immediate(input);
    },

    async authenticate(id, token) {
      const row = selectConversation.get(id);
      const matches = tokenMatches(token, row?.token_hash ?? DUMMY_HASH);
      if (!row || !matches) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)} for this token`);
      return toConversation(row);
    },

    async getConversation(id) {
      return toConversation(conversationOrThrow(id));
    },

    async appendTurn(id, turn) {
      // IMMEDIATE: take the write lock before reading the status the turn is checked against.
      return appendTurnTx.immediate(id, turn);
    },

    async listMessages(id, { after = 0, limit = maxListLimit }: ListMessagesOptions = {}) {
      const capped = Math.max(1, Math.min(Math.trunc(limit), maxListLimit));
      return selectMessagesAfter.all(id, after, capped).map(toMessage);
    },

    async queuePosition(id) {
      return queuePositionOf(id);
    },

    async setProvinceQuestion(id, question) {
      if (updateProvinceQuestion().run(JSON.stringify(question), id).changes !== 1) throw new NotFoundError(`conversation ${id} not found`);
    },
  });
}

function parseObject(json: string | null): JsonObject | undefined {
  if (json === null) return undefined;
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function toConversation(row: ConversationRow): Conversation {
  const visitor: VisitorInfo = {};
  if (row.user_agent !== null) visitor.userAgent = row.user_agent;
  if (row.page_url !== null) visitor.pageUrl = row.page_url;
  if (row.referrer !== null) visitor.referrer = row.referrer;
  if (row.visitor_id != null) visitor.visitorId = row.visitor_id;
  if (row.client_ip != null) visitor.ip = row.client_ip;
  const conversation: Conversation = {
    id: row.id,
    status: row.status,
    lang: row.lang,
    visitor,
    context: parseObject(row.context) ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  const lastDecision = parseObject(row.last_decision);
  if (lastDecision) conversation.lastDecision = lastDecision;
  if (row.province != null) conversation.province = row.province;
  const question = parseObject(row.province_question ?? null);
  if (question && typeof question.reason === 'string') {
    conversation.provinceQuestion = { reason: question.reason, waiting: question.waiting === true, ...(typeof question.skill === 'string' ? { skill: question.skill } : {}) };
  }
  if (row.handoff_reason !== null && row.queued_at !== null) {
    conversation.handoff = {
      reason: row.handoff_reason,
      decision: parseObject(row.handoff_decision) ?? {},
      queuedAt: row.queued_at,
    };
    if (row.group_id !== null) conversation.handoff.group = row.group_id;
  }
  return conversation;
}

export function toMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {
    id: row.id,
    conversationId: row.conversation_id,
    author: row.author,
    text: row.text,
    createdAt: row.created_at,
  };
  if (row.kind !== null) message.kind = row.kind;
  if (row.entry_id !== null) message.entryId = row.entry_id;
  if (row.confidence !== null) message.confidence = row.confidence;
  if (row.agent_id != null) message.agentId = row.agent_id;
  return message;
}
