// The view rule twice, once in TypeScript (mayView: GET /api/agent/conversations/:id) and once in SQL
// (VIEWABLE_CONVERSATION_IDS: transcript search): on a real SQLite file, every combination of status, holder
// and group, for viewers with different groups, must give the same answer from both; and with colleagues in the
// chats (handoff/collaboration/), on both engines, the SQL must count exactly the colleagues the view counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { createSqliteConversationStore } from './sqlite-conversation-store.ts';
import { createSqliteRoutingStore } from '../routing/sqlite-routing-store.ts';
import { CONVERSATION_STATUSES } from './conversation-store.ts';
import { VIEWABLE_CONVERSATION_IDS, viewAccessParams } from './sqlite-view-access.ts';
import { mayView, viewAccessOf } from './view-access.ts';
import { viewableConversationIds, viewAccessValues } from './postgres-view-access.ts';
import { createCollaboration } from '../collaboration/collaboration.ts';
import type { Holding } from '../collaboration/participant-store.ts';
import { createPostgresParticipantStore } from '../collaboration/postgres-participant-store.ts';
import { createSqliteParticipantStore } from '../collaboration/sqlite-participant-store.ts';
import { createMemoryHub } from '../platform/hub.ts';
import { databaseEachTest, describeEachEngine } from '../testing/engine-databases.ts';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'view-access-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the view rule', () => {
  it('is the same in TypeScript and in SQL for every status, holder and group', async () => {
    const conversations = createSqliteConversationStore(db);
    const routing = createSqliteRoutingStore(db, () => new Date('2025-03-03T02:00:00.000Z'));
    const setState = db.prepare('UPDATE conversations SET status = ?, agent_id = ?, group_id = ? WHERE id = ?');
    const ids: string[] = [];
    for (const status of CONVERSATION_STATUSES) {
      for (const holder of [null, 'a1', 'a2']) {
        for (const group of [null, 'mobile', 'billing']) {
          const { conversation } = await conversations.createConversation({ lang: 'zh' });
          setState.run(status, holder, group, conversation.id);
          ids.push(conversation.id);
        }
      }
    }
    const rows = await Promise.all(ids.map((id) => routing.get(id)));
    const viewable = db.prepare<Record<string, unknown>, string>(VIEWABLE_CONVERSATION_IDS).pluck();

    const viewers = [
      { id: 'a1', role: 'agent', groups: ['mobile'] },
      { id: 'a2', role: 'agent', groups: ['billing', 'mobile'] },
      { id: 'a3', role: 'agent', groups: [] },
    ] as const;
    for (const viewer of viewers) {
      const access = viewAccessOf(viewer);
      const bySql = new Set(viewable.all({ ...viewAccessParams(access) }));
      const byCode = new Set(rows.filter((row) => mayView(access, row)).map((row) => row.id));
      expect([...bySql].sort(), viewer.id).toEqual([...byCode].sort());
    }
    // Spot checks, so that both cannot agree on something wrong: held now, or waiting in one's groups.
    const a1 = viewAccessOf(viewers[0]);
    expect(mayView(a1, { status: 'assigned', agentId: 'a1', groupId: 'billing' })).toBe(true);
    expect(mayView(a1, { status: 'queued', groupId: 'mobile' })).toBe(true);
    expect(mayView(a1, { status: 'closed', agentId: 'a1', groupId: 'mobile' })).toBe(false);
    expect(mayView(a1, { status: 'bot', agentId: 'a1', groupId: 'mobile' })).toBe(false);
    expect(mayView(a1, { status: 'queued', agentId: 'a1', groupId: 'billing' })).toBe(false);
    expect(mayView(a1, { status: 'assigned', agentId: 'a2', groupId: 'mobile' })).toBe(false);
    // A colleague who joined the holder's chat (handoff/collaboration/) reads it while it is assigned, never after.
    expect(mayView(a1, { status: 'assigned', agentId: 'a2', groupId: 'billing', participants: ['a1'] })).toBe(true);
    expect(mayView(a1, { status: 'closed', agentId: 'a2', groupId: 'billing', participants: ['a1'] })).toBe(false);
    expect(mayView(a1, { status: 'assigned', agentId: 'a2', groupId: 'billing', participants: ['a3'] })).toBe(false);
    // Admins: every conversation, whatever its state.
    const admin = viewAccessOf({ id: 'boss', role: 'admin', groups: [] });
    expect(rows.every((row) => mayView(admin, row))).toBe(true);
  });
});

