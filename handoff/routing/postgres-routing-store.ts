// The RoutingStore on PostgreSQL (DATABASE_URL), where every race between agents on several nodes is decided.
// Why one file of this size: as sqlite-routing-store.ts, whose moves and rules (routing-rows.ts) it shares, it is the
// routing's whole SQL, and each statement is one half of a race the others decide. SQLite decided them all by
// running one write transaction at a time; here three kinds of lock do, always taken in this order (so they cannot
// deadlock):
// 1. the conversation's row (SELECT … FOR UPDATE, or the UPDATE itself): of concurrent takes, transfers, closes and
//    messages on one chat, each waits for the one before and then reads what it left (READ COMMITTED re-reads the
//    locked row), so exactly one take wins and an idle close closes once; a dispatcher's claim uses SKIP LOCKED
//    instead, and passes over a chat someone is deciding right now rather than wait for it;
// 2. the agent's capacity lock (advisory, per agent id), held while counting the agent's chats and assigning
//    one, so concurrent assignments from several nodes never take an agent past capacity;
// 3. the group's front-of-queue lock (advisory, per group), while a chat is put back before every waiting one;
// then, last, the message-order lock of postgres-message-order.ts.
// A move whose check fits in its UPDATE's WHERE (a message, a handoff button) is one statement with no
// BEGIN/COMMIT; when that statement matches nothing, a transaction that locks, reads and decides takes over.
import { type Clock, systemClock } from '../platform/clock.ts';
import type { NewMessage, StoredMessage } from '../conversations/conversation-store.ts';
import { noConversation, toMessage as storedMessage, writtenMessage, type MessageRow } from '../conversations/conversation-rows.ts';
import { messageOrderCtes } from '../conversations/postgres-message-order.ts';
import type { PgDb, SqlValue } from '../postgres/pg-db.ts';
import { pickAgent } from './round-robin.ts';
import { checkCapacity, checkHolder, checkRatable, checkTake, checkTransfer, closeVerdict, closureValues, loadsFor, takenByAnother, toClosure, toHeld, toQueueEntries, toRouted, toTransfer, type ClosureRow, type QueueRow, type RoutingRow, type TransferRow } from './routing-rows.ts';
import type { Assignment, HandoffRequest, RoutedConversation, RoutingStore } from './routing-store.ts';

/**
 * Advisory lock classes (the first key; the second is hashtext of the agent or group id). An advisory lock rather
 * than the agents row: routing never reads the agents table (another module's; SQLite's routing has no foreign
 * key to it either), and a candidate need not have a row there for its capacity to hold.
 */
const AGENT_CAPACITY_LOCK = 729;
const GROUP_FRONT_LOCK = 730;

/** unique_violation; on messages_client_message_id: a concurrent attempt stored the same client message id first. */
const UNIQUE_VIOLATION = '23505';
const CLIENT_MESSAGE_INDEX = 'messages_client_message_id';

const CONVERSATION_COLUMNS = `id, status, lang, group_id, agent_id, assigned_at, queued_at, handoff_reason,
  closed_at, closed_by, created_at, updated_at`;
const CLOSURE_COLUMNS = 'id, conversation_id, group_id, agent_id, closed_at, closed_by, handling_seconds, rating, rating_comment';
const TRANSFER_COLUMNS = 'id, from_agent_id, to_agent_id, to_group_id, note, created_at';
const MESSAGE_COLUMNS = `id, conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at,
  client_message_id, client_receipt, reply_id`;
const LATEST_VISITOR_TEXT = `(SELECT m.text FROM messages AS m
  WHERE m.conversation_id = c.id AND m.author = 'visitor' ORDER BY m.id DESC LIMIT 1)`;

type MessageInput = NewMessage & { agentId?: string };

/** Placeholders ($1, $2 …) handed out in the order the SQL text asks for its values. */
function binder(): { params: SqlValue[]; bind: (value: SqlValue) => string } {
  const params: SqlValue[] = [];
  return { params, bind: (value) => (params.push(value), `$${params.length}`) };
}

