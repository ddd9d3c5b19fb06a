// The RoutingStore on PostgreSQL (DATABASE_URL), where every race between agents on several nodes is decided.
// Why one file of this size: as sqlite-routing-store.ts, which it mirrors move for move, it is the routing's whole
// SQL, and each statement is one half of a race the others decide. SQLite decided them all by running one write
// transaction at a time; here three kinds of lock do, always taken in this order (so they cannot deadlock):
// 1. the conversation's row (SELECT … FOR UPDATE): of concurrent takes, transfers, closes and messages on one
//    chat, each waits for the one before and then reads what it left (READ COMMITTED re-reads the locked row),
//    so exactly one take wins and an idle close closes once; a dispatcher's claim uses SKIP LOCKED instead, and
//    passes over a chat someone is deciding right now rather than wait for it;
// 2. the agent's capacity lock (advisory, per agent id), held while counting the agent's chats and assigning
//    one, so concurrent assignments from several nodes never take an agent past capacity;
// 3. the group's front-of-queue lock (advisory, per group), while a chat is put back before every waiting one;
// then, last, the message-order lock of postgres-message-order.ts.
import type { Lang } from '../../knowledge/types.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { ConversationStatus, MessageAuthor, StoredMessage } from '../conversations/conversation-store.ts';
import { toMessage as storedMessage, type MessageRow } from '../conversations/sqlite-conversation-store.ts';
import { lockMessageOrder } from '../conversations/postgres-message-order.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/errors.ts';
import { pickAgent, type AgentLoad } from './round-robin.ts';
import type {
  Assignment,
  ClosedBy,
  Closure,
  HeldConversation,
  QueueEntry,
  RoutedConversation,
  RoutingCandidate,
  RoutingStore,
  TransferRecord,
} from './routing-store.ts';

/**
 * Advisory lock classes (the first key; the second is hashtext of the agent or group id). An advisory lock rather
 * than the agents row: routing never reads the agents table (another module's; SQLite's routing has no foreign
 * key to it either), and a candidate need not have a row there for its capacity to hold.
 */
const AGENT_CAPACITY_LOCK = 729;
const GROUP_FRONT_LOCK = 730;

interface ConversationRow {
  id: string;
  status: ConversationStatus;
  lang: Lang;
  group_id: string | null;
  agent_id: string | null;
  assigned_at: string | null;
  queued_at: string | null;
  handoff_reason: string | null;
  closed_at: string | null;
  closed_by: ClosedBy | null;
  created_at: string;
  updated_at: string;
}

interface QueueRow {
  id: string;
  group_id: string | null;
  province: string | null;
  lang: Lang;
  handoff_reason: string | null;
  queued_at: string;
  preview: string | null;
}

interface ClosureRow {
  id: number;
  conversation_id: string;
  group_id: string | null;
  agent_id: string | null;
  closed_at: string;
  closed_by: ClosedBy;
  handling_seconds: number | null;
  rating: number | null;
  rating_comment: string | null;
}

interface TransferRow {
  id: number;
  from_agent_id: string | null;
  to_agent_id: string | null;
  to_group_id: string | null;
  note: string | null;
  created_at: string;
}

const CONVERSATION_COLUMNS = `id, status, lang, group_id, agent_id, assigned_at, queued_at, handoff_reason,
  closed_at, closed_by, created_at, updated_at`;
const CLOSURE_COLUMNS = 'id, conversation_id, group_id, agent_id, closed_at, closed_by, handling_seconds, rating, rating_comment';
const TRANSFER_COLUMNS = 'id, from_agent_id, to_agent_id, to_group_id, note, created_at';
const MESSAGE_COLUMNS = `id, conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at,
  client_message_id, client_receipt, reply_id`;
const LATEST_VISITOR_TEXT = `(SELECT m.text FROM messages AS m
  WHERE m.conversation_id = c.id AND m.author = 'visitor' ORDER BY m.id DESC LIMIT 1)`;

