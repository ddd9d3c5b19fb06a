// The ConversationStore on better-sqlite3: statements prepared once, each turn in one transaction.
// Why one file of this size: the conversation's statements (create, turn, replay of a retried first message,
// messages, queue position) share the prepared statements and the row mapping; a turn's transaction uses most
// of them, so splitting would only pass them between files.
import type { ConversationStore, JsonObject, ListMessagesOptions, NewConversation, NewConversationResult, NewMessage, StoredMessage, TurnInput, TurnResult } from './conversation-store.ts';
import { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversation-token.ts';
import { visitorClientMessageId } from './client-message-id.ts';
import { asFirstTurnLeftIt, checkExpectedStatus, creationKey, defaultConversationStoreOptions, DUMMY_HASH, isPlainFirstTurn, mayAnswerRetry, noConversation, parseObject, toConversation, toMessage, turnValues, visitorClient, writtenMessage, type ConversationRow, type ConversationStoreOptions, type MessageRow, type TurnState, type TurnValues } from './conversation-rows.ts';
import { lazy, type Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { NotFoundError } from '../platform/errors.ts';

/**
 * The usual turn: the bot answers a chat no agent ever held and it stays with the bot. Only what it changes is
 * written (updateTurn), so the holder trigger of migration 004 does not fire for it.
 */
function isBotOnlyTurn({ status, agent_id }: TurnState, turn: TurnInput): boolean {
  return status === 'bot' && !turn.handoff && (turn.status ?? status) === 'bot' && agent_id === null;
}

export function createSqliteConversationStore(
  db: Db,
  options: Partial<ConversationStoreOptions> = {},
): ConversationStore {
  const { clock, maxListLimit, firstMessageRetryMs } = { ...defaultConversationStoreOptions, ...options };

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
  const updateTurn = db.prepare<[TurnValues & { id: string }], ConversationRow>(`
    UPDATE conversations SET
      lang          = coalesce(@lang, lang),
      context       = coalesce(@context, context),
      last_decision = coalesce(@decision, last_decision),
      updated_at    = @now
    WHERE id = @id
    RETURNING *`);
  // Any other turn. NULL parameters mean "leave as it is"; a handoff (re)sets the queue time, the group
  // and the queue order (queue_rank: epoch ms, see migration 003) and clears the previous holder.
  const updateConversation = db.prepare<[TurnValues & { id: string }], ConversationRow>(`
    UPDATE conversations SET
      status           = coalesce(@status, status),
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
    if (!row) throw noConversation(id);
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
    return writtenMessage(Number(lastInsertRowid), conversationId, message, now);
  }

  /** The visitor's message and the reply to it, if any. */
  function writeMessages(conversationId: string, turn: TurnInput, now: string): StoredMessage[] {
    const client = visitorClient(turn);
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
    const receipt = parseObject(visitor.client_receipt);
    const conversation = toConversation(conversationOrThrow(id));
    const queuePosition = conversation.status === 'queued' ? queuePositionOf(id) : undefined;
    return { conversation, messages, queuePosition, replay: receipt ? { receipt } : {} };
  }

  /** One turn on a conversation whose state was read in this transaction: its messages, then the conversation itself. */
  function writeTurn(id: string, state: TurnState, turn: TurnInput): TurnResult {
    checkExpectedStatus(id, state.status, turn);
    const values = { ...turnValues(turn, clock()), id };
    const messages = writeMessages(id, turn, values.now);
    const updated = isBotOnlyTurn(state, turn) ? updateTurn.get(values) : updateConversation.get(values);
    if (!updated) throw noConversation(id);
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
    if (!state) throw noConversation(id);
    // A retry is answered before the status check: the first attempt may have changed the status (a handoff).
    return replayOf(id, turn.clientMessageId) ?? writeTurn(id, state, turn);
  });

  /**
   * The conversation `earlier` (found by the creation key) answering a retry of its first message, or undefined
   * when it has moved on: created at least the retry window ago, a person on it (or a handoff asked for after the
   * first turn), a message other than the first turn's (system notes aside), or closed.
   */
  function retryOf(earlier: ConversationRow, clientMessageId: string, at: Date): TurnResult | undefined {
    if (!mayAnswerRetry(earlier, at, firstMessageRetryMs)) return undefined;
    const first = selectByClientId().get(earlier.id, visitorClientMessageId(clientMessageId));
    if (!first || !asFirstTurnLeftIt(earlier, first)) return undefined;
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
    const plain = isPlainFirstTurn(firstTurn);
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

