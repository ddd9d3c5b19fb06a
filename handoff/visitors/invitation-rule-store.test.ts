// The invitation rule store on both engines: the admin's list replaced whole and read back in order, ids kept or
// given, callers unable to change the stored rules through what they read, and the first invitation of a chat
// kept; on PostgreSQL, a list saved through one node is what every other node's sweep reads next.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine } from '../testing/engine-databases.ts';
import type { InvitationRule } from './invitation-rules.ts';

const AT = new Date('2025-03-03T01:00:00.000Z');
const rule = (urlPattern: string, extra: Partial<InvitationRule> = {}) => ({
  urlPattern, dwellSeconds: 30, text: { zh: '需要帮助吗？', en: 'Need help?' }, enabled: true, ...extra,
});

describeEachEngine('invitation rule store', (engine) => {
  const open = databases(engine);

  it('replaces the whole list, in the order given, keeping given ids and making the others', async () => {
    const db = await open();
    const rules = db.stores.invitationRules();
    expect(await rules.list()).toEqual([]);
    const saved = await rules.replace([rule('/broadband/*', { id: 'r-bb' }), rule('/mall/**', { enabled: false, dwellSeconds: 90 })], AT);
    expect(saved).toEqual([
      { id: 'r-bb', ...rule('/broadband/*') },
      { id: saved[1]!.id, ...rule('/mall/**', { enabled: false, dwellSeconds: 90 }) },
    ]);
    expect(saved[1]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await rules.list()).toEqual(saved);
    const again = await rules.replace([rule('/roaming'), { ...saved[0]!, dwellSeconds: 45 }], AT);
    expect(again.map((r) => [r.urlPattern, r.dwellSeconds])).toEqual([['/roaming', 30], ['/broadband/*', 45]]);
    expect(again[1]!.id).toBe('r-bb');
    expect(await rules.replace([], AT)).toEqual([]);
  });

  it('hands out copies: changing what was read changes nothing stored', async () => {
    const db = await open();
    const rules = db.stores.invitationRules();
    await rules.replace([rule('/a')], AT);
    const [read] = await rules.list();
    read!.text.zh = 'changed';
    read!.dwellSeconds = 5;
    expect((await rules.list())[0]).toMatchObject({ dwellSeconds: 30, text: { zh: '需要帮助吗？' } });
  });

  it('keeps the first invitation a conversation was started from', async () => {
    const db = await open();
    await addConversation(db, 'c1');
    const rules = db.stores.invitationRules();
    expect(await rules.invitedBy('c1')).toBeUndefined();
    await rules.markInvited('c1', { id: 'inv-1', kind: 'agent', agentId: 'ag1' }, AT);
    await rules.markInvited('c1', { id: 'inv-2', kind: 'rule', ruleId: 'r1' }, AT);
    expect(await rules.invitedBy('c1')).toEqual({ invitationId: 'inv-1', kind: 'agent' });
  });

  // SQLite's store caches the list (its process is the only writer); PostgreSQL's is shared by nodes.
  it.runIf(engine.name === 'postgres')('reads on every node the list another node saved', async () => {
    const db = await open();
    const here = db.stores.invitationRules();
    const there = (await db.another()).stores.invitationRules();
    expect(await there.list()).toEqual([]);
    await here.replace([rule('/broadband/*', { id: 'r-bb' })], AT);
    expect((await there.list()).map((r) => r.id)).toEqual(['r-bb']);
    // Two admins saving at once on two nodes: one whole list, never a mix.
    await Promise.all([
      here.replace([rule('/a', { id: 'a1' }), rule('/a2', { id: 'a2' })], AT),
      there.replace([rule('/b', { id: 'b1' }), rule('/b2', { id: 'b2' }), rule('/b3', { id: 'b3' })], AT),
    ]);
    const ids = (await here.list()).map((r) => r.id);
    expect([['a1', 'a2'], ['b1', 'b2', 'b3']]).toContainEqual(ids);
  });
});
