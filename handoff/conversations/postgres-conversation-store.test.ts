// The races several nodes run on one PostgreSQL database, each node its own pool: message ids become visible in id
// order (the resume cursors of live streams skip nothing), and retried messages are stored once whichever node
// they reach. (The store's contract on both engines: sqlite-conversation-store.test.ts.)
import { expect, it } from 'vitest';
import { databaseEachTest, postgresEngine, type EngineDb } from '../testing/engine-databases.ts';
import { describeWithServices } from '../testing/services.ts';

describeWithServices('PostgreSQL conversation store: races between nodes', () => {
  const db = databaseEachTest(postgresEngine);

  /** Another node: a pool of its own (2 connections), closed with the database. */
  const node = (): Promise<EngineDb> => db().another({ poolSize: 2 });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * 4 nodes making 15 writes each (`write(node, w, i)`) while a reader on a fifth node polls for the messages after
   * its cursor (`readAfter`, ids in order). Returns the ids the reader saw, in the order it saw them, and every id
   * stored in the end: equal when no message became visible after a later one.
   */
  async function readWhileWriting(
    write: (writer: EngineDb, w: number, i: number) => Promise<unknown>,
    readAfter: (reader: EngineDb, cursor: number) => Promise<number[]>,
  ): Promise<{ seen: number[]; all: number[] }> {
    const writers = await Promise.all(Array.from({ length: 4 }, () => node()));
    let writing = true;
    const writes = Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 15; i++) await write(writer, w, i);
      }),
    ).finally(() => (writing = false));
    const reader = await node();
    const seen: number[] = [];
    const readMore = async () => {
      for (const id of await readAfter(reader, seen.at(-1) ?? 0)) {
        expect(id).toBeGreaterThan(seen.at(-1) ?? 0);
        seen.push(id);
      }
    };
    while (writing) {
      await readMore();
      await pause(1);
    }
    await writes;
    await readMore();
    return { seen, all: (await db().rows<{ id: number }>('SELECT id FROM messages ORDER BY id')).map((r) => r.id) };
  }

  it('a stream reading "messages after its cursor" while 4 nodes write misses no message', async () => {
    const chats: string[] = [];
    for (let i = 0; i < 4; i++) chats.push((await db().stores.conversations().createConversation({ lang: 'zh' })).conversation.id);
    // Each write stays open a few milliseconds after its insert (a unit of work with more to do): without the
    // message-order lock, a later id would commit first, the reader would move its cursor past the earlier one
    // and never read it.
    const { seen, all } = await readWhileWriting(
      (writer, w, i) =>
        writer.stores.unitOfWork().withTransaction(async () => {
          if (i % 3 === 2) await writer.stores.routing().addMessage(chats[w]!, { author: 'system', text: `note ${w}.${i}` });
          else await writer.stores.conversations().appendTurn(chats[(w + i) % chats.length]!, { visitorText: `v ${w}.${i}`, reply: { author: 'bot', text: `r ${w}.${i}` } });
          await pause(Math.random() * 6);
        }),
      async (reader, cursor) => (await reader.stores.transcripts().messagesAfter(chats, cursor, 1000)).map((m) => m.id),
    );
    expect(all).toHaveLength(4 * (10 * 2 + 5));
    // Read in pieces while the writes went on, the stream got every message, each once, in order.
    expect(seen).toEqual(all);
  });

  it('a first message retried on 5 nodes at once starts one conversation; every attempt gets it back', async () => {
    const firstTurn = { visitorText: '查话费', reply: { author: 'bot' as const, text: '发送 CXHF 到 10010' }, clientMessageId: 'm-1', receipt: { kind: 'bot' } };
    const results = await Promise.all(
      (await Promise.all(Array.from({ length: 5 }, () => node()))).map((n) =>
        n.stores.conversations().createConversation({ lang: 'zh', visitor: { visitorId: 'visitor-aaaaaaaaaaaa' }, firstTurn }),
      ),
    );
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(results.filter((r) => r.turn?.replay === undefined)).toHaveLength(1);
    expect(await db().value('SELECT count(*) FROM conversations')).toBe(1);
    expect(await db().value("SELECT count(*) FROM messages WHERE author = 'visitor'")).toBe(1);
  });

  it('a turn retried on 5 nodes at once is stored once; the handoff it asked for happens once', async () => {
    const { conversation } = await db().stores.conversations().createConversation({ lang: 'zh' });
    const turn = { visitorText: '转人工', clientMessageId: 'm-2', handoff: { reason: 'requested', decision: {}, group: 'mobile' }, expectStatus: 'bot' as const };
    const nodes = await Promise.all(Array.from({ length: 5 }, () => node()));
    const results = await Promise.all(nodes.map((n) => n.stores.conversations().appendTurn(conversation.id, turn)));
    expect(results.filter((r) => r.replay === undefined)).toHaveLength(1);
    // The retries answer as the first did (queued, first in line), not with a conflict on the status it changed.
    for (const r of results) expect(r).toMatchObject({ conversation: { status: 'queued' }, queuePosition: 1 });
    expect(new Set(results.map((r) => r.messages[0]!.id)).size).toBe(1);
    expect(await db().value("SELECT count(*) FROM messages WHERE author = 'visitor'")).toBe(1);
  });
  it('one-statement writes on 4 nodes (turns, first messages, notes: no transaction around them) commit in id order', async () => {
    // Each message's commit is held back a few milliseconds after its id was drawn (a trigger sleeps at the end of
    // the inserting statement): a writer that drew its ids before taking the message-order lock would now and then
    // commit a later id first, and the reader would step past the earlier one for good.
    await db().run(`CREATE FUNCTION test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(random() * 0.006); RETURN NULL; END $$`);
    await db().run('CREATE TRIGGER test_slow_commit AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_slow_commit()');
    const chats: string[] = [];
    for (let i = 0; i < 4; i++) chats.push((await db().stores.conversations().createConversation({ lang: 'zh' })).conversation.id);
    const { seen, all } = await readWhileWriting(
      (writer, w, i) => {
        const turn = { visitorText: `v ${w}.${i}`, reply: { author: 'bot' as const, text: `r ${w}.${i}` } };
        if (i % 3 === 0) return writer.stores.conversations().createConversation({ lang: 'zh', firstTurn: turn });
        if (i % 3 === 1) return writer.stores.conversations().appendTurn(chats[(w + i) % chats.length]!, { ...turn, expectStatus: 'bot' });
        return writer.stores.routing().addMessage(chats[w]!, { author: 'system', text: `note ${w}.${i}` });
      },
      async (reader, cursor) => (await reader.rows<{ id: number }>('SELECT id FROM messages WHERE id > ? ORDER BY id', [cursor])).map((r) => r.id),
    );
    expect(all).toHaveLength(4 * (10 * 2 + 5));
    expect(seen).toEqual(all);
  });

  it('a bot turn retried on 5 nodes at once is stored once, also when its statement did not see the first attempt', async () => {
    // The status stays 'bot', so every attempt passes the status check after waiting for the row; one whose
    // snapshot predates the first attempt's commit misses its message there, and the unique index on the client id
    // must turn that attempt into a replay instead of a second message (or an error).
    const { conversation } = await db().stores.conversations().createConversation({ lang: 'zh' });
    const turn = { visitorText: '查话费', reply: { author: 'bot' as const, text: '发送 CXHF 到 10010' }, clientMessageId: 'm-3', receipt: { kind: 'bot' }, expectStatus: 'bot' as const };
    const nodes = await Promise.all(Array.from({ length: 5 }, () => node()));
    const results = await Promise.all(nodes.map((n) => n.stores.conversations().appendTurn(conversation.id, turn)));
    expect(results.filter((r) => r.replay === undefined)).toHaveLength(1);
    // Every attempt answers with the first one's two messages and receipt.
    for (const r of results) expect(r.messages.map((m) => m.id)).toEqual(results.find((x) => !x.replay)!.messages.map((m) => m.id));
    for (const r of results.filter((x) => x.replay)) expect(r.replay).toEqual({ receipt: { kind: 'bot' } });
    expect(await db().value('SELECT count(*) FROM messages')).toBe(2);
  });
});
