// The races several nodes run on one PostgreSQL database, each node its own pool: message ids become visible in id
// order (the resume cursors of live streams skip nothing), and retried messages are stored once whichever node
// they reach. (The store's contract on both engines: sqlite-conversation-store.test.ts.)
import { afterEach, expect, it } from 'vitest';
import { createPgDb, type PgDb } from '../postgres/pg-db.ts';
import { createPostgresUnitOfWork } from '../postgres/unit-of-work.ts';
import { describeWithServices } from '../testing/services.ts';
import { postgresEngine, usePostgresEngine, type StoreEngine } from '../testing/handoff-store-engines.ts';

describeWithServices('PostgreSQL conversation store: races between nodes', () => {
  const engine = usePostgresEngine();
  let pools: PgDb[] = [];
  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    pools = [];
  });

  function node(): StoreEngine & { db: PgDb } {
    const pool = createPgDb(engine.url(), { poolSize: 2 });
    pools.push(pool);
    return postgresEngine(pool);
  }

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a stream reading "messages after its cursor" while 4 nodes write misses no message', async () => {
    const chats: string[] = [];
    for (let i = 0; i < 4; i++) chats.push((await engine().conversations().createConversation({ lang: 'zh' })).conversation.id);
    const writers = Array.from({ length: 4 }, () => node());
    let writing = true;
    // Each write stays open a few milliseconds after its insert (a unit of work with more to do): without the
    // message-order lock, a later id would commit first, the reader would move its cursor past the earlier one
    // and never read it.
    const writes = Promise.all(
      writers.map(async (writer, w) => {
        const conversations = writer.conversations();
        const routing = writer.routing();
        const unit = createPostgresUnitOfWork(writer.db);
        for (let i = 0; i < 15; i++) {
          await unit.withTransaction(async () => {
            if (i % 3 === 2) await routing.addMessage(chats[w]!, { author: 'system', text: `note ${w}.${i}` });
            else await conversations.appendTurn(chats[(w + i) % chats.length]!, { visitorText: `v ${w}.${i}`, reply: { author: 'bot', text: `r ${w}.${i}` } });
            await pause(Math.random() * 6);
          });
        }
      }),
    ).finally(() => (writing = false));

    const reader = node().transcripts();
    const seen: number[] = [];
    let cursor = 0;
    while (writing) {
      for (const message of await reader.messagesAfter(chats, cursor, 1000)) {
        expect(message.id).toBeGreaterThan(cursor);
        seen.push(message.id);
        cursor = message.id;
      }
      await pause(1);
    }
    await writes;
    for (const message of await reader.messagesAfter(chats, cursor, 1000)) seen.push(message.id);

    const all = (await engine().all<{ id: number }>('SELECT id FROM messages ORDER BY id')).map((r) => r.id);
    expect(all).toHaveLength(4 * (10 * 2 + 5));
    // Read in pieces while the writes went on, the stream got every message, each once, in order.
    expect(seen).toEqual(all);
  });

  it('a first message retried on 5 nodes at once starts one conversation; every attempt gets it back', async () => {
    const firstTurn = { visitorText: '查话费', reply: { author: 'bot' as const, text: '发送 CXHF 到 10010' }, clientMessageId: 'm-1', receipt: { kind: 'bot' } };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => node().conversations().createConversation({ lang: 'zh', visitor: { visitorId: 'visitor-aaaaaaaaaaaa' }, firstTurn })),
    );
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(results.filter((r) => r.turn?.replay === undefined)).toHaveLength(1);
    expect(await engine().value('SELECT count(*) FROM conversations')).toBe(1);
    expect(await engine().value("SELECT count(*) FROM messages WHERE author = 'visitor'")).toBe(1);
  });

  it('a turn retried on 5 nodes at once is stored once; the handoff it asked for happens once', async () => {
    const { conversation } = await engine().conversations().createConversation({ lang: 'zh' });
    const turn = { visitorText: '转人工', clientMessageId: 'm-2', handoff: { reason: 'requested', decision: {}, group: 'mobile' }, expectStatus: 'bot' as const };
    const results = await Promise.all(Array.from({ length: 5 }, () => node().conversations().appendTurn(conversation.id, turn)));
    expect(results.filter((r) => r.replay === undefined)).toHaveLength(1);
    // The retries answer as the first did (queued, first in line), not with a conflict on the status it changed.
    for (const r of results) expect(r).toMatchObject({ conversation: { status: 'queued' }, queuePosition: 1 });
    expect(new Set(results.map((r) => r.messages[0]!.id)).size).toBe(1);
    expect(await engine().value("SELECT count(*) FROM messages WHERE author = 'visitor'")).toBe(1);
  });
});
