// The RoutingStore on better-sqlite3: every change one IMMEDIATE transaction whose UPDATE is conditional
// on the state it checked, so two agents (or processes) racing for one chat cannot both get it.
// Why one file of this size: it is the routing's whole SQL (take, transfer, close, requeue, claims, the views),
// and every statement here is one half of a race the other statements decide; read together they show that
// each move checks and changes the same columns under the same lock. postgres-routing-store.ts decides the same
// races with row and advisory locks; the rules both apply are routing-rows.ts.
import { type Clock, systemClock } from '../platform/clock.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';
import { lazy, type Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { noConversation, toMessage as storedMessage, writtenMessage, type MessageRow } from '../conversations/conversation-rows.ts';
import { pickAgent } from './round-robin.ts';
import { checkCapacity, checkHolder, checkRatable, checkTake, checkTransfer, closeVerdict, closureValues, frontRank as rankBeforeFront, loadsFor, takenByAnother, toClosure, toHeld, toQueueEntries, toRouted, toTransfer, type ClosureRow, type QueueRow, type RoutingRow, type TransferRow } from './routing-rows.ts';
import type { Assignment, Closure, RoutedConversation, RoutingCandidate, RoutingStore } from './routing-store.ts';

const CONVERSATION_COLUMNS = `id, status, lang, group_id, agent_id, assigned_at, queued_at, handoff_reason,
  closed_at, closed_by, created_at, updated_at`;
const LATEST_VISITOR_TEXT = `(SELECT m.text FROM messages AS m
  WHERE m.conversation_id = c.id AND m.author = 'visitor' ORDER BY m.id DESC LIMIT 1)`;

export function createSqliteRoutingStore(db: Db, clock: Clock = systemClock): RoutingStore {
  const selectConversation = db.prepare<[string], RoutingRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`);
  // Front first: queue_rank, then rowid for chats queued within the same millisecond.
  const selectQueue = db.prepare<[string | null, string | null], QueueRow>(`
    SELECT c.id, c.group_id, c.province, c.lang, c.handoff_reason, c.queued_at, ${LATEST_VISITOR_TEXT} AS preview
    FROM conversations AS c
    WHERE c.status = 'queued' AND (? IS NULL OR c.group_id IN (SELECT value FROM json_each(?)))
    ORDER BY c.queue_rank, c.rowid`);
  const selectQueuedIn = db.prepare<[string], Pick<RoutingRow, 'id' | 'group_id' | 'lang'>>(`
    SELECT id, group_id, lang FROM conversations
    WHERE status = 'queued' AND group_id IN (SELECT value FROM json_each(?))
    ORDER BY queue_rank, rowid`);
  const selectPosition = db.prepare<[string], { group_id: string | null; position: number }>(`
    SELECT c.group_id, count(*) AS position
    FROM conversations AS c JOIN conversations AS q ON q.status = 'queued' AND q.group_id IS c.group_id
      AND (q.queue_rank < c.queue_rank OR (q.queue_rank = c.queue_rank AND q.rowid <= c.rowid))
    WHERE c.id = ? AND c.status = 'queued'
    GROUP BY c.id`);
  const selectActiveCounts = db.prepare<[], { agent_id: string; active: number }>(`
    SELECT agent_id, count(*) AS active FROM conversations WHERE status = 'assigned' AND agent_id IS NOT NULL GROUP BY agent_id`);
  const selectActiveCount = db.prepare<[string], { active: number }>(
    "SELECT count(*) AS active FROM conversations WHERE status = 'assigned' AND agent_id = ?",
  );
  const selectLastAssigned = db.prepare<[], { agent_id: string; last_assigned_at: string }>(
    'SELECT agent_id, last_assigned_at FROM agent_routing',
  );
  const upsertLastAssigned = db.prepare(`
    INSERT INTO agent_routing (agent_id, last_assigned_at) VALUES (?, ?)
    ON CONFLICT (agent_id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at`);
  const assignIfQueued = db.prepare(`
    UPDATE conversations SET status = 'assigned', agent_id = @agentId, assigned_at = @now, queue_rank = NULL, updated_at = @now
    WHERE id = @id AND status = 'queued'`);
  const assignToAgent = db.prepare(`
    UPDATE conversations SET status = 'assigned', agent_id = @agentId, assigned_at = @now, queue_rank = NULL, updated_at = @now
    WHERE id = @id AND status IN ('queued', 'assigned')`);
  const selectFront = db.prepare<[string | null], { rank: number | null }>(
    "SELECT min(queue_rank) AS rank FROM conversations WHERE status = 'queued' AND group_id IS ?",
  );
  const requeue = db.prepare(`
    UPDATE conversations SET status = 'queued', group_id = @groupId, agent_id = NULL, assigned_at = NULL,
      queued_at = @now, queue_rank = @rank, updated_at = @now
    WHERE id = @id`);
  const insertTransfer = db.prepare(`
    INSERT INTO conversation_transfers (conversation_id, from_agent_id, to_agent_id, to_group_id, note, created_at)
    VALUES (@conversationId, @fromAgentId, @toAgentId, @toGroupId, @note, @now)`);
  const selectTransfer = db.prepare<[number], TransferRow>(
    'SELECT id, from_agent_id, to_agent_id, to_group_id, note, created_at FROM conversation_transfers WHERE id = ?',
  );
  const selectTransfers = db.prepare<[string], TransferRow>(
    'SELECT id, from_agent_id, to_agent_id, to_group_id, note, created_at FROM conversation_transfers WHERE conversation_id = ? ORDER BY id',
  );
  const selectAssignedOf = db.prepare<[string], RoutingRow>(`
    SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE status = 'assigned' AND agent_id = ?
    ORDER BY assigned_at DESC, rowid DESC`);
  const insertClosure = db.prepare(`
    INSERT INTO conversation_closures
      (conversation_id, group_id, agent_id, handoff_reason, queued_at, assigned_at, closed_at, closed_by, handling_seconds)
    VALUES (@conversationId, @groupId, @agentId, @reason, @queuedAt, @assignedAt, @now, @by, @handlingSeconds)`);
  const markClosed = db.prepare(`
    UPDATE conversations SET status = 'closed', closed_at = @now, closed_by = @by, queue_rank = NULL, updated_at = @now
    WHERE id = @id`);
  const selectClosure = db.prepare<[number], ClosureRow>('SELECT * FROM conversation_closures WHERE id = ?');
  const selectLatestClosure = db.prepare<[string], ClosureRow>(
    'SELECT * FROM conversation_closures WHERE conversation_id = ? ORDER BY id DESC LIMIT 1',
  );
  const rateClosure = db.prepare('UPDATE conversation_closures SET rating = ?, rating_comment = ?, rated_at = ? WHERE id = ?');
  const selectIdle = db.prepare<[string], { id: string }>(
    "SELECT id FROM conversations WHERE status = 'assigned' AND updated_at < ? ORDER BY updated_at",
  );
  const insertMessage = db.prepare(`
    INSERT INTO messages (conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at)
    VALUES (@conversationId, @author, @text, @kind, @entryId, @confidence, @agentId, @now)`);
  const touch = db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?');
  // Migration 007: a retried message (same client id in the conversation) is found, not stored again.
  // Prepared at first use: tests open this store on databases migrated only part of the way.
  const insertClientMessage = lazy(() => db.prepare(`
    INSERT INTO messages (conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at, client_message_id)
    VALUES (@conversationId, @author, @text, @kind, @entryId, @confidence, @agentId, @now, @clientMessageId)`));
  const selectByClientId = lazy(() => db.prepare<[string, string], MessageRow>(
    'SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?',
  ));
  const queueByButton = db.prepare(`
    UPDATE conversations SET status = 'queued', handoff_reason = @reason, handoff_decision = @decision,
      queued_at = @now, queue_rank = @nowMs, group_id = @groupId, agent_id = NULL, assigned_at = NULL, updated_at = @now
    WHERE id = @id`);
  const selectHeld = db.prepare<[string], QueueRow & { assigned_at: string; updated_at: string }>(`
    SELECT c.id, c.group_id, c.lang, c.handoff_reason, c.queued_at, c.assigned_at, c.updated_at, ${LATEST_VISITOR_TEXT} AS preview
    FROM conversations AS c WHERE c.status = 'assigned' AND c.agent_id = ? ORDER BY c.assigned_at, c.rowid`);
  const selectHolders = db.prepare<[], { agent_id: string }>(
    "SELECT DISTINCT agent_id FROM conversations WHERE status = 'assigned' AND agent_id IS NOT NULL ORDER BY agent_id",
  );
  const selectHandlingInGroup = db.prepare<[string, string, number], { s: number }>(`
    SELECT handling_seconds AS s FROM conversation_closures
    WHERE handling_seconds IS NOT NULL AND group_id = ? AND closed_at >= ? ORDER BY closed_at DESC LIMIT ?`);
  const selectHandlingAll = db.prepare<[string, number], { s: number }>(`
    SELECT handling_seconds AS s FROM conversation_closures
    WHERE handling_seconds IS NOT NULL AND closed_at >= ? ORDER BY closed_at DESC LIMIT ?`);

  function conversationOrThrow(id: string): RoutingRow {
    const row = selectConversation.get(id);
    if (!row) throw noConversation(id);
    return row;
  }

  /** A rank before every chat waiting in the group (or now, for an empty queue). */
  const frontRank = (groupId: string | null, nowMs: number): number => rankBeforeFront(selectFront.get(groupId)?.rank, nowMs);

  const assignNextTx = db.transaction((groups: readonly string[], candidates: readonly RoutingCandidate[]): Assignment | undefined => {
    if (groups.length === 0 || candidates.length === 0) return undefined;
    const queued = selectQueuedIn.all(JSON.stringify(groups));
    if (queued.length === 0) return undefined;
    const active = new Map(selectActiveCounts.all().map((r) => [r.agent_id, r.active]));
    const lastAssigned = new Map(selectLastAssigned.all().map((r) => [r.agent_id, r.last_assigned_at]));
    for (const conversation of queued) {
      const chosen = pickAgent(loadsFor(conversation.group_id, candidates, active, lastAssigned));
      if (!chosen) continue;
      const now = clock().toISOString();
      if (assignIfQueued.run({ id: conversation.id, agentId: chosen.agentId, now }).changes !== 1) continue;
      upsertLastAssigned.run(chosen.agentId, now);
      return { conversationId: conversation.id, agentId: chosen.agentId, groupId: conversation.group_id ?? undefined, lang: conversation.lang };
    }
    return undefined;
  });

  const takeTx = db.transaction(
    (id: string, agent: { agentId: string; capacity: number; groups?: readonly string[] }): Assignment & { alreadyHeld: boolean } => {
      const row = conversationOrThrow(id);
      const result = { conversationId: id, agentId: agent.agentId, groupId: row.group_id ?? undefined, lang: row.lang };
      if (checkTake(row, agent)) return { ...result, alreadyHeld: true };
      checkCapacity(selectActiveCount.get(agent.agentId)?.active ?? 0, agent.capacity, 'own');
      const now = clock().toISOString();
      // Conditional: of any number of racing takes, exactly one finds the row still queued.
      if (assignIfQueued.run({ id, agentId: agent.agentId, now }).changes !== 1) throw takenByAnother(id);
      upsertLastAssigned.run(agent.agentId, now);
      return { ...result, alreadyHeld: false };
    },
  );

  const transferTx = db.transaction((id: string, input: Parameters<RoutingStore['transfer']>[1]) => {
    const row = conversationOrThrow(id);
    const at = clock();
    const { agent, record } = checkTransfer(row, input, at.toISOString());
    const { now, toGroupId } = record;
    if (agent) {
      checkCapacity(selectActiveCount.get(agent.agentId)?.active ?? 0, agent.capacity, 'target');
      assignToAgent.run({ id, agentId: agent.agentId, now });
      upsertLastAssigned.run(agent.agentId, now);
    } else {
      requeue.run({ id, groupId: toGroupId, now, rank: frontRank(toGroupId, at.getTime()) });
    }
    const { lastInsertRowid } = insertTransfer.run(record);
    const transfer = toTransfer(selectTransfer.get(Number(lastInsertRowid))!);
    return { before: toRouted(row), after: toRouted(conversationOrThrow(id)), transfer };
  });

  const requeueAgentTx = db.transaction((agentId: string): RoutedConversation[] => {
    const at = clock();
    const now = at.toISOString();
    const moved: RoutedConversation[] = [];
    // Latest assignment first, each to the very front: the earliest ends up first, order kept.
    for (const row of selectAssignedOf.all(agentId)) {
      requeue.run({ id: row.id, groupId: row.group_id, now, rank: frontRank(row.group_id, at.getTime()) });
      moved.unshift(toRouted(conversationOrThrow(row.id)));
    }
    return moved;
  });

  const closeTx = db.transaction((id: string, input: Parameters<RoutingStore['close']>[1]) => {
    const row = conversationOrThrow(id);
    const verdict = closeVerdict(row, input);
    if (verdict !== 'close') return { kind: verdict, conversation: toRouted(row) };
    const values = closureValues(row, input.by, clock());
    const { lastInsertRowid } = insertClosure.run(values);
    markClosed.run({ id, now: values.now, by: input.by });
    return { kind: 'closed' as const, before: toRouted(row), closure: toClosure(selectClosure.get(Number(lastInsertRowid))!) };
  });

  const addMessageTx = db.transaction(
    (
      id: string,
      message: Parameters<RoutingStore['addMessage']>[1],
      holder: string | undefined,
      clientMessageId: string | undefined,
    ): StoredMessage & { replayed?: boolean } => {
      const row = conversationOrThrow(id);
      // Before the holder check: the first attempt went through even if the chat has moved on since.
      const stored = clientMessageId !== undefined ? selectByClientId().get(id, clientMessageId) : undefined;
      if (stored) return { ...storedMessage(stored), replayed: true };
      checkHolder(row, holder);
      const now = clock().toISOString();
      const params = {
        conversationId: id,
        author: message.author,
        text: message.text,
        kind: message.kind ?? null,
        entryId: message.entryId ?? null,
        confidence: message.confidence ?? null,
        agentId: message.agentId ?? null,
        now,
      };
      const { lastInsertRowid } =
        clientMessageId !== undefined ? insertClientMessage().run({ ...params, clientMessageId }) : insertMessage.run(params);
      touch.run(now, id);
      return writtenMessage(Number(lastInsertRowid), id, message, now);
    },
  );

  const requestHandoffTx = db.transaction((id: string, request: Parameters<RoutingStore['requestHandoff']>[1]) => {
    const row = conversationOrThrow(id);
    if (row.status === 'queued' || row.status === 'assigned') return { kind: 'unchanged' as const, conversation: toRouted(row) };
    const at = clock();
    const now = at.toISOString();
    const { lastInsertRowid } = insertMessage.run({
      conversationId: id,
      author: request.note.author,
      text: request.note.text,
      kind: request.note.kind ?? null,
      entryId: request.note.entryId ?? null,
      confidence: request.note.confidence ?? null,
      agentId: null,
      now,
    });
    queueByButton.run({
      id,
      reason: request.reason,
      decision: JSON.stringify(request.decision),
      now,
      nowMs: at.getTime(),
      groupId: request.groupId,
    });
    return {
      kind: 'queued' as const,
      message: writtenMessage(Number(lastInsertRowid), id, request.note, now),
      conversation: toRouted(conversationOrThrow(id)),
    };
  });

  const rateTx = db.transaction((id: string, rating: { score: number; comment?: string }): Closure => {
    const row = conversationOrThrow(id);
    const closure = selectLatestClosure.get(id);
    checkRatable(row, closure);
    rateClosure.run(rating.score, rating.comment ?? null, clock().toISOString(), closure.id);
    return toClosure(selectClosure.get(closure.id)!);
  });

  return gated(db, {
    async get(id) {
      return toRouted(conversationOrThrow(id));
    },

    async queue(groups) {
      const filter = groups === undefined ? null : JSON.stringify(groups);
      return toQueueEntries(selectQueue.all(filter, filter));
    },

    async queuePosition(id) {
      const row = selectPosition.get(id);
      return row ? { groupId: row.group_id ?? undefined, position: row.position } : undefined;
    },

    async activeCounts() {
      return new Map(selectActiveCounts.all().map((r) => [r.agent_id, r.active]));
    },

    async assignNext(groups, candidates) {
      return assignNextTx.immediate(groups, candidates);
    },

    async take(id, agent) {
      return takeTx.immediate(id, agent);
    },

    async transfer(id, input) {
      return transferTx.immediate(id, input);
    },

    async requeueAgent(agentId) {
      return requeueAgentTx.immediate(agentId);
    },

    async close(id, input) {
      return closeTx.immediate(id, input);
    },

    async idleAssigned(before) {
      return selectIdle.all(before).map((r) => r.id);
    },

    async addMessage(id, message, options = {}) {
      return addMessageTx.immediate(id, message, options.holder, options.clientMessageId);
    },

    async requestHandoff(id, request) {
      return requestHandoffTx.immediate(id, request);
    },

    async heldBy(agentId) {
      return selectHeld.all(agentId).map(toHeld);
    },

    async agentsHoldingChats() {
      return selectHolders.all().map((r) => r.agent_id);
    },

    async recentHandlingSeconds(groupId, since, limit) {
      const inGroup = groupId === undefined ? [] : selectHandlingInGroup.all(groupId, since, limit).map((r) => r.s);
      return { inGroup, all: selectHandlingAll.all(since, limit).map((r) => r.s) };
    },

    async transfers(id) {
      return selectTransfers.all(id).map(toTransfer);
    },

    async latestClosure(id) {
      const row = selectLatestClosure.get(id);
      return row ? toClosure(row) : undefined;
    },

    async rate(id, rating) {
      return rateTx.immediate(id, rating);
    },
  });
}

