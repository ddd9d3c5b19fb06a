// The customer history: a visitor's conversations from the store on both engines, and
// GET /api/agent/conversations/:id/history (who may list, what each may open, the audit row, bad ids).
import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { AgentEnv } from '../agents/agent-env.ts';
import { addConversation, databases, describeEachEngine } from '../testing/engine-databases.ts';
import { headerRequireAgent, routingKit, type RoutingKit } from '../testing/routing-test-kit.ts';
import { createErrorHandler, notFoundHandler } from '../http/error-handler.ts';
import { silentLog } from '../testing/silent-log.ts';
import { createSqliteTranscriptStore } from './sqlite-transcript-store.ts';
import { visitorHistoryRoutes } from './visitor-history-routes.ts';
import type { AuditLog } from '../supervision/audit-log.ts';

describeEachEngine('conversationsOfVisitor', (engine) => {
  const open = databases(engine);
  it('lists one visitor’s conversations newest first with holder and message count, capped', async () => {
    const db = await open();
    await addConversation(db, 'old', { visitor_id: 'v1', status: 'closed', agent_id: 'a1', created_at: '2025-03-01T01:00:00.000Z' });
    await addConversation(db, 'new', { visitor_id: 'v1', created_at: '2025-03-02T01:00:00.000Z' });
    await addConversation(db, 'other', { visitor_id: 'v2' });
    await addConversation(db, 'none');
    await db.insert('messages', { conversation_id: 'old', author: 'visitor', text: '你好', created_at: '2025-03-01T01:00:01.000Z' });
    await db.insert('messages', { conversation_id: 'old', author: 'agent', text: '您好', created_at: '2025-03-01T01:00:02.000Z' });
    const transcripts = db.stores.transcripts();
    const list = await transcripts.conversationsOfVisitor('v1', 10);
    expect(list).toEqual([
      { conversationId: 'new', status: 'bot', createdAt: '2025-03-02T01:00:00.000Z', updatedAt: '2025-03-03T01:00:00.000Z', messages: 0 },
      { conversationId: 'old', status: 'closed', agentId: 'a1', createdAt: '2025-03-01T01:00:00.000Z', updatedAt: '2025-03-03T01:00:00.000Z', messages: 2 },
    ]);
    expect((await transcripts.conversationsOfVisitor('v1', 1)).map((c) => c.conversationId)).toEqual(['new']);
    expect(await transcripts.conversationsOfVisitor('nobody', 10)).toEqual([]);
  });
});

let kits: RoutingKit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});

describe('GET /api/agent/conversations/:id/history', () => {
  async function setup() {
    const kit = routingKit();
    kits.push(kit);
    kit.agents.add({ id: 'a', displayName: '小李', groups: ['mobile'] });
    kit.agents.add({ id: 'b', displayName: '小王', groups: ['mobile'] });
    kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    kit.agents.add({ id: 'ed', role: 'editor', groups: [] });
    const audits: Array<{ action: string; details: unknown }> = [];
    const audit = { record: async (_actor: unknown, action: string, _target: unknown, details: unknown) => void audits.push({ action, details }) } as unknown as AuditLog;
    const app = new Hono<AgentEnv>();
    app.route('/', visitorHistoryRoutes({
      transcripts: createSqliteTranscriptStore(kit.db), routing: kit.store, conversations: kit.conversations,
      agents: { get: async (id) => kit.agents.all().find((x) => x.id === id) }, requireAgent: headerRequireAgent(kit.agents), audit,
    }));
    app.onError(createErrorHandler(silentLog));
    app.notFound(notFoundHandler);
    const get = async (id: string, agent?: string) => {
      const res = await app.request(`/api/agent/conversations/${id}/history`, { headers: agent ? { 'x-agent': agent } : {} });
      return { status: res.status, json: (await res.json()) as any };
    };
    /** A chat of `visitorId` taken by `agent` (through the queue), closed when `close`. */
    const chat = async (visitorId: string, agent: string, close: boolean) => {
      const created = await kit.conversations.createConversation({ lang: 'zh', visitor: { visitorId } });
      const id = created.conversation.id;
      await kit.conversations.appendTurn(id, {
        visitorText: '转人工',
        reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
        handoff: { reason: 'requested', decision: { kind: 'handoff' }, group: 'mobile' },
      });
      await kit.routing.enqueued(id);
      expect((await kit.request(`/api/agent/conversations/${id}/take`, { method: 'POST', agent })).status).toBe(200);
      if (close) expect((await kit.request(`/api/agent/conversations/${id}/close`, { method: 'POST', agent })).status).toBe(200);
      kit.time.advance(60_000);
      return id;
    };
    return { kit, get, chat, audits };
  }

  it('lists the visitor’s other chats with date, agent and status; opening follows view-access; admins open all', async () => {
    const { get, chat, audits } = await setup();
    const first = await chat('v1', 'b', true);
    const second = await chat('v1', 'a', true);
    await chat('v2', 'a', true);
    const now = await chat('v1', 'a', false);

    const mine = await get(now, 'a');
    expect(mine.status).toBe(200);
    expect(mine.json.conversations.map((c: { id: string }) => c.id)).toEqual([second, first]);
    expect(mine.json.conversations[0]).toMatchObject({ status: 'closed', agent: { id: 'a', displayName: '小李' }, viewable: false, messages: expect.any(Number) });
    expect(mine.json.conversations[1]).toMatchObject({ status: 'closed', agent: { id: 'b', displayName: '小王' }, viewable: false });
    expect(typeof mine.json.conversations[0].createdAt).toBe('string');
    // A closed chat is for admins only (view-access.ts): the admin may open every one.
    const boss = await get(now, 'boss');
    expect(boss.json.conversations.every((c: { viewable: boolean }) => c.viewable)).toBe(true);
    expect(audits.map((a) => a.action)).toEqual(['visitor.history_viewed', 'visitor.history_viewed']);
    expect(audits[0]!.details).toEqual({ listed: 2 });
  });

  it('an open chat of the visitor held by the caller is viewable; 403 beside a chat the caller may not view', async () => {
    const { get, chat } = await setup();
    const held = await chat('v1', 'a', false);
    const other = await chat('v1', 'b', false);
    expect((await get(other, 'b')).json.conversations).toEqual([expect.objectContaining({ id: held, status: 'assigned', viewable: false })]);
    expect((await get(held, 'a')).json.conversations).toEqual([expect.objectContaining({ id: other, viewable: false })]);
    expect((await get(held, 'b')).status).toBe(403);
    expect((await get(held, 'ed')).status).toBe(403);
    expect((await get(held)).status).toBe(401);
  });

  it('404 for unknown or oversized ids; an empty list for a chat without a visitor id', async () => {
    const { kit, get } = await setup();
    expect((await get('nope', 'boss')).status).toBe(404);
    expect((await get('x'.repeat(300), 'boss')).status).toBe(404);
    const anon = await kit.conversation();
    expect(await get(anon.id, 'boss')).toEqual({ status: 200, json: { conversations: [] } });
  });
});