/**
 * WITH-clause entries storing one message after the message-order lock, its id drawn as msg1's. The lock is taken
 * once per row of the CTE `after` (the UPDATE that took the conversation's row lock; none matched: nothing is
 * stored), or once when there is none (in a transaction that holds the row lock already). Explicit casts: in
 * INSERT … SELECT a placeholder's type is not taken from its column.
 */
function messageCtes(conversationId: string, m: MessageInput, now: string, clientMessageId: string | null, bind: (value: SqlValue) => string, after?: string): string {
  return `${messageOrderCtes(1, 'msg', after)},
    stored AS (INSERT INTO messages (id, conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at, client_message_id)
      SELECT msg1.id, ${bind(conversationId)}::text, ${bind(m.author)}::text, ${bind(m.text)}::text, ${bind(m.kind ?? null)}::text,
        ${bind(m.entryId ?? null)}::text, ${bind(m.confidence ?? null)}::double precision, ${bind(m.agentId ?? null)}::text,
        ${bind(now)}::text, ${bind(clientMessageId)}::text
      FROM msg1)`;
}

function isClientMessageConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === UNIQUE_VIOLATION && e.constraint === CLIENT_MESSAGE_INDEX;
}

export function createPostgresRoutingStore(db: PgDb, clock: Clock = systemClock): RoutingStore {
  /** The routing columns; `lock`: FOR UPDATE, for the transactions that decide from what they read. */
  async function conversationOrThrow(id: string, lock = false): Promise<RoutingRow> {
    const row = await db.one<RoutingRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row) throw noConversation(id);
    return row;
  }

  /**
   * Takes the capacity locks of these agents, in the order of their lock keys (so two dispatchers locking
   * overlapping sets never wait on each other crosswise). The subquery's sort is fenced (OFFSET 0) so the
   * locks are taken in that order.
   */
  async function lockAgents(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length === 0) return;
    await db.query(
      `SELECT pg_advisory_xact_lock($1, k) FROM (
         SELECT DISTINCT hashtext(a) AS k FROM unnest($2::text[]) AS a ORDER BY k OFFSET 0) AS keys`,
      [AGENT_CAPACITY_LOCK, [...agentIds]],
    );
  }

  async function lockGroups(groupIds: ReadonlyArray<string | null>): Promise<void> {
    const ids = groupIds.map((g) => g ?? '');
    if (ids.length === 0) return;
    await db.query(
      `SELECT pg_advisory_xact_lock($1, k) FROM (
         SELECT DISTINCT hashtext(g) AS k FROM unnest($2::text[]) AS g ORDER BY k OFFSET 0) AS keys`,
      [GROUP_FRONT_LOCK, ids],
    );
  }

  /** Chats the agent holds; read after lockAgents (in a later statement, so its snapshot has every assignment before the lock). */
  async function activeCount(agentId: string): Promise<number> {
    return (await db.one<{ active: number }>("SELECT count(*) AS active FROM conversations WHERE status = 'assigned' AND agent_id = $1", [agentId]))!.active;
  }

  async function activeCounts(): Promise<Map<string, number>> {
    const rows = await db.query<{ agent_id: string; active: number }>(
      "SELECT agent_id, count(*) AS active FROM conversations WHERE status = 'assigned' AND agent_id IS NOT NULL GROUP BY agent_id",
    );
    return new Map(rows.map((r) => [r.agent_id, r.active]));
  }

  /**
   * Assigns the chat to the agent and records when the agent was last given one, in one statement. `onlyIf` is the
   * condition the row must still meet: of any number of racing assignments, exactly one finds the row still queued.
   */
  async function assign(id: string, agentId: string, now: string, onlyIf: string): Promise<boolean> {
    const changed = await db.run(
      `WITH assigned AS (
         UPDATE conversations SET status = 'assigned', agent_id = $2, assigned_at = $3, queue_rank = NULL, updated_at = $3
         WHERE id = $1 AND ${onlyIf} RETURNING agent_id)
       INSERT INTO agent_routing (agent_id, last_assigned_at) SELECT agent_id, $3 FROM assigned
       ON CONFLICT (agent_id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at`,
      [id, agentId, now],
    );
    return changed === 1;
  }

  /**
   * Puts the chat back at the front of the group's queue (before every waiting chat, or now for an empty queue);
   * under the group's front lock, taken in an earlier statement so this one's snapshot has every chat put there before.
   */
  async function requeueAtFront(id: string, groupId: string | null, at: Date): Promise<RoutingRow> {
    return (await db.one<RoutingRow>(
      `UPDATE conversations SET status = 'queued', group_id = $2, agent_id = NULL, assigned_at = NULL, queued_at = $3, updated_at = $3,
         queue_rank = least((SELECT min(queue_rank) FROM conversations WHERE status = 'queued' AND group_id IS NOT DISTINCT FROM $2) - 1, $4)
       WHERE id = $1 RETURNING ${CONVERSATION_COLUMNS}`,
      [id, groupId, at.toISOString(), at.getTime()],
    ))!;
  }

  /** One message, in a transaction that holds the conversation's row lock. */
  async function insertMessage(id: string, message: MessageInput, now: string, clientMessageId: string | null): Promise<number> {
    const { params, bind } = binder();
    const row = await db.one<{ id: number }>(`WITH ${messageCtes(id, message, now, clientMessageId, bind)} SELECT id FROM msg1`, params);
    return row!.id;
  }

  async function latestClosure(conversationId: string): Promise<ClosureRow | undefined> {
    return db.one<ClosureRow>(
      `SELECT ${CLOSURE_COLUMNS} FROM conversation_closures WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1`,
      [conversationId],
    );
  }

  /**
   * addMessage as one statement: the conversation's activity time (its row lock; the holder checked in the WHERE,
   * on the row as the last writer left it), then the message. Undefined when that wrote nothing: the chat is
   * unknown, not the holder's, or the client message id is stored (seen in the snapshot, or refused by the unique
   * index when a concurrent attempt stored it after): the locked way decides which.
   */
  async function addMessageAtOnce(
    id: string,
    message: MessageInput,
    now: string,
    holder: string | undefined,
    clientMessageId: string | undefined,
  ): Promise<StoredMessage | undefined> {
    const { params, bind } = binder();
    const conversation = bind(id);
    let where = `id = ${conversation}`;
    if (holder !== undefined) where += ` AND status = 'assigned' AND agent_id = ${bind(holder)}`;
    if (clientMessageId !== undefined) {
      where += ` AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ${conversation} AND client_message_id = ${bind(clientMessageId)})`;
    }
    try {
      const row = await db.one<{ id: number }>(
        `WITH touched AS (UPDATE conversations SET updated_at = ${bind(now)} WHERE ${where} RETURNING id),
         ${messageCtes(id, message, now, clientMessageId ?? null, bind, 'touched')}
         SELECT id FROM msg1`,
        params,
      );
      return row ? writtenMessage(row.id, id, message, now) : undefined;
    } catch (err) {
      if (clientMessageId !== undefined && isClientMessageConflict(err)) return undefined;
      throw err;
    }
  }

  /** requestHandoff as one statement, when the chat is neither queued nor assigned; undefined otherwise (nothing written). */
  async function requestHandoffAtOnce(id: string, request: HandoffRequest, at: Date) {
    const now = at.toISOString();
    const { params, bind } = binder();
    const nowParam = bind(now);
    const row = await db.one<RoutingRow & { message_id: number }>(
      `WITH queued AS (
         UPDATE conversations SET status = 'queued', handoff_reason = ${bind(request.reason)}, handoff_decision = ${bind(JSON.stringify(request.decision))},
           queued_at = ${nowParam}, queue_rank = ${bind(at.getTime())}, group_id = ${bind(request.groupId)}, agent_id = NULL, assigned_at = NULL,
           updated_at = ${nowParam}
         WHERE id = ${bind(id)} AND status NOT IN ('queued', 'assigned') RETURNING ${CONVERSATION_COLUMNS}),
       ${messageCtes(id, request.note, now, null, bind, 'queued')}
       SELECT queued.*, (SELECT id FROM msg1) AS message_id FROM queued`,
      params,
    );
    if (!row) return undefined;
    return { kind: 'queued' as const, message: writtenMessage(row.message_id, id, request.note, now), conversation: toRouted(row) };
  }

  return {
    async get(id) {
      return toRouted(await conversationOrThrow(id));
    },

    async queue(groups) {
      // Front first: queue_rank, then creation order (seq, SQLite's rowid) for chats queued in the same millisecond.
      const rows = await db.query<QueueRow>(
        `SELECT c.id, c.group_id, c.province, c.lang, c.handoff_reason, c.queued_at, ${LATEST_VISITOR_TEXT} AS preview
         FROM conversations AS c
         WHERE c.status = 'queued' AND ($1::text[] IS NULL OR c.group_id = ANY($1::text[]))
         ORDER BY c.queue_rank, c.seq`,
        [groups === undefined ? null : [...groups]],
      );
      return toQueueEntries(rows);
    },

    async queuePosition(id) {
      // Front first by queue_rank, then creation order (seq, SQLite's rowid). A count in a subquery rather than a
      // self-join: the same rows, planned in a third of the time (this runs on every message of a waiting visitor).
      const row = await db.one<{ group_id: string | null; position: number }>(
        `SELECT c.group_id, (SELECT count(*) FROM conversations AS q
           WHERE q.status = 'queued' AND q.group_id IS NOT DISTINCT FROM c.group_id AND (q.queue_rank, q.seq) <= (c.queue_rank, c.seq)) AS position
         FROM conversations AS c WHERE c.id = $1 AND c.status = 'queued'`,
        [id],
      );
      return row ? { groupId: row.group_id ?? undefined, position: row.position } : undefined;
    },

    activeCounts,

    async assignNext(groups, candidates) {
      if (groups.length === 0 || candidates.length === 0) return undefined;
      return db.transaction(async (): Promise<Assignment | undefined> => {
        const queued = await db.query<Pick<RoutingRow, 'id' | 'group_id' | 'lang'>>(
          `SELECT id, group_id, lang FROM conversations
           WHERE status = 'queued' AND group_id = ANY($1::text[])
           ORDER BY queue_rank, seq`,
          [[...groups]],
        );
        if (queued.length === 0) return undefined;
        // Every candidate's capacity lock before their loads are read: the loads then stay true until commit.
        await lockAgents(candidates.map((c) => c.agentId));
        const active = await activeCounts();
        const lastAssigned = new Map(
          (await db.query<{ agent_id: string; last_assigned_at: string }>('SELECT agent_id, last_assigned_at FROM agent_routing')).map((r) => [
            r.agent_id,
            r.last_assigned_at,
          ]),
        );
        for (const conversation of queued) {
          const chosen = pickAgent(loadsFor(conversation.group_id, candidates, active, lastAssigned));
          if (!chosen) continue;
          // The claim: SKIP LOCKED passes over a chat another node is taking or assigning right now (it will
          // not be waiting when that commits), so dispatchers on several nodes never queue behind each other.
          const claimed = await db.one(
            "SELECT id FROM conversations WHERE id = $1 AND status = 'queued' FOR UPDATE SKIP LOCKED",
            [conversation.id],
          );
          if (!claimed) continue;
          if (!(await assign(conversation.id, chosen.agentId, clock().toISOString(), "status = 'queued'"))) continue;
          return { conversationId: conversation.id, agentId: chosen.agentId, groupId: conversation.group_id ?? undefined, lang: conversation.lang };
        }
        return undefined;
      });
    },

    async take(id, agent) {
      return db.transaction(async () => {
        // FOR UPDATE: racing takes of one chat queue here; each later one reads the winner's assignment.
        const row = await conversationOrThrow(id, true);
        const result = { conversationId: id, agentId: agent.agentId, groupId: row.group_id ?? undefined, lang: row.lang };
        if (checkTake(row, agent)) return { ...result, alreadyHeld: true };
        await lockAgents([agent.agentId]);
        checkCapacity(await activeCount(agent.agentId), agent.capacity, 'own');
        if (!(await assign(id, agent.agentId, clock().toISOString(), "status = 'queued'"))) throw takenByAnother(id);
        return { ...result, alreadyHeld: false };
      });
    },

    async transfer(id, input) {
      return db.transaction(async () => {
        const row = await conversationOrThrow(id, true);
        const at = clock();
        const { agent, record: r } = checkTransfer(row, input, at.toISOString());
        if (agent) {
          await lockAgents([agent.agentId]);
          checkCapacity(await activeCount(agent.agentId), agent.capacity, 'target');
          await assign(id, agent.agentId, r.now, "status IN ('queued', 'assigned')");
        } else {
          await lockGroups([r.toGroupId]);
          await requeueAtFront(id, r.toGroupId, at);
        }
        const transfer = await db.one<TransferRow>(
          `INSERT INTO conversation_transfers (conversation_id, from_agent_id, to_agent_id, to_group_id, note, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TRANSFER_COLUMNS}`,
          [r.conversationId, r.fromAgentId, r.toAgentId, r.toGroupId, r.note, r.now],
        );
        return { before: toRouted(row), after: toRouted(await conversationOrThrow(id)), transfer: toTransfer(transfer!) };
      });
    },

    async requeueAgent(agentId) {
      return db.transaction(async () => {
        const at = clock();
        const rows = await db.query<RoutingRow>(
          `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE status = 'assigned' AND agent_id = $1
           ORDER BY assigned_at DESC, seq DESC FOR UPDATE`,
          [agentId],
        );
        await lockGroups(rows.map((r) => r.group_id));
        const moved: RoutedConversation[] = [];
        // Latest assignment first, each to the very front: the earliest ends up first, order kept.
        for (const row of rows) moved.unshift(toRouted(await requeueAtFront(row.id, row.group_id, at)));
        return moved;
      });
    },

    async close(id, input) {
      return db.transaction(async () => {
        // FOR UPDATE: when every node's idle sweep closes the same chat at once, the first closes it and the
        // others, reading the row after that commit, answer already_closed: one closure row, one notice.
        const row = await conversationOrThrow(id, true);
        const verdict = closeVerdict(row, input);
        if (verdict !== 'close') return { kind: verdict, conversation: toRouted(row) };
        const v = closureValues(row, input.by, clock());
        const closure = await db.one<ClosureRow>(
          `INSERT INTO conversation_closures
             (conversation_id, group_id, agent_id, handoff_reason, queued_at, assigned_at, closed_at, closed_by, handling_seconds)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${CLOSURE_COLUMNS}`,
          [v.conversationId, v.groupId, v.agentId, v.reason, v.queuedAt, v.assignedAt, v.now, v.by, v.handlingSeconds],
        );
        // Conditional as well: a close never writes over a row that is no longer what was checked.
        await db.run(
          `UPDATE conversations SET status = 'closed', closed_at = $2, closed_by = $3, queue_rank = NULL, updated_at = $2
           WHERE id = $1 AND status <> 'closed'`,
          [id, v.now, input.by],
        );
        return { kind: 'closed' as const, before: toRouted(row), closure: toClosure(closure!) };
      });
    },

    async idleAssigned(before) {
      const rows = await db.query<{ id: string }>(
        "SELECT id FROM conversations WHERE status = 'assigned' AND updated_at < $1 ORDER BY updated_at",
        [before],
      );
      return rows.map((r) => r.id);
    },

    async addMessage(id, message, options = {}) {
      const { holder, clientMessageId } = options;
      const now = clock().toISOString();
      // Inside a caller's transaction a refused statement would abort it, so there a client message id goes the
      // locked way at once (the unique index may refuse the one-statement way).
      const atOnce =
        clientMessageId === undefined || !db.scope.getStore() ? await addMessageAtOnce(id, message, now, holder, clientMessageId) : undefined;
      if (atOnce) return atOnce;
      return db.transaction(async (): Promise<StoredMessage & { replayed?: boolean }> => {
        // FOR UPDATE: the holder check holds until the message is stored (a transfer or close waits), and a
        // retry with the same client id, on any node, reads the first attempt's message.
        const row = await conversationOrThrow(id, true);
        const stored =
          clientMessageId !== undefined
            ? await db.one<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_message_id = $2`, [id, clientMessageId])
            : undefined;
        // Before the holder check: the first attempt went through even if the chat has moved on since.
        if (stored) return { ...storedMessage(stored), replayed: true };
        checkHolder(row, holder);
        const messageId = await insertMessage(id, message, now, clientMessageId ?? null);
        await db.run('UPDATE conversations SET updated_at = $1 WHERE id = $2', [now, id]);
        return writtenMessage(messageId, id, message, now);
      });
    },

    async requestHandoff(id, request) {
      const at = clock();
      const atOnce = await requestHandoffAtOnce(id, request, at);
      if (atOnce) return atOnce;
      return db.transaction(async () => {
        const row = await conversationOrThrow(id, true);
        if (row.status === 'queued' || row.status === 'assigned') return { kind: 'unchanged' as const, conversation: toRouted(row) };
        // It left the queue between the two statements (closed, say): queue it now, under the row lock.
        return (await requestHandoffAtOnce(id, request, at))!;
      });
    },

    async heldBy(agentId) {
      const rows = await db.query<QueueRow & { assigned_at: string; updated_at: string }>(
        `SELECT c.id, c.group_id, c.lang, c.handoff_reason, c.queued_at, c.assigned_at, c.updated_at, ${LATEST_VISITOR_TEXT} AS preview
         FROM conversations AS c WHERE c.status = 'assigned' AND c.agent_id = $1 ORDER BY c.assigned_at, c.seq`,
        [agentId],
      );
      return rows.map(toHeld);
    },

    async agentsHoldingChats() {
      // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
      const rows = await db.query<{ agent_id: string }>(
        `SELECT DISTINCT agent_id COLLATE "C" AS agent_id FROM conversations
         WHERE status = 'assigned' AND agent_id IS NOT NULL ORDER BY 1`,
      );
      return rows.map((r) => r.agent_id);
    },

    async recentHandlingSeconds(groupId, since, limit) {
      // Both lists in one round trip, each on its own index (conversation_closures_handled, _recent).
      const row = await db.one<{ in_group: number[]; every_group: number[] }>(
        `SELECT
           ARRAY(SELECT handling_seconds FROM conversation_closures
                 WHERE handling_seconds IS NOT NULL AND group_id = $1 AND closed_at >= $2 ORDER BY closed_at DESC LIMIT $3) AS in_group,
           ARRAY(SELECT handling_seconds FROM conversation_closures
                 WHERE handling_seconds IS NOT NULL AND closed_at >= $2 ORDER BY closed_at DESC LIMIT $3) AS every_group`,
        [groupId ?? null, since, limit],
      );
      return { inGroup: row!.in_group, all: row!.every_group };
    },

    async transfers(id) {
      const rows = await db.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM conversation_transfers WHERE conversation_id = $1 ORDER BY id`, [id]);
      return rows.map(toTransfer);
    },

    async latestClosure(id) {
      const row = await latestClosure(id);
      return row ? toClosure(row) : undefined;
    },

    async rate(id, rating) {
      return db.transaction(async () => {
        const row = await conversationOrThrow(id, true);
        const closure = await latestClosure(id);
        checkRatable(row, closure);
        const rated = await db.one<ClosureRow>(
          `UPDATE conversation_closures SET rating = $1, rating_comment = $2, rated_at = $3 WHERE id = $4 RETURNING ${CLOSURE_COLUMNS}`,
          [rating.score, rating.comment ?? null, clock().toISOString(), closure.id],
        );
        return toClosure(rated!);
      });
    },
  };
}