export function createPostgresRoutingStore(db: PgDb, clock: Clock = systemClock): RoutingStore {
  /** The routing columns; `lock`: FOR UPDATE, for the transactions that decide from what they read. */
  async function conversationOrThrow(id: string, lock = false): Promise<ConversationRow> {
    const row = await db.one<ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);
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

  /** Chats the agent holds; read after lockAgents, so no concurrent assignment to them is uncounted. */
  async function activeCount(agentId: string): Promise<number> {
    return (await db.one<{ active: number }>("SELECT count(*) AS active FROM conversations WHERE status = 'assigned' AND agent_id = $1", [agentId]))!.active;
  }

  async function activeCounts(): Promise<Map<string, number>> {
    const rows = await db.query<{ agent_id: string; active: number }>(
      "SELECT agent_id, count(*) AS active FROM conversations WHERE status = 'assigned' AND agent_id IS NOT NULL GROUP BY agent_id",
    );
    return new Map(rows.map((r) => [r.agent_id, r.active]));
  }

  async function recordAssigned(agentId: string, now: string): Promise<void> {
    await db.run(
      `INSERT INTO agent_routing (agent_id, last_assigned_at) VALUES ($1, $2)
       ON CONFLICT (agent_id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at`,
      [agentId, now],
    );
  }

  /** Conditional: of any number of racing assignments, exactly one finds the row still queued. */
  async function assignIfQueued(id: string, agentId: string, now: string): Promise<boolean> {
    const changed = await db.run(
      `UPDATE conversations SET status = 'assigned', agent_id = $2, assigned_at = $3, queue_rank = NULL, updated_at = $3
       WHERE id = $1 AND status = 'queued'`,
      [id, agentId, now],
    );
    return changed === 1;
  }

  /** A rank before every chat waiting in the group (or now, for an empty queue); under the group's front lock. */
  async function frontRank(groupId: string | null, nowMs: number): Promise<number> {
    const front = (await db.one<{ rank: number | null }>(
      "SELECT min(queue_rank) AS rank FROM conversations WHERE status = 'queued' AND group_id IS NOT DISTINCT FROM $1",
      [groupId],
    ))?.rank;
    return front === null || front === undefined ? nowMs : Math.min(front - 1, nowMs);
  }

  async function requeue(id: string, groupId: string | null, now: string, rank: number): Promise<void> {
    await db.run(
      `UPDATE conversations SET status = 'queued', group_id = $2, agent_id = NULL, assigned_at = NULL,
         queued_at = $3, queue_rank = $4, updated_at = $3
       WHERE id = $1`,
      [id, groupId, now, rank],
    );
  }

  async function insertMessage(
    id: string,
    message: { author: MessageAuthor; text: string; kind?: string; entryId?: string; confidence?: number; agentId?: string },
    now: string,
    clientMessageId: string | null,
  ): Promise<number> {
    await lockMessageOrder(db);
    const row = await db.one<{ id: number }>(
      `INSERT INTO messages (conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at, client_message_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [id, message.author, message.text, message.kind ?? null, message.entryId ?? null, message.confidence ?? null, message.agentId ?? null, now, clientMessageId],
    );
    return row!.id;
  }

  async function selectClosure(id: number): Promise<ClosureRow> {
    return (await db.one<ClosureRow>(`SELECT ${CLOSURE_COLUMNS} FROM conversation_closures WHERE id = $1`, [id]))!;
  }

  async function latestClosure(conversationId: string): Promise<ClosureRow | undefined> {
    return db.one<ClosureRow>(
      `SELECT ${CLOSURE_COLUMNS} FROM conversation_closures WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1`,
      [conversationId],
    );
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
      const positions = new Map<string | null, number>();
      return rows.map((row): QueueEntry => {
        const position = (positions.get(row.group_id) ?? 0) + 1;
        positions.set(row.group_id, position);
        return {
          id: row.id,
          groupId: row.group_id ?? undefined,
          province: row.province ?? undefined,
          lang: row.lang,
          reason: row.handoff_reason ?? undefined,
          queuedAt: row.queued_at,
          position,
          preview: row.preview ?? undefined,
        };
      });
    },

    async queuePosition(id) {
      const row = await db.one<{ group_id: string | null; position: number }>(
        `SELECT c.group_id, count(*) AS position
         FROM conversations AS c JOIN conversations AS q ON q.status = 'queued' AND q.group_id IS NOT DISTINCT FROM c.group_id
           AND (q.queue_rank < c.queue_rank OR (q.queue_rank = c.queue_rank AND q.seq <= c.seq))
         WHERE c.id = $1 AND c.status = 'queued'
         GROUP BY c.id, c.group_id`,
        [id],
      );
      return row ? { groupId: row.group_id ?? undefined, position: row.position } : undefined;
    },

    activeCounts,

    async assignNext(groups, candidates) {
      if (groups.length === 0 || candidates.length === 0) return undefined;
      return db.transaction(async (): Promise<Assignment | undefined> => {
        const queued = await db.query<{ id: string; group_id: string | null; lang: Lang }>(
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
          const loads: AgentLoad[] = candidates
            .filter((c) => conversation.group_id !== null && c.groups.includes(conversation.group_id))
            .map((c) => ({
              agentId: c.agentId,
              capacity: c.capacity,
              active: active.get(c.agentId) ?? 0,
              lastAssignedAt: lastAssigned.get(c.agentId),
            }));
          const chosen = pickAgent(loads);
          if (!chosen) continue;
          // The claim: SKIP LOCKED passes over a chat another node is taking or assigning right now (it will
          // not be waiting when that commits), so dispatchers on several nodes never queue behind each other.
          const claimed = await db.one(
            "SELECT id FROM conversations WHERE id = $1 AND status = 'queued' FOR UPDATE SKIP LOCKED",
            [conversation.id],
          );
          if (!claimed) continue;
          const now = clock().toISOString();
          if (!(await assignIfQueued(conversation.id, chosen.agentId, now))) continue;
          await recordAssigned(chosen.agentId, now);
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
        if (row.status === 'assigned' && row.agent_id === agent.agentId) return { ...result, alreadyHeld: true };
        if (row.status === 'assigned') throw new ConflictError(`handoff: conversation ${id} was already taken by another agent`);
        if (row.status !== 'queued') throw new ConflictError(`handoff: conversation ${id} is not waiting in the queue (it is ${row.status})`);
        if (agent.groups && (row.group_id === null || !agent.groups.includes(row.group_id))) {
          throw new ForbiddenError(`handoff: conversation ${id} waits in group ${row.group_id ?? '(none)'}, not one of yours`);
        }
        await lockAgents([agent.agentId]);
        const active = await activeCount(agent.agentId);
        if (active >= agent.capacity) {
          throw new ConflictError(`handoff: you already hold ${active} chats, your capacity; close one first`);
        }
        const now = clock().toISOString();
        if (!(await assignIfQueued(id, agent.agentId, now))) {
          throw new ConflictError(`handoff: conversation ${id} was already taken by another agent`);
        }
        await recordAssigned(agent.agentId, now);
        return { ...result, alreadyHeld: false };
      });
    },

    async transfer(id, input) {
      return db.transaction(async () => {
        const row = await conversationOrThrow(id, true);
        if (row.status !== 'queued' && row.status !== 'assigned') {
          throw new ConflictError(`handoff: conversation ${id} is ${row.status}; only chats with the people can be transferred`);
        }
        if (input.from !== undefined && (row.status !== 'assigned' || row.agent_id !== input.from)) {
          throw new ConflictError(`handoff: conversation ${id} is not yours (anymore)`);
        }
        const at = clock();
        const now = at.toISOString();
        let toAgentId: string | null = null;
        let toGroupId: string | null = null;
        if ('agent' in input.to) {
          const target = input.to.agent;
          if (row.status === 'assigned' && row.agent_id === target.agentId) {
            throw new ConflictError(`handoff: the agent already holds conversation ${id}`);
          }
          await lockAgents([target.agentId]);
          const active = await activeCount(target.agentId);
          if (active >= target.capacity) throw new ConflictError(`handoff: that agent is at capacity (${active} chats)`);
          await db.run(
            `UPDATE conversations SET status = 'assigned', agent_id = $2, assigned_at = $3, queue_rank = NULL, updated_at = $3
             WHERE id = $1 AND status IN ('queued', 'assigned')`,
            [id, target.agentId, now],
          );
          await recordAssigned(target.agentId, now);
          toAgentId = target.agentId;
        } else {
          toGroupId = input.to.group;
          await lockGroups([toGroupId]);
          await requeue(id, toGroupId, now, await frontRank(toGroupId, at.getTime()));
        }
        const transfer = await db.one<TransferRow>(
          `INSERT INTO conversation_transfers (conversation_id, from_agent_id, to_agent_id, to_group_id, note, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TRANSFER_COLUMNS}`,
          [id, row.status === 'assigned' ? row.agent_id : null, toAgentId, toGroupId, input.note ?? null, now],
        );
        return { before: toRouted(row), after: toRouted(await conversationOrThrow(id)), transfer: toTransfer(transfer!) };
      });
    },

    async requeueAgent(agentId) {
      return db.transaction(async () => {
        const at = clock();
        const now = at.toISOString();
        const rows = await db.query<ConversationRow>(
          `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE status = 'assigned' AND agent_id = $1
           ORDER BY assigned_at DESC, seq DESC FOR UPDATE`,
          [agentId],
        );
        await lockGroups(rows.map((r) => r.group_id));
        const moved: RoutedConversation[] = [];
        // Latest assignment first, each to the very front: the earliest ends up first, order kept.
        for (const row of rows) {
          await requeue(row.id, row.group_id, now, await frontRank(row.group_id, at.getTime()));
          moved.unshift(toRouted(await conversationOrThrow(row.id)));
        }
        return moved;
      });
    },

    async close(id, input) {
      return db.transaction(async () => {
        // FOR UPDATE: when every node's idle sweep closes the same chat at once, the first closes it and the
        // others, reading the row after that commit, answer already_closed: one closure row, one notice.
        const row = await conversationOrThrow(id, true);
        if (row.status === 'closed') return { kind: 'already_closed' as const, conversation: toRouted(row) };
        if (input.idleBefore !== undefined && (row.status !== 'assigned' || row.updated_at >= input.idleBefore)) {
          return { kind: 'skipped' as const, conversation: toRouted(row) };
        }
        if (input.holder !== undefined && (row.status !== 'assigned' || row.agent_id !== input.holder)) {
          throw new ConflictError(`handoff: conversation ${id} is not yours (anymore)`);
        }
        const at = clock();
        const now = at.toISOString();
        const assigned = row.status === 'assigned';
        const withPeople = assigned || row.status === 'queued';
        const inserted = await db.one<{ id: number }>(
          `INSERT INTO conversation_closures
             (conversation_id, group_id, agent_id, handoff_reason, queued_at, assigned_at, closed_at, closed_by, handling_seconds)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [
            id,
            withPeople ? row.group_id : null,
            assigned ? row.agent_id : null,
            withPeople ? row.handoff_reason : null,
            withPeople ? row.queued_at : null,
            assigned ? row.assigned_at : null,
            now,
            input.by,
            assigned && row.assigned_at ? Math.max(0, (at.getTime() - Date.parse(row.assigned_at)) / 1000) : null,
          ],
        );
        // Conditional as well: a close never writes over a row that is no longer what was checked.
        await db.run(
          `UPDATE conversations SET status = 'closed', closed_at = $2, closed_by = $3, queue_rank = NULL, updated_at = $2
           WHERE id = $1 AND status <> 'closed'`,
          [id, now, input.by],
        );
        return { kind: 'closed' as const, before: toRouted(row), closure: toClosure(await selectClosure(inserted!.id)) };
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
      return db.transaction(async (): Promise<StoredMessage & { replayed?: boolean }> => {
        // FOR UPDATE: the holder check holds until the message is stored (a transfer or close waits), and a
        // retry with the same client id, on any node, reads the first attempt's message.
        const row = await conversationOrThrow(id, true);
        const stored =
          clientMessageId !== undefined
            ? await db.one<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_message_id = $2`, [id, clientMessageId])
            : undefined;
        if (stored) return { ...storedMessage(stored), replayed: true };
        if (holder !== undefined && (row.status !== 'assigned' || row.agent_id !== holder)) {
          throw new ConflictError(`handoff: conversation ${id} is not yours (anymore)`);
        }
        const now = clock().toISOString();
        const messageId = await insertMessage(id, message, now, clientMessageId ?? null);
        await db.run('UPDATE conversations SET updated_at = $1 WHERE id = $2', [now, id]);
        return toMessage(messageId, id, message, now);
      });
    },

    async requestHandoff(id, request) {
      return db.transaction(async () => {
        const row = await conversationOrThrow(id, true);
        if (row.status === 'queued' || row.status === 'assigned') return { kind: 'unchanged' as const, conversation: toRouted(row) };
        const at = clock();
        const now = at.toISOString();
        const messageId = await insertMessage(id, { ...request.note }, now, null);
        await db.run(
          `UPDATE conversations SET status = 'queued', handoff_reason = $2, handoff_decision = $3,
             queued_at = $4, queue_rank = $5, group_id = $6, agent_id = NULL, assigned_at = NULL, updated_at = $4
           WHERE id = $1`,
          [id, request.reason, JSON.stringify(request.decision), now, at.getTime(), request.groupId],
        );
        return {
          kind: 'queued' as const,
          message: toMessage(messageId, id, request.note, now),
          conversation: toRouted(await conversationOrThrow(id)),
        };
      });
    },

    async heldBy(agentId) {
      const rows = await db.query<QueueRow & { assigned_at: string; updated_at: string }>(
        `SELECT c.id, c.group_id, c.lang, c.handoff_reason, c.queued_at, c.assigned_at, c.updated_at, ${LATEST_VISITOR_TEXT} AS preview
         FROM conversations AS c WHERE c.status = 'assigned' AND c.agent_id = $1 ORDER BY c.assigned_at, c.seq`,
        [agentId],
      );
      return rows.map(
        (row): HeldConversation => ({
          id: row.id,
          groupId: row.group_id ?? undefined,
          lang: row.lang,
          reason: row.handoff_reason ?? undefined,
          assignedAt: row.assigned_at,
          updatedAt: row.updated_at,
          preview: row.preview ?? undefined,
        }),
      );
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
      const rows = await db.query<{ s: number }>(
        `SELECT handling_seconds AS s FROM conversation_closures
         WHERE handling_seconds IS NOT NULL AND ($1::text IS NULL OR group_id = $1) AND closed_at >= $2
         ORDER BY closed_at DESC LIMIT $3`,
        [groupId ?? null, since, limit],
      );
      return rows.map((r) => r.s);
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
        if (!closure) throw new ConflictError(`handoff: conversation ${id} has not been closed; rate it after the chat ends`);
        if (row.status === 'queued' || row.status === 'assigned') {
          throw new ConflictError(`handoff: conversation ${id} is ${row.status} again; rate it after this chat ends`);
        }
        if (closure.rating !== null) throw new ConflictError(`handoff: this chat was already rated`);
        await db.run('UPDATE conversation_closures SET rating = $1, rating_comment = $2, rated_at = $3 WHERE id = $4', [
          rating.score,
          rating.comment ?? null,
          clock().toISOString(),
          closure.id,
        ]);
        return toClosure(await selectClosure(closure.id));
      });
    },
  };
}

function toRouted(row: ConversationRow): RoutedConversation {
  const c: RoutedConversation = { id: row.id, status: row.status, lang: row.lang, createdAt: row.created_at, updatedAt: row.updated_at };
  if (row.group_id !== null) c.groupId = row.group_id;
  if (row.agent_id !== null) c.agentId = row.agent_id;
  if (row.assigned_at !== null) c.assignedAt = row.assigned_at;
  if (row.queued_at !== null) c.queuedAt = row.queued_at;
  if (row.handoff_reason !== null) c.handoffReason = row.handoff_reason;
  if (row.closed_at !== null) c.closedAt = row.closed_at;
  if (row.closed_by !== null) c.closedBy = row.closed_by;
  return c;
}

function toClosure(row: ClosureRow): Closure {
  const c: Closure = { id: row.id, conversationId: row.conversation_id, closedAt: row.closed_at, closedBy: row.closed_by };
  if (row.group_id !== null) c.groupId = row.group_id;
  if (row.agent_id !== null) c.agentId = row.agent_id;
  if (row.handling_seconds !== null) c.handlingSeconds = row.handling_seconds;
  if (row.rating !== null) c.rating = row.rating;
  if (row.rating_comment !== null) c.ratingComment = row.rating_comment;
  return c;
}

function toTransfer(row: TransferRow): TransferRecord {
  const t: TransferRecord = { id: row.id, createdAt: row.created_at };
  if (row.from_agent_id !== null) t.fromAgentId = row.from_agent_id;
  if (row.to_agent_id !== null) t.toAgentId = row.to_agent_id;
  if (row.to_group_id !== null) t.toGroupId = row.to_group_id;
  if (row.note !== null) t.note = row.note;
  return t;
}

function toMessage(
  id: number,
  conversationId: string,
  m: { author: MessageAuthor; text: string; kind?: string; entryId?: string; confidence?: number; agentId?: string },
  createdAt: string,
): StoredMessage {
  const message: StoredMessage = { id, conversationId, author: m.author, text: m.text, createdAt };
  if (m.kind !== undefined) message.kind = m.kind;
  if (m.entryId !== undefined) message.entryId = m.entryId;
  if (m.confidence !== undefined) message.confidence = m.confidence;
  if (m.agentId !== undefined) message.agentId = m.agentId;
  return message;
}
