// The ConversationStore on PostgreSQL (DATABASE_URL): sqlite-conversation-store.ts's contract in as few round trips
// as its guarantees allow. The usual turn is ONE statement, with no BEGIN/COMMIT around it: the conversation's
// UPDATE (its row lock; the expected status checked on the row as the previous turn left it, READ COMMITTED
// re-reading a row it waited for), then the message-order lock (postgres-message-order.ts), then the messages.
// What that statement cannot decide alone (the status moved on, a retried client message id, an unknown
// conversation) it leaves unwritten, and a transaction that locks, reads and then decides takes over.
// Why one file of this size: the turn's statement builders, the fallback transaction and the creation paths share
// the row mapping and the SQL of one table pair; split, they would only pass those between files.
import type { ConversationStore, ListMessagesOptions, NewConversation, NewConversationResult, StoredMessage, TurnInput, TurnResult } from './conversation-store.ts';
import { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversation-token.ts';
import { visitorClientMessageId } from './client-message-id.ts';
import { asFirstTurnLeftIt, checkExpectedStatus, creationKey, defaultConversationStoreOptions, DUMMY_HASH, isPlainFirstTurn, mayAnswerRetry, noConversation, parseObject, toConversation, toMessage, turnValues, visitorClient, writtenMessage, type ConversationRow, type ConversationStoreOptions, type MessageRow, type TurnValues } from './conversation-rows.ts';
import { messageOrderCtes } from './postgres-message-order.ts';
import type { PgDb, SqlValue } from '../postgres/pg-db.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

/** The advisory lock class of a creation key (the second key is 32 bits of the key's sha256). */
const CREATION_KEY_LOCK = 728;

/** unique_violation; on messages_client_message_id: a concurrent turn stored the same client message id first. */
const UNIQUE_VIOLATION = '23505';
const CLIENT_MESSAGE_INDEX = 'messages_client_message_id';

/** Passes of the locked creation path; each further one follows a first attempt another node committed meanwhile. */
const MAX_CREATE_PASSES = 3;

const MESSAGE_COLUMNS = `id, conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at,
  client_message_id, client_receipt, reply_id, attachment`;

/**
 * The place in its group's queue; `seq` (creation order) breaks ties of queue_rank as SQLite's rowid does. A count in
 * a subquery rather than a self-join: the same rows, planned in a third of the time.
 */
const QUEUE_POSITION_SQL = `
  SELECT (SELECT count(*) FROM conversations AS q
    WHERE q.status = 'queued' AND q.group_id IS NOT DISTINCT FROM c.group_id AND (q.queue_rank, q.seq) <= (c.queue_rank, c.seq)) AS position
  FROM conversations AS c WHERE c.id = $1 AND c.status = 'queued'`;

/** A conversation row as a writing statement returns it, with the ids of the messages it stored. */
type WrittenRow = ConversationRow & { visitor_message_id?: number; reply_message_id?: number; queue_position?: number | null };

/** Placeholders ($1, $2 …) handed out in the order the SQL text asks for its values. */
function binder(): { params: SqlValue[]; bind: (value: SqlValue) => string } {
  const params: SqlValue[] = [];
  return { params, bind: (value) => (params.push(value), `$${params.length}`) };
}

/**
 * The SET list of a turn's UPDATE (NULL: leave as it is). Only a handoff writes the queue and holder columns, so no
 * other turn fires the holder trigger (conversation_agents_on_assign).
 */
function turnSet(v: TurnValues, bind: (value: SqlValue) => string): string {
  const now = bind(v.now);
  const set = [
    `status = coalesce(${bind(v.status)}, status)`,
    `lang = coalesce(${bind(v.lang)}, lang)`,
    `context = coalesce(${bind(v.context)}, context)`,
    `last_decision = coalesce(${bind(v.decision)}, last_decision)`,
    `province = coalesce(${bind(v.province)}, province)`,
    `province_question = coalesce(${bind(v.provinceQuestion)}, province_question)`,
    `updated_at = ${now}`,
  ];
  if (v.handoffReason !== null) {
    set.push(
      `handoff_reason = ${bind(v.handoffReason)}`,
      `handoff_decision = ${bind(v.handoffDecision)}`,
      `queued_at = ${now}`,
      `queue_rank = ${bind(v.nowMs)}`,
      `group_id = ${bind(v.groupId)}`,
      'agent_id = NULL',
      'assigned_at = NULL',
    );
  }
  return set.join(', ');
}

/**
 * WITH-clause entries storing the turn's visitor message and reply, after the message-order lock taken once per row
 * of the CTE `after` (none: nothing is stored). Explicit casts: in INSERT … SELECT a placeholder's type is not
 * taken from its column.
 */
function turnMessageCtes(conversationId: string, turn: TurnInput, now: string, after: string, bind: (value: SqlValue) => string): string {
  const client = visitorClient(turn);
  const reply = turn.reply;
  const conversation = bind(conversationId);
  const at = bind(now);
  const columns = 'id, conversation_id, author, text, kind, entry_id, confidence, created_at, client_message_id, client_receipt, reply_id';
  const ctes = [
    messageOrderCtes(reply ? 2 : 1, 'msg', after),
    // A retry reads back this reply (the same message id), not whatever follows the visitor message.
    `visitor_message AS (INSERT INTO messages (${columns})
       SELECT msg1.id, ${conversation}::text, 'visitor', ${bind(turn.visitorText)}::text, NULL, NULL, NULL, ${at}::text,
         ${bind(client?.id ?? null)}::text, ${bind(client?.receipt ? JSON.stringify(client.receipt) : null)}::text,
         ${client && reply ? '(SELECT id FROM msg2)' : 'NULL::bigint'}
       FROM msg1)`,
  ];
  if (reply) {
    ctes.push(`reply_message AS (INSERT INTO messages (${columns})
       SELECT msg2.id, ${conversation}::text, ${bind(reply.author)}::text, ${bind(reply.text)}::text, ${bind(reply.kind ?? null)}::text,
         ${bind(reply.entryId ?? null)}::text, ${bind(reply.confidence ?? null)}::double precision, ${at}::text, NULL, NULL, NULL::bigint
       FROM msg2)`);
  }
  return ctes.join(',\n');
}

/** The ids the statement drew, as the main query's columns (msg1: the visitor's, msg2: the reply's). */
const messageIdColumns = (turn: TurnInput) =>
  `(SELECT id FROM msg1) AS visitor_message_id${turn.reply ? ', (SELECT id FROM msg2) AS reply_message_id' : ''}`;

/** The messages a writing statement stored, from the ids it returned. */
function storedMessages(row: WrittenRow, turn: TurnInput, now: string): StoredMessage[] {
  const messages = [writtenMessage(row.visitor_message_id!, row.id, { author: 'visitor', text: turn.visitorText }, now)];
  if (turn.reply) messages.push(writtenMessage(row.reply_message_id!, row.id, turn.reply, now));
  return messages;
}

export function createPostgresConversationStore(
  db: PgDb,
  options: Partial<ConversationStoreOptions> = {},
): ConversationStore {
  const { clock, maxListLimit, firstMessageRetryMs } = { ...defaultConversationStoreOptions, ...options };

  const selectConversation = (id: string) => db.one<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);

  async function conversationOrThrow(id: string): Promise<ConversationRow> {
    const row = await selectConversation(id);
    if (!row) throw noConversation(id);
    return row;
  }

  async function queuePositionOf(id: string): Promise<number | undefined> {
    const position = (await db.one<{ position: number }>(QUEUE_POSITION_SQL, [id]))?.position ?? 0;
    return position > 0 ? position : undefined;
  }

  /**
   * The turn as one statement: the UPDATE (with `guard` added to its WHERE), the message-order lock, the messages,
   * and the turn's place in the queue. Undefined when the UPDATE matched no row: nothing was written.
   */
  async function runTurn(
    id: string,
    turn: TurnInput,
    v: TurnValues,
    guard: (bind: (value: SqlValue) => string) => string = () => '',
  ): Promise<TurnResult | undefined> {
    const { params, bind } = binder();
    const update = `UPDATE conversations SET ${turnSet(v, bind)} WHERE id = ${bind(id)}${guard(bind)} RETURNING *`;
    // The place of a chat that was waiting before this turn and still is (its own row as the snapshot shows it may
    // be older than the locked one, hence "others ahead, plus one"); a handoff's is read after the write instead
    // (below), so that of two handoffs at once the later one counts the earlier (the message-order lock orders
    // their commits, which a snapshot taken before waiting for it would not see).
    const position = v.handoffReason === null
      ? `, CASE WHEN turn.status = 'queued' THEN 1 + (SELECT count(*) FROM conversations AS q
           WHERE q.status = 'queued' AND q.id <> turn.id AND q.group_id IS NOT DISTINCT FROM turn.group_id
             AND (q.queue_rank, q.seq) < (turn.queue_rank, turn.seq)) END AS queue_position`
      : '';
    const row = await db.one<WrittenRow>(
      `WITH turn AS (${update}),
       ${turnMessageCtes(id, turn, v.now, 'turn', bind)}
       SELECT turn.*, ${messageIdColumns(turn)}${position} FROM turn`,
      params,
    );
    if (!row) return undefined;
    const queuePosition =
      row.status !== 'queued' ? undefined : v.handoffReason === null ? (row.queue_position ?? undefined) : await queuePositionOf(id);
    return { conversation: toConversation(row), messages: storedMessages(row, turn, v.now), queuePosition };
  }

  /** One turn on a conversation whose status was read (and locked) in this transaction. */
  async function writeTurn(id: string, current: ConversationRow['status'], turn: TurnInput, at: Date): Promise<TurnResult> {
    checkExpectedStatus(id, current, turn);
    const written = await runTurn(id, turn, turnValues(turn, at));
    if (!written) throw noConversation(id);
    return written;
  }

  async function replayOf(id: string, clientMessageId: string | undefined): Promise<TurnResult | undefined> {
    if (clientMessageId === undefined) return undefined;
    const visitor = await db.one<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_message_id = $2`,
      [id, visitorClientMessageId(clientMessageId)],
    );
    if (!visitor) return undefined;
    const messages = [toMessage(visitor)];
    const reply = visitor.reply_id != null ? await db.one<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [visitor.reply_id]) : undefined;
    if (reply) messages.push(toMessage(reply));
    const receipt = parseObject(visitor.client_receipt);
    const conversation = toConversation(await conversationOrThrow(id));
    const queuePosition = conversation.status === 'queued' ? await queuePositionOf(id) : undefined;
    return { conversation, messages, queuePosition, replay: receipt ? { receipt } : {} };
  }

  /**
   * The turn in one statement, or undefined when that statement wrote nothing and the locked path must decide: the
   * status is not the expected one (a conflict, or a retry whose first attempt changed it), the client message id
   * is stored already (a retry), or the conversation is unknown.
   */
  async function fastTurn(id: string, turn: TurnInput, at: Date): Promise<TurnResult | undefined> {
    const client = visitorClient(turn);
    const guard = (bind: (value: SqlValue) => string) =>
      (turn.expectStatus !== undefined ? ` AND status = ${bind(turn.expectStatus)}` : '') +
      // Seen in the statement's snapshot. One stored by a concurrent turn after it was taken is caught by the
      // unique index instead, which refuses the whole statement (below).
      (client ? ` AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ${bind(id)} AND client_message_id = ${bind(client.id)})` : '');
    try {
      return await runTurn(id, turn, turnValues(turn, at), guard);
    } catch (err) {
      if (client && isClientMessageConflict(err)) return undefined;
      throw err;
    }
  }

  /** As retryOf in the SQLite store: the earlier conversation answering a retry of its first message, or undefined. */
  async function retryOf(earlier: ConversationRow, clientMessageId: string, at: Date): Promise<TurnResult | undefined> {
    if (!mayAnswerRetry(earlier, at, firstMessageRetryMs)) return undefined;
    const first = await db.one<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_message_id = $2`,
      [earlier.id, visitorClientMessageId(clientMessageId)],
    );
    if (!first || !asFirstTurnLeftIt(earlier, first)) return undefined;
    // Anything but the first turn since it was written (system notes aside).
    const others = await db.one<{ n: number }>(
      "SELECT count(*) AS n FROM messages WHERE conversation_id = $1 AND author <> 'system' AND id NOT IN ($2, $3)",
      [earlier.id, first.id, first.reply_id ?? first.id],
    );
    if (others!.n > 0) return undefined;
    return replayOf(earlier.id, clientMessageId);
  }

  /**
   * Inserts the conversation, with a plain first turn (the bot answers: no handoff) in the same statement: its
   * context and decision in the row, its messages after the message-order lock. With a creation key, ON CONFLICT DO
   * NOTHING: when another conversation holds the key (a retry of this first message, committed or still being
   * written on another node, whose commit the unique index waits for) nothing is written and undefined comes back.
   */
  async function insertConversation(input: NewConversation, token: string, at: Date, key: Buffer | undefined): Promise<NewConversationResult | undefined> {
    const { lang, visitor = {}, firstTurn } = input;
    const plain = isPlainFirstTurn(firstTurn) ? firstTurn : undefined;
    const id = newConversationId();
    const now = at.toISOString();
    const { params, bind } = binder();
    const nowParam = bind(now);
    const insert = `INSERT INTO conversations (id, token_hash, status, lang, user_agent, page_url, referrer, context, last_decision,
         created_at, updated_at, visitor_id, client_ip, creation_key, province, province_question)
       VALUES (${bind(id)}, ${bind(hashToken(token))}, 'bot', ${bind(plain?.lang ?? lang)}, ${bind(visitor.userAgent ?? null)},
         ${bind(visitor.pageUrl ?? null)}, ${bind(visitor.referrer ?? null)}, ${bind(plain?.context ? JSON.stringify(plain.context) : '{}')},
         ${bind(plain?.decision ? JSON.stringify(plain.decision) : null)}, ${nowParam}, ${nowParam}, ${bind(visitor.visitorId ?? null)},
         ${bind(visitor.ip ?? null)}, ${bind(key ?? null)}, ${bind(plain?.province ?? null)},
         ${bind(plain?.provinceQuestion !== undefined ? JSON.stringify(plain.provinceQuestion) : null)})
       ${key ? 'ON CONFLICT (creation_key) WHERE creation_key IS NOT NULL DO NOTHING' : ''}
       RETURNING *`;
    const row = plain
      ? await db.one<WrittenRow>(
          `WITH created AS (${insert}),
           ${turnMessageCtes(id, plain, now, 'created', bind)}
           SELECT created.*, ${messageIdColumns(plain)} FROM created`,
          params,
        )
      : await db.one<WrittenRow>(insert, params);
    if (!row) return undefined;
    const conversation = toConversation(row);
    if (!firstTurn) return { conversation, token };
    if (plain) return { conversation, token, turn: { conversation, messages: storedMessages(row, plain, now), queuePosition: undefined } };
    // A first turn with a handoff (or another status): written as any turn, on the new row, in the caller's transaction.
    const turn = await writeTurn(id, row.status, firstTurn, clock());
    return { conversation: turn.conversation, token, turn };
  }

  /**
   * The creation path that decides from what it reads, in a transaction: two attempts of one first message on two
   * nodes must not both create, so the second waits on the key's lock until the first commits, then finds its
   * conversation (SQLite's IMMEDIATE transaction did this). A lock on the key, not a row: before the first commits
   * there is no row to lock.
   */
  async function createLocked(input: NewConversation, token: string, at: Date, key: Buffer | undefined): Promise<NewConversationResult> {
    if (!key) return (await insertConversation(input, token, at, undefined))!;
    const clientMessageId = input.firstTurn!.clientMessageId!;
    await db.query('SELECT pg_advisory_xact_lock($1, $2)', [CREATION_KEY_LOCK, key.readInt32BE(0)]);
    for (let pass = 1; ; pass++) {
      const earlier = await db.one<ConversationRow>('SELECT * FROM conversations WHERE creation_key = $1 FOR UPDATE', [key]);
      const retried = earlier && (await retryOf(earlier, clientMessageId, at));
      if (earlier && retried) {
        // One conversation, one live credential: the retry's token replaces the lost response's (see the SQLite store).
        await db.run('UPDATE conversations SET token_hash = $1 WHERE id = $2', [hashToken(token), earlier.id]);
        return { conversation: retried.conversation, token, turn: retried };
      }
      // Too old or moved on: this is a new conversation, which takes the key over.
      if (earlier) await db.run('UPDATE conversations SET creation_key = NULL WHERE id = $1', [earlier.id]);
      const created = await insertConversation(input, token, at, key);
      if (created) return created;
      // A first attempt that took the one-statement path (it does not take this lock) committed the key since the
      // read above: read again, now that it is visible.
      if (pass >= MAX_CREATE_PASSES) throw new ConflictError('handoff: this first message is being stored by another request; retry');
    }
  }

  return {
    async createConversation(input) {
      const token = newConversationToken();
      const at = clock();
      const { visitor = {}, firstTurn } = input;
      const key =
        visitor.visitorId !== undefined && firstTurn?.clientMessageId !== undefined
          ? creationKey(visitor.visitorId, firstTurn.clientMessageId)
          : undefined;
      // No first turn, or the bot answering it: one statement, unless the key is held already (a retry).
      if (firstTurn === undefined || isPlainFirstTurn(firstTurn)) {
        const created = await insertConversation(input, token, at, key);
        if (created) return created;
      }
      return db.transaction(() => createLocked(input, token, at, key));
    },

    async authenticate(id, token) {
      const row = await selectConversation(id);
      const matches = tokenMatches(token, row?.token_hash ?? DUMMY_HASH);
      if (!row || !matches) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)} for this token`);
      return toConversation(row);
    },

    async getConversation(id) {
      return toConversation(await conversationOrThrow(id));
    },

    async appendTurn(id, turn) {
      const at = clock();
      // Inside a caller's transaction a refused statement would abort it, so there a client message id goes the
      // locked way at once (the unique index may refuse the one-statement way).
      const fast = turn.clientMessageId === undefined || !db.scope.getStore() ? await fastTurn(id, turn, at) : undefined;
      if (fast) return fast;
      return db.transaction(async () => {
        // FOR UPDATE: turns on one conversation queue behind each other, so the status a turn is checked
        // against (expectStatus) and a retried clientMessageId are read after the previous turn committed.
        const state = await db.one<{ status: ConversationRow['status'] }>('SELECT status FROM conversations WHERE id = $1 FOR UPDATE', [id]);
        if (!state) throw noConversation(id);
        // A retry is answered before the status check: the first attempt may have changed the status (a handoff).
        return (await replayOf(id, turn.clientMessageId)) ?? (await writeTurn(id, state.status, turn, at));
      });
    },

    async listMessages(id, { after = 0, limit = maxListLimit }: ListMessagesOptions = {}) {
      const capped = Math.max(1, Math.min(Math.trunc(limit), maxListLimit));
      const rows = await db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
        [id, after, capped],
      );
      return rows.map(toMessage);
    },

    async queuePosition(id) {
      return queuePositionOf(id);
    },

    async setProvinceQuestion(id, question) {
      const changed = await db.run('UPDATE conversations SET province_question = $1 WHERE id = $2', [JSON.stringify(question), id]);
      if (changed !== 1) throw new NotFoundError(`conversation ${id} not found`);
    },
  };
}

function isClientMessageConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === UNIQUE_VIOLATION && e.constraint === CLIENT_MESSAGE_INDEX;
}
