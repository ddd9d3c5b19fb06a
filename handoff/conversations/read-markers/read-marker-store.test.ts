// The read markers on both engines: a side's marker moves forward only, only to a message of its own conversation,
// each side apart; two nodes marking at once leave the higher; an erased conversation takes its markers along.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine, type EngineDb } from '../../testing/engine-databases.ts';
import { createPostgresReadMarkerStore } from './postgres-read-marker-store.ts';
import { createSqliteReadMarkerStore } from './sqlite-read-marker-store.ts';
import type { ReadMarkerStore } from './read-marker-store.ts';

const AT = new Date('2025-03-03T01:00:00.000Z');
const later = (seconds: number) => new Date(AT.getTime() + seconds * 1000);

const storeOf = (db: EngineDb): ReadMarkerStore => (db.sqlite ? createSqliteReadMarkerStore(db.sqlite) : createPostgresReadMarkerStore(db.pg!));

/** Message rows of conversation `id` (author, text), returned as their ids in order. */
async function addMessages(db: EngineDb, id: string, authors: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const author of authors) {
    const row = await db.insert('messages', { conversation_id: id, author, text: `${author} says`, created_at: AT.toISOString() });
    ids.push(Number(row.id));
  }
  return ids;
}

describeEachEngine('the read marker store', (engine) => {
  const open = databases(engine);

  it('moves a side forward, keeps it when asked to go back or stay, and keeps the two sides apart', async () => {
    const db = await open();
    const store = storeOf(db);
    await addConversation(db, 'c1');
    const [v1, a1, v2, a2] = await addMessages(db, 'c1', ['visitor', 'agent', 'visitor', 'agent']);
    expect(await store.get('c1')).toEqual({});

    expect(await store.mark('c1', 'agent', v1!, AT)).toEqual({ kind: 'moved', state: { agent: { upTo: v1, at: AT.toISOString() } } });
    expect(await store.mark('c1', 'agent', v2!, later(1))).toEqual({ kind: 'moved', state: { agent: { upTo: v2, at: later(1).toISOString() } } });
    // Backwards and the same id again: kept as it was, time included.
    expect(await store.mark('c1', 'agent', v1!, later(2))).toEqual({ kind: 'kept', state: { agent: { upTo: v2, at: later(1).toISOString() } } });
    expect((await store.mark('c1', 'agent', v2!, later(3))).kind).toBe('kept');

    expect(await store.mark('c1', 'visitor', a1!, later(4))).toMatchObject({ kind: 'moved', state: { visitor: { upTo: a1 }, agent: { upTo: v2 } } });
    expect(await store.get('c1')).toEqual({
      visitor: { upTo: a1, at: later(4).toISOString() },
      agent: { upTo: v2, at: later(1).toISOString() },
    });
    expect((await store.mark('c1', 'visitor', a2!, later(5))).kind).toBe('moved');
    expect((await store.get('c1')).visitor?.upTo).toBe(a2);
  });

  it('refuses an id that is no message of this conversation (another chat\'s, unknown, not a positive integer)', async () => {
    const db = await open();
    const store = storeOf(db);
    await addConversation(db, 'mine');
    await addConversation(db, 'theirs');
    const [mine] = await addMessages(db, 'mine', ['visitor']);
    const [theirs] = await addMessages(db, 'theirs', ['agent']);
    for (const upTo of [theirs!, theirs! + 1000, 0, -1, 1.5, Number.NaN, 2 ** 60]) {
      expect(await store.mark('mine', 'visitor', upTo, AT), String(upTo)).toEqual({ kind: 'not_a_message' });
    }
    expect(await store.mark('nobody', 'visitor', mine!, AT)).toEqual({ kind: 'not_a_message' });
    expect(await store.get('mine')).toEqual({});
    expect(await store.get('nobody')).toEqual({});
  });

  it('two nodes marking at once leave the higher id, whatever order they land in', async () => {
    const db = await open();
    await addConversation(db, 'c2');
    const ids = await addMessages(db, 'c2', ['visitor', 'visitor', 'visitor', 'visitor', 'visitor', 'visitor']);
    const nodes = [storeOf(db), storeOf(await db.another()), storeOf(await db.another())];
    const outcomes = await Promise.all(ids.map((id, i) => nodes[i % nodes.length]!.mark('c2', 'agent', id, later(i))));
    expect(outcomes.some((o) => o.kind === 'moved')).toBe(true);
    expect((await nodes[0]!.get('c2')).agent?.upTo).toBe(Math.max(...ids));
  });

  it('an erased conversation takes its markers with it', async () => {
    const db = await open();
    const store = storeOf(db);
    await addConversation(db, 'gone');
    const [m] = await addMessages(db, 'gone', ['agent']);
    await store.mark('gone', 'visitor', m!, AT);
    // As an erasure does: the messages first, then the conversation.
    await db.run('DELETE FROM messages WHERE conversation_id = ?', ['gone']);
    await db.run('DELETE FROM conversations WHERE id = ?', ['gone']);
    expect(Number(await db.value('SELECT count(*) FROM read_markers'))).toBe(0);
    expect(await store.get('gone')).toEqual({});
  });
});
