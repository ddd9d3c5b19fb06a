// The view rule twice, once in TypeScript (mayView: GET /api/agent/conversations/:id) and once in SQL
// (VIEWABLE_CONVERSATION_IDS: transcript search): on a real SQLite file, every combination of status, holder
// and group, for viewers with different groups, must give the same answer from both.
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
