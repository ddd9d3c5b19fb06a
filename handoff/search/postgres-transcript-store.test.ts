// What only PostgreSQL's transcript search has to show: the view rule in its SQL (postgres-view-access.ts) agrees
// with mayView case by case, and the trigram index serves substring searches, Chinese ones included. (The store's
// contract on both engines: sqlite-transcript-store.test.ts.)
import { expect, it } from 'vitest';
import { CONVERSATION_STATUSES } from '../conversations/conversation-store.ts';
import { viewableConversationIds, viewAccessValues } from '../conversations/postgres-view-access.ts';
import { mayView, viewAccessOf } from '../conversations/view-access.ts';
import { databaseEachTest, postgresEngine } from '../testing/engine-databases.ts';
import { describeWithServices } from '../testing/services.ts';
import { likePattern } from './transcript-rows.ts';

describeWithServices('PostgreSQL transcript search', () => {
  const db = databaseEachTest(postgresEngine);

  it('the view rule is the same in TypeScript and in SQL for every status, holder and group', async () => {
    const conversations = db().stores.conversations();
    const routing = db().stores.routing(() => new Date('2025-03-03T02:00:00.000Z'));
    const ids: string[] = [];
    for (const status of CONVERSATION_STATUSES) {
      for (const holder of [null, 'a1', 'a2']) {
        for (const group of [null, 'mobile', 'billing']) {
          const { conversation } = await conversations.createConversation({ lang: 'zh' });
          await db().run('UPDATE conversations SET status = ?, agent_id = ?, group_id = ? WHERE id = ?', [status, holder, group, conversation.id]);
          ids.push(conversation.id);
        }
      }
    }
    const rows = await Promise.all(ids.map((id) => routing.get(id)));
    const viewers = [
      { id: 'a1', role: 'agent', groups: ['mobile'] },
      { id: 'a2', role: 'agent', groups: ['billing', 'mobile'] },
      { id: 'a3', role: 'agent', groups: [] },
    ] as const;
    for (const viewer of viewers) {
      const access = viewAccessOf(viewer);
      const bySql = await db().pg!.query<{ id: string }>(viewableConversationIds('$1', '$2'), viewAccessValues(access));
      const byCode = rows.filter((row) => mayView(access, row)).map((row) => row.id);
      expect(bySql.map((r) => r.id).sort(), viewer.id).toEqual(byCode.sort());
      // Both agreeing on nothing would prove nothing: each viewer sees something here.
      if (viewer.id !== 'a3') expect(byCode.length).toBeGreaterThan(0);
    }
  });

  it('serves a Chinese substring and an English word in any case from the trigram index', async () => {
    const { conversation } = await db().stores.conversations().createConversation({
      lang: 'zh',
      firstTurn: { visitorText: '我想查询话费余额 Broadband', reply: { author: 'bot', text: '编辑短信 CXHF 发送到 10010' } },
    });
    const pg = db().pg!;
    await pg.transaction(async () => {
      // The tables are tiny, so the planner would rightly scan them; forbid that to see that the index can serve.
      await pg.run('SET LOCAL enable_seqscan = off');
      for (const term of ['查询话费', 'broadBAND']) {
        const plan = (await pg.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT id FROM messages WHERE text ILIKE $1', [likePattern(term)]))
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        expect(plan, term).toMatch(/messages_text_trgm/);
        const found = await pg.query<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE text ILIKE $1', [likePattern(term)]);
        expect(found, term).toEqual([{ conversation_id: conversation.id }]);
      }
    });
  });

  it('escapes the LIKE wildcards and the escape character of a query', () => {
    expect(likePattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});
