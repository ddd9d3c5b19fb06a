// The participant store on both engines: invitations belong to one holding of a chat and are checked (the holder,
// twice, the last place) in one transaction; answers and departures move only from the right state; another holding
// starts empty; consult notes keep their order and are erased with the conversation, like its messages.
import { expect, it } from 'vitest';
import { ConflictError } from '../platform/errors.ts';
import { addConversation, databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import type { Holding, ParticipantStore } from './participant-store.ts';
import { createPostgresParticipantStore } from './postgres-participant-store.ts';
import { createSqliteParticipantStore } from './sqlite-participant-store.ts';

/** Each call moves the clock one second on. */
function ticking(): () => Date {
  let now = Date.parse('2025-03-03T01:00:00.000Z');
  return () => new Date((now += 1000));
}

const storeOf = (db: EngineDb, clock = ticking()): ParticipantStore =>
  db.sqlite ? createSqliteParticipantStore(db.sqlite, { clock }) : createPostgresParticipantStore(db.pg!, { clock });

const HOLDING: Holding = { conversationId: 'c1', ownerId: 'alice', ownerAssignedAt: '2025-03-03T00:59:00.000Z' };

async function conflictCode(work: Promise<unknown>): Promise<string> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConflictError);
  return (err as ConflictError).code;
}

