// The ConversationStore on PostgreSQL (DATABASE_URL): sqlite-conversation-store.ts statement for statement, with
// row locks where SQLite's single writer decided a race, and message inserts in id order (postgres-message-order.ts).
import type { Lang } from '../../knowledge/types.ts';
import type {
  Conversation,
  ConversationStatus,
  ConversationStore,
  JsonObject,
  ListMessagesOptions,
  NewConversation,
  NewConversationResult,
  NewMessage,
  StoredMessage,
  TurnInput,
  TurnResult,
  VisitorInfo,
} from './conversation-store.ts';
import { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversation-token.ts';
import { visitorClientMessageId } from './client-message-id.ts';
import { creationKey, toMessage, type MessageRow } from './sqlite-conversation-store.ts';
import { lockMessageOrder } from './postgres-message-order.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

export interface PostgresConversationStoreOptions {
  /** Source of timestamps (tests pin it). Default `() => new Date()`. */
  clock: () => Date;
  /** Most messages one listMessages call returns. Range 1-10000; default 1000. */
  maxListLimit: number;
  /** As SqliteConversationStoreOptions.firstMessageRetryMs. Range 0-600000 ms (0: never); default 120000. */
  firstMessageRetryMs: number;
}

export const defaultPostgresConversationStoreOptions: PostgresConversationStoreOptions = {
  clock: () => new Date(),
  maxListLimit: 1000,
  firstMessageRetryMs: 120_000,
};

/** The advisory lock class of a creation key (the second key is 32 bits of the key's sha256). */
const CREATION_KEY_LOCK = 728;

interface ConversationRow {
  id: string;
  province: string | null;
  province_question: string | null;
  token_hash: Buffer;
  status: ConversationStatus;
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
  visitor_id: string | null;
  client_ip: string | null;
  creation_key: Buffer | null;
}

type TurnState = Pick<ConversationRow, 'status' | 'agent_id'>;

/** Compared against when the id is unknown, so both failures cost the same hashing and comparison. */
const DUMMY_HASH = hashToken('no such conversation');

const MESSAGE_COLUMNS = `id, conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at,
  client_message_id, client_receipt, reply_id`;

/** The place in its group's queue; `seq` (creation order) breaks ties of queue_rank as SQLite's rowid does. */
const QUEUE_POSITION_SQL = `
  SELECT count(*) AS position
  FROM conversations AS c JOIN conversations AS q ON q.status = 'queued' AND q.group_id IS NOT DISTINCT FROM c.group_id
    AND (q.queue_rank < c.queue_rank OR (q.queue_rank = c.queue_rank AND q.seq <= c.seq))
  WHERE c.id = $1 AND c.status = 'queued'`;

export function createPostgresConversationStore(
  db: PgDb,
  options: Partial<PostgresConversationStoreOptions> = {},
): ConversationStore {
  const { clock, maxListLimit, firstMessageRetryMs } = { ...defaultPostgresConversationStoreOptions, ...options };

  const selectConversation = (id: string) => db.one<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);

  async function conversationOrThrow(id: string): Promise<ConversationRow> {
    const row = await selectConversation(id);
    if (!row) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
    return row;
  }

  async function queuePositionOf(id: string): Promise<number | undefined> {
    const position = (await db.one<{ position: number }>(QUEUE_POSITION_SQL, [id]))?.position ?? 0;
    return position > 0 ? position : undefined;
  }

  async function writeMessage(
    conversationId: string,
    message: NewMessage,
    now: string,
    client?: { id: string; receipt: JsonObject | undefined },
  ): Promise<StoredMessage> {
    const row = (await db.one<{ id: number }>(
      `INSERT INTO messages (conversation_id, author, text, kind, entry_id, confidence, created_at, client_message_id, client_receipt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        conversationId,
        message.author,
        message.text,
        message.kind ?? null,
        message.entryId ?? null,
        message.confidence ?? null,
        now,
        client?.id ?? null,
        client?.receipt ? JSON.stringify(client.receipt) : null,
      ],
    ))!;
    return toMessage({
      id: row.id,
      conversation_id: conversationId,
      author: message.author,
      text: message.text,
      kind: message.kind ?? null,
      entry_id: message.entryId ?? null,
      confidence: message.confidence ?? null,
      created_at: now,
    });
  }

  /** The visitor's message and the reply to it, if any; in the caller's transaction, after its row locks. */
  async function writeMessages(conversationId: string, turn: TurnInput, now: string): Promise<StoredMessage[]> {
    const client = turn.clientMessageId !== undefined ? { id: visitorClientMessageId(turn.clientMessageId), receipt: turn.receipt } : undefined;
    await lockMessageOrder(db);
    const visitor = await writeMessage(conversationId, { author: 'visitor', text: turn.visitorText }, now, client);
    const messages = [visitor];
    if (turn.reply) {
      const reply = await writeMessage(conversationId, turn.reply, now);
      // A retry reads back this reply (the same message id), not whatever follows the visitor message.
      if (client) await db.run('UPDATE messages SET reply_id = $1 WHERE id = $2', [reply.id, visitor.id]);
      messages.push(reply);
    }
    return messages;
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
    const receipt = parseObject(visitor.client_receipt ?? null);
    const conversation = toConversation(await conversationOrThrow(id));
    const queuePosition = conversation.status === 'queued' ? await queuePositionOf(id) : undefined;
    return { conversation, messages, queuePosition, replay: receipt ? { receipt } : {} };
  }

  /** One turn on a conversation whose state was read (and locked) in this transaction. */
  async function writeTurn(id: string, { status: current, agent_id: holder }: TurnState, turn: TurnInput): Promise<TurnResult> {
    if (turn.expectStatus && current !== turn.expectStatus) {
      throw new ConflictError(`handoff: conversation ${id} is ${current}, not ${turn.expectStatus}`);
    }
    const at = clock();
    const now = at.toISOString();
    const messages = await writeMessages(id, turn, now);
    const status = turn.handoff ? 'queued' : (turn.status ?? current);
    const lang = turn.lang ?? null;
    const context = turn.context ? JSON.stringify(turn.context) : null;
    const decision = turn.decision ? JSON.stringify(turn.decision) : null;
    // The usual turn (the bot answers a chat no agent ever held) writes only what it changes, and leaves
    // agent_id out of the statement so the holder trigger does not fire; NULL means "leave as it is".
    const updated =
      current === 'bot' && status === 'bot' && holder === null
        ? await db.one<ConversationRow>(
            `UPDATE conversations SET
               lang = coalesce($2, lang), context = coalesce($3, context), last_decision = coalesce($4, last_decision), updated_at = $5
             WHERE id = $1 RETURNING *`,
            [id, lang, context, decision, now],
          )
        : await db.one<ConversationRow>(
            // A handoff (re)sets the queue time, the group and the queue order (epoch ms) and clears the holder.
            `UPDATE conversations SET
               status           = $2,
               lang             = coalesce($3, lang),
               context          = coalesce($4, context),
               last_decision    = coalesce($5, last_decision),
               handoff_reason   = coalesce($6, handoff_reason),
               handoff_decision = coalesce($7, handoff_decision),
               queued_at        = CASE WHEN $6::text IS NULL THEN queued_at ELSE $9 END,
               queue_rank       = CASE WHEN $6::text IS NULL THEN queue_rank ELSE $10 END,
               group_id         = CASE WHEN $6::text IS NULL THEN group_id ELSE $8 END,
               agent_id         = CASE WHEN $6::text IS NULL THEN agent_id ELSE NULL END,
               assigned_at      = CASE WHEN $6::text IS NULL THEN assigned_at ELSE NULL END,
               updated_at       = $9
             WHERE id = $1 RETURNING *`,
            [
              id,
              status,
              lang,
              context,
              decision,
              turn.handoff?.reason ?? null,
              turn.handoff ? JSON.stringify(turn.handoff.decision) : null,
              turn.handoff?.group ?? null,
              now,
              at.getTime(),
            ],
          );
    if (!updated) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
    const row = (await writeProvince(id, turn)) ?? updated;
    const queuePosition = updated.status === 'queued' ? await queuePositionOf(id) : undefined;
    return { conversation: toConversation(row), messages, queuePosition };
  }

  async function writeProvince(id: string, turn: TurnInput): Promise<ConversationRow | undefined> {
    if (turn.province === undefined && turn.provinceQuestion === undefined) return undefined;
    if (turn.province !== undefined) await db.run('UPDATE conversations SET province = $1 WHERE id = $2', [turn.province, id]);
    if (turn.provinceQuestion !== undefined) {
      await db.run('UPDATE conversations SET province_question = $1 WHERE id = $2', [JSON.stringify(turn.provinceQuestion), id]);
    }
    return selectConversation(id);
  }

  /** As retryOf in the SQLite store: the earlier conversation answering a retry of its first message, or undefined. */
  async function retryOf(earlier: ConversationRow, clientMessageId: string, at: Date): Promise<TurnResult | undefined> {
    if (at.getTime() - Date.parse(earlier.created_at) >= firstMessageRetryMs) return undefined;
    if (earlier.agent_id !== null) return undefined;
    const first = await db.one<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_message_id = $2`,
      [earlier.id, visitorClientMessageId(clientMessageId)],
    );
    if (!first) return undefined;
    const asFirstLeftIt = earlier.status === 'bot' ? earlier.queued_at === null : earlier.status === 'queued' && earlier.queued_at === first.created_at;
    if (!asFirstLeftIt) return undefined;
    const others = await db.one<{ n: number }>(
      "SELECT count(*) AS n FROM messages WHERE conversation_id = $1 AND author <> 'system' AND id NOT IN ($2, $3)",
      [earlier.id, first.id, first.reply_id ?? first.id],
    );
    if (others!.n > 0) return undefined;
    return replayOf(earlier.id, clientMessageId);
  }

  async function create({ lang, visitor = {}, firstTurn }: NewConversation): Promise<NewConversationResult> {
    const token = newConversationToken();
    const at = clock();
    const key =
      visitor.visitorId !== undefined && firstTurn?.clientMessageId !== undefined
        ? creationKey(visitor.visitorId, firstTurn.clientMessageId)
        : undefined;
    if (key) {
      // Two attempts of one first message on two nodes must not both create: the second waits here until the
      // first commits, then finds its conversation (SQLite's IMMEDIATE transaction did this). A lock on the
      // key, not a row: before the first commits there is no row to lock.
      await db.query('SELECT pg_advisory_xact_lock($1, $2)', [CREATION_KEY_LOCK, key.readInt32BE(0)]);
      const earlier = await db.one<ConversationRow>('SELECT * FROM conversations WHERE creation_key = $1 FOR UPDATE', [key]);
      const retried = earlier && (await retryOf(earlier, firstTurn!.clientMessageId!, at));
      if (earlier && retried) {
        // One conversation, one live credential: the retry's token replaces the lost response's (see the SQLite store).
        await db.run('UPDATE conversations SET token_hash = $1 WHERE id = $2', [hashToken(token), earlier.id]);
        return { conversation: retried.conversation, token, turn: retried };
      }
      if (earlier) await db.run('UPDATE conversations SET creation_key = NULL WHERE id = $1', [earlier.id]);
    }
    const id = newConversationId();
    const now = at.toISOString();
    const plain =
      firstTurn !== undefined &&
      !firstTurn.handoff &&
      (firstTurn.status ?? 'bot') === 'bot' &&
      (firstTurn.expectStatus ?? 'bot') === 'bot';
    const row = (await db.one<ConversationRow>(
      `INSERT INTO conversations (id, token_hash, status, lang, user_agent, page_url, referrer, context, last_decision,
         created_at, updated_at, visitor_id, client_ip, creation_key)
       VALUES ($1, $2, 'bot', $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12)
       RETURNING *`,
      [
        id,
        hashToken(token),
        (plain ? firstTurn.lang : undefined) ?? lang,
        visitor.userAgent ?? null,
        visitor.pageUrl ?? null,
        visitor.referrer ?? null,
        plain && firstTurn.context ? JSON.stringify(firstTurn.context) : '{}',
        plain && firstTurn.decision ? JSON.stringify(firstTurn.decision) : null,
        now,
        visitor.visitorId ?? null,
        visitor.ip ?? null,
        key ?? null,
      ],
    ))!;
    if (!firstTurn) return { conversation: toConversation(row), token };
    if (plain) {
      const conversation = toConversation((await writeProvince(id, firstTurn)) ?? row);
      return { conversation, token, turn: { conversation, messages: await writeMessages(id, firstTurn, now), queuePosition: undefined } };
    }
    const turn = await writeTurn(id, row, firstTurn);
    return { conversation: turn.conversation, token, turn };
  }

  return {
    async createConversation(input) {
      return db.transaction(() => create(input));
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
      return db.transaction(async () => {
        // FOR UPDATE: turns on one conversation queue behind each other, so the status a turn is checked
        // against (expectStatus) and a retried clientMessageId are read after the previous turn committed.
        const state = await db.one<TurnState>('SELECT status, agent_id FROM conversations WHERE id = $1 FOR UPDATE', [id]);
        if (!state) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
        return (await replayOf(id, turn.clientMessageId)) ?? (await writeTurn(id, state, turn));
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
  if (row.visitor_id !== null) visitor.visitorId = row.visitor_id;
  if (row.client_ip !== null) visitor.ip = row.client_ip;
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
  if (row.province !== null) conversation.province = row.province;
  const question = parseObject(row.province_question);
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