describeEachEngine('the view rule with colleagues in the chat', (engine) => {
  const open = databaseEachTest(engine);

  it('counts a colleague who joined the current holding, in SQL as in the view, and nobody else', async () => {
    const db = open();
    const NOW = '2025-03-03T01:00:00.000Z';
    const EARLIER = '2025-03-03T00:00:00.000Z';
    const conversations = db.stores.conversations();
    const routing = db.stores.routing(() => new Date('2025-03-03T02:00:00.000Z'));
    const participants = db.sqlite ? createSqliteParticipantStore(db.sqlite) : createPostgresParticipantStore(db.pg!);
    // What GET /api/agent/conversations/:id counts: the joined colleagues of the current holding (collaboration.viewed).
    const collaboration = createCollaboration({
      store: participants, routing, agents: { get: async () => undefined }, presence: { status: () => 'online' }, hub: createMemoryHub(),
    });
    const join = async (holding: Holding, agentId: string, then?: 'left') => {
      await participants.invite(holding, { agentId, invitedBy: holding.ownerId, max: 10 });
      await participants.respond(holding, agentId, 'joined');
      if (then) await participants.respond(holding, agentId, then);
    };
    const ids: string[] = [];
    for (const status of CONVERSATION_STATUSES) {
      for (const holder of ['a1', 'a2']) {
        const { conversation } = await conversations.createConversation({ lang: 'zh' });
        await db.run('UPDATE conversations SET status = ?, agent_id = ?, group_id = ?, assigned_at = ? WHERE id = ?', [status, holder, 'billing', NOW, conversation.id]);
        ids.push(conversation.id);
        const current: Holding = { conversationId: conversation.id, ownerId: holder, ownerAssignedAt: NOW };
        // In now: the other of a1 and a2.
        await join(current, holder === 'a1' ? 'a2' : 'a1');
        // Not in now: c3 joined an earlier holding of the same holder, c4 joined another agent's holding (before a
        // transfer), c5 is only invited, c6 joined and left.
        await join({ ...current, ownerAssignedAt: EARLIER }, 'c3');
        await join({ ...current, ownerId: 'someone-else' }, 'c4');
        await participants.invite(current, { agentId: 'c5', invitedBy: holder, max: 10 });
        await join(current, 'c6', 'left');
      }
    }
    const rows = await Promise.all(ids.map(async (id) => collaboration.viewed(await routing.get(id))));
    const bySql = async (access: ReturnType<typeof viewAccessOf>): Promise<string[]> => {
      if (db.sqlite) return db.sqlite.prepare<Record<string, unknown>, string>(VIEWABLE_CONVERSATION_IDS).pluck().all({ ...viewAccessParams(access) });
      return (await db.pg!.query<{ id: string }>(viewableConversationIds('$1', '$2'), viewAccessValues(access))).map((r) => r.id);
    };
    for (const id of ['a1', 'a2', 'c3', 'c4', 'c5', 'c6', 'a9']) {
      const access = viewAccessOf({ id, role: 'agent', groups: [] });
      const byCode = rows.filter((row) => mayView(access, row)).map((row) => row.id);
      expect([...(await bySql(access))].sort(), id).toEqual(byCode.sort());
      // Both agreeing on nothing would prove nothing: a1 and a2 each hold one assigned chat and joined the other.
      expect(byCode.length, id).toBe(id === 'a1' || id === 'a2' ? 2 : 0);
    }
  });
});