describeEachEngine('the participant store', (engine) => {
  const open = databases(engine);

  it('invites a colleague into one holding, refuses the holder, a second invitation and one past the limit', async () => {
    const db = await open();
    await addConversation(db, 'c1', { status: 'assigned', agent_id: 'alice' });
    const store = storeOf(db);

    const bob = await store.invite(HOLDING, { agentId: 'bob', invitedBy: 'alice', note: '帮忙看一下账单', max: 2 });
    expect(bob).toMatchObject({ conversationId: 'c1', agentId: 'bob', ownerId: 'alice', invitedBy: 'alice', state: 'invited', note: '帮忙看一下账单' });
    expect(bob.joinedAt).toBeUndefined();
    expect(await conflictCode(store.invite(HOLDING, { agentId: 'alice', invitedBy: 'alice', max: 2 }))).toBe('holder');
    expect(await conflictCode(store.invite(HOLDING, { agentId: 'bob', invitedBy: 'boss', max: 2 }))).toBe('already_invited');
    await store.invite(HOLDING, { agentId: 'carol', invitedBy: 'boss', max: 2 });
    expect(await conflictCode(store.invite(HOLDING, { agentId: 'dave', invitedBy: 'alice', max: 2 }))).toBe('chat_full');

    expect((await store.current(HOLDING)).map((p) => [p.agentId, p.state, p.note])).toEqual([['bob', 'invited', '帮忙看一下账单'], ['carol', 'invited', '']]);
    expect((await store.open('bob')).map((p) => p.conversationId)).toEqual(['c1']);
  });

  it('moves invited to joined or declined and joined to left, never otherwise; who left may be invited again', async () => {
    const db = await open();
    await addConversation(db, 'c1', { status: 'assigned', agent_id: 'alice' });
    const store = storeOf(db);
    await store.invite(HOLDING, { agentId: 'bob', invitedBy: 'alice', max: 3 });
    await store.invite(HOLDING, { agentId: 'carol', invitedBy: 'alice', max: 3 });

    expect(await conflictCode(store.respond(HOLDING, 'bob', 'left'))).toBe('not_participant');
    const joined = await store.respond(HOLDING, 'bob', 'joined');
    expect(joined.state).toBe('joined');
    expect(joined.joinedAt).toBeDefined();
    expect(await conflictCode(store.respond(HOLDING, 'bob', 'joined'))).toBe('no_invitation');
    expect(await conflictCode(store.respond(HOLDING, 'dave', 'joined'))).toBe('no_invitation');
    expect((await store.respond(HOLDING, 'carol', 'declined')).state).toBe('declined');
    expect((await store.current(HOLDING)).map((p) => p.agentId)).toEqual(['bob']);

    const left = await store.respond(HOLDING, 'bob', 'left');
    expect(left).toMatchObject({ state: 'left', joinedAt: joined.joinedAt });
    expect(left.endedAt).toBeDefined();
    expect(await store.current(HOLDING)).toEqual([]);
    expect(await store.open('bob')).toEqual([]);
    expect((await store.invite(HOLDING, { agentId: 'bob', invitedBy: 'alice', max: 3 })).state).toBe('invited');
  });

  it('keeps holdings apart: another holding starts empty, and the old one\'s open rows can be marked ended', async () => {
    const db = await open();
    await addConversation(db, 'c1', { status: 'assigned', agent_id: 'alice' });
    const store = storeOf(db);
    const old = await store.invite(HOLDING, { agentId: 'bob', invitedBy: 'alice', max: 1 });
    await store.respond(HOLDING, 'bob', 'joined');
    // Transferred to carol (or requeued and taken again): a new holding.
    const next: Holding = { conversationId: 'c1', ownerId: 'carol', ownerAssignedAt: '2025-03-03T02:00:00.000Z' };
    expect(await store.current(next)).toEqual([]);
    expect(await conflictCode(store.respond(next, 'bob', 'left'))).toBe('not_participant');
    expect((await store.invite(next, { agentId: 'bob', invitedBy: 'carol', max: 1 })).ownerId).toBe('carol');
    expect((await store.open('bob')).map((p) => p.ownerId)).toEqual(['alice', 'carol']);

    await store.expire([old.id]);
    expect((await store.open('bob')).map((p) => p.ownerId)).toEqual(['carol']);
    expect(await db.value('SELECT state FROM conversation_participants WHERE id = ?', [old.id])).toBe('ended');
  });

  it('gives the last place to exactly one of two invitations racing from two connections', async () => {
    const db = await open();
    await addConversation(db, 'c1', { status: 'assigned', agent_id: 'alice' });
    const a = storeOf(db);
    const b = storeOf(await db.another());
    const results = await Promise.allSettled([
      a.invite(HOLDING, { agentId: 'bob', invitedBy: 'alice', max: 1 }),
      b.invite(HOLDING, { agentId: 'carol', invitedBy: 'boss', max: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as ConflictError).code).toBe('chat_full');
    expect(await a.current(HOLDING)).toHaveLength(1);
  });

  it('keeps consult notes in order, the newest when limited, finds those asked of a colleague, and erases them with the chat', async () => {
    const db = await open();
    await addConversation(db, 'c1', { status: 'assigned', agent_id: 'alice' });
    await addConversation(db, 'c2', { status: 'assigned', agent_id: 'carol' });
    const store = storeOf(db);
    const n1 = await store.addNote('c1', { authorId: 'alice', toAgentId: 'bob', text: '这个套餐能退吗？' });
    const n2 = await store.addNote('c1', { authorId: 'bob', toAgentId: 'alice', text: '七天内可以' });
    const n3 = await store.addNote('c1', { authorId: 'alice', text: 'thanks' });
    await store.addNote('c2', { authorId: 'carol', toAgentId: 'bob', text: 'another chat' });
    expect(n1).toMatchObject({ conversationId: 'c1', authorId: 'alice', toAgentId: 'bob', text: '这个套餐能退吗？' });
    expect(n3.toAgentId).toBeUndefined();
    expect((await store.notes('c1', 10)).map((n) => n.id)).toEqual([n1.id, n2.id, n3.id]);
    expect((await store.notes('c1', 2)).map((n) => n.id)).toEqual([n2.id, n3.id]);
    expect((await store.askedOf('bob', 10)).map((n) => n.conversationId)).toEqual(['c2', 'c1']);

    await store.invite(HOLDING, { agentId: 'bob', invitedBy: 'alice', max: 2 });
    const erased = await db.stores.visitorTranscripts().delete(['c1']);
    expect(erased.conversations).toBe(1);
    expect(await store.notes('c1', 10)).toEqual([]);
    expect(await store.current(HOLDING)).toEqual([]);
    expect(Number(await db.value('SELECT count(*) FROM consult_notes'))).toBe(1);
  });

  it('refuses a note over 2000 characters or empty in the schema itself', async () => {
    const db = await open();
    await addConversation(db, 'c1', { status: 'assigned', agent_id: 'alice' });
    const store = storeOf(db);
    await expect(store.addNote('c1', { authorId: 'alice', text: '' })).rejects.toThrow();
    await expect(store.addNote('c1', { authorId: 'alice', text: 'x'.repeat(2001) })).rejects.toThrow();
  });
});
