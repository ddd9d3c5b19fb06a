import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../testing/silent-log.ts';
import { ConflictError, ValidationError } from '../platform/errors.ts';
import { createPresenceService } from './presence-service.ts';
import { createRouting } from './routing.ts';
import { routingKit, T0, type RoutingKit, type RoutingKitOptions } from '../testing/routing-test-kit.ts';

let kits: RoutingKit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function setup(options: RoutingKitOptions = {}): RoutingKit {
  const kit = routingKit(options);
  kits.push(kit);
  return kit;
}

const beijing = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);

async function statusOf(kit: RoutingKit, id: string) {
  return kit.store.get(id);
}

async function authors(kit: RoutingKit, id: string) {
  return (await kit.conversations.listMessages(id)).map((m) => `${m.author}:${m.kind ?? ''}`);
}

describe('availability', () => {
  it('outside hours: closed with the next opening (21:31 Beijing -> 08:30 tomorrow)', async () => {
    const kit = setup({ start: beijing('2025-03-03', '21:31') });
    kit.agents.add({ id: 'a' });
    await kit.online('a');
    const availability = await kit.routing.availability('mobile');
    expect(availability).toMatchObject({ kind: 'outside_hours', group: { id: 'mobile' }, timeZone: 'Asia/Shanghai' });
    expect(availability.kind === 'outside_hours' && availability.opensAt).toEqual(beijing('2025-03-04', '08:30'));
    kit.time.set(beijing('2025-03-03', '21:29'));
    expect((await kit.routing.availability('mobile')).kind).toBe('open');
  });

  it('a group with its own hours (09:00-22:00) is open at 21:31 while the default ones are closed', async () => {
    const kit = setup({ start: beijing('2025-03-03', '21:31') });
    await kit.groups.put({ id: 'xinjiang', name: '新疆', hours: { timeZone: 'Asia/Shanghai', open: '09:00', close: '22:00', days: [1, 2, 3, 4, 5, 6, 7] } });
    kit.agents.add({ id: 'x', groups: ['xinjiang'] });
    kit.agents.add({ id: 'm', groups: ['mobile'] });
    await kit.online('x', 'm');
    expect((await kit.routing.availability('xinjiang')).kind).toBe('open');
    expect((await kit.routing.availability('mobile')).kind).toBe('outside_hours');
  });

  it('BUSINESS_HOURS=always opens every group round the clock', async () => {
    const kit = setup({ start: beijing('2025-03-03', '03:00'), groups: { alwaysOpen: true } });
    kit.agents.add({ id: 'a' });
    await kit.online('a');
    expect((await kit.routing.availability('mobile')).kind).toBe('open');
  });

  it('nobody of the group there: no_agents; an away agent counts as there; unknown groups use the default', async () => {
    const kit = setup();
    kit.agents.add({ id: 'b', groups: ['billing'] });
    await kit.online('b');
    expect((await kit.routing.availability('mobile')).kind).toBe('no_agents');
    expect((await kit.routing.availability('billing')).kind).toBe('open');
    kit.agents.add({ id: 'm', groups: ['mobile'] });
    await kit.online('m');
    kit.presence.setStatus('m', 'away');
    expect((await kit.routing.availability('mobile')).kind).toBe('open');
    expect(await kit.routing.availability('no-such-group')).toMatchObject({ kind: 'open', group: { id: 'mobile' } });
    expect(await kit.routing.availability(undefined)).toMatchObject({ group: { id: 'mobile' } });
  });
});

describe('auto-assignment', () => {
  it('gives a new chat to the online agent of the group with the fewest active chats', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    kit.agents.add({ id: 'other', groups: ['billing'] });
    await kit.online('a', 'b', 'other');
    const first = await kit.queued();
    expect(await kit.routing.enqueued(first.id)).toEqual({ kind: 'assigned', agent: { id: 'a', displayName: 'Agent a' } });
    const second = await kit.queued();
    expect(await kit.routing.enqueued(second.id)).toMatchObject({ kind: 'assigned', agent: { id: 'b' } });
    expect(await statusOf(kit, second.id)).toMatchObject({ status: 'assigned', agentId: 'b', groupId: 'mobile' });
    // The visitor hears who joined; the agent's stream hears it is theirs.
    expect(kit.hub.on(`conversation:${first.id}`, 'status').at(-1)).toEqual({
      type: 'status',
      conversationId: first.id,
      status: 'assigned',
      agent: { id: 'a', displayName: 'Agent a' },
    });
    expect(kit.hub.on('agent:a', 'assigned')).toEqual([{ type: 'assigned', conversationId: first.id, agentId: 'a' }]);
    expect(await kit.routing.visitorState(first.id)).toEqual({ status: 'assigned', agent: { displayName: 'Agent a' } });
    expect(await kit.routing.heldConversationIds('a')).toEqual([first.id]);
    const joined = (await kit.conversations.listMessages(first.id)).at(-1)!;
    expect(joined).toMatchObject({ author: 'system', kind: 'agent_joined', text: '客服 Agent a 已接入，正在为您服务。' });
    expect(kit.hub.on(`conversation:${first.id}`, 'message').at(-1)).toEqual({ type: 'message', conversationId: first.id, message: joined });
  });

  it('round-robin on ties: equally loaded agents take turns, least recently assigned first', async () => {
    const kit = setup();
    for (const id of ['a', 'b', 'c']) kit.agents.add({ id, capacity: 5 });
    await kit.online('a', 'b', 'c');
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      kit.time.advance(1000);
      const chat = await kit.queued();
      const outcome = await kit.routing.enqueued(chat.id);
      order.push(outcome.kind === 'assigned' ? outcome.agent.id : outcome.kind);
      // Closing at once keeps everyone at 0 active chats: only the rotation decides.
      await kit.routing.close(chat.id, { kind: 'visitor' });
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('respects capacity: a full agent gets nothing more; a freed slot takes the oldest waiting chat', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', capacity: 2 });
    await kit.online('a');
    const chats = [];
    for (let i = 0; i < 4; i++) {
      kit.time.advance(1000);
      chats.push(await kit.queued());
    }
    const outcomes = [];
    for (const chat of chats) outcomes.push(await kit.routing.enqueued(chat.id));
    expect(outcomes.map((o) => o.kind)).toEqual(['assigned', 'assigned', 'queued', 'queued']);
    expect(outcomes[2]).toMatchObject({ position: 1 });
    expect(outcomes[3]).toMatchObject({ position: 2 });
    expect(await kit.store.activeCounts()).toEqual(new Map([['a', 2]]));

    await kit.routing.close(chats[0]!.id, { kind: 'agent', agent: (await kit.agents.get('a'))! });
    expect(await statusOf(kit, chats[2]!.id)).toMatchObject({ status: 'assigned', agentId: 'a' });
    expect(await statusOf(kit, chats[3]!.id)).toMatchObject({ status: 'queued' });
    expect(kit.hub.on(`conversation:${chats[3]!.id}`, 'queue_position').at(-1)).toMatchObject({ position: 1 });
  });

  it('an agent coming online takes the waiting chats of their groups, front first, up to capacity', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', capacity: 2, groups: ['mobile', 'billing'] });
    const mobile = await kit.queued('mobile');
    kit.time.advance(1000);
    const billing = await kit.queued('billing');
    kit.time.advance(1000);
    const third = await kit.queued('mobile');
    for (const chat of [mobile, billing, third]) expect((await kit.routing.enqueued(chat.id)).kind).toBe('queued');
    await kit.online('a');
    expect((await statusOf(kit, mobile.id)).status).toBe('assigned');
    expect((await statusOf(kit, billing.id)).status).toBe('assigned');
    expect((await statusOf(kit, third.id)).status).toBe('queued');
  });

  it('agents away or busy get no new chats', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    await kit.online('a');
    kit.presence.setStatus('a', 'busy');
    await kit.routing.settled();
    const chat = await kit.queued();
    expect((await kit.routing.enqueued(chat.id)).kind).toBe('queued');
    kit.presence.setStatus('a', 'online');
    await kit.routing.settled();
    expect((await statusOf(kit, chat.id)).agentId).toBe('a');
  });
});

describe('queue positions and waiting times', () => {
  it('pushes each waiting visitor their new place when the queue moves', async () => {
    const kit = setup();
    const chats = [];
    for (let i = 0; i < 3; i++) {
      kit.time.advance(1000);
      const chat = await kit.queued();
      chats.push(chat);
      await kit.routing.enqueued(chat.id);
    }
    const positions = (id: string) => kit.hub.on(`conversation:${id}`, 'queue_position').map((e) => (e as { position: number }).position);
    expect(chats.map((c) => positions(c.id))).toEqual([[1], [2], [3]]);
    // Nobody measured yet: 120 s per place, one slot.
    expect(kit.hub.on(`conversation:${chats[2]!.id}`, 'queue_position')[0]).toMatchObject({ etaSeconds: 360 });

    await kit.routing.close(chats[0]!.id, { kind: 'visitor' });
    expect(chats.map((c) => positions(c.id))).toEqual([[1], [2, 1], [3, 2]]);
    expect(kit.hub.on('queue', 'queue_changed').length).toBeGreaterThan(0);
    expect(await kit.routing.standing(chats[2]!.id)).toEqual({ position: 2, etaSeconds: 240 });
    expect(await kit.routing.visitorState(chats[2]!.id)).toEqual({ status: 'queued', queue: { position: 2, etaSeconds: 240 } });
    expect(await kit.routing.visitorState(chats[0]!.id)).toEqual({ status: 'closed' });
    expect(await kit.routing.standing(chats[0]!.id)).toBeUndefined();
  });

  it('queues are per group', async () => {
    const kit = setup();
    const m = await kit.queued('mobile');
    const b = await kit.queued('billing');
    expect(await kit.routing.standing(m.id)).toMatchObject({ position: 1 });
    expect(await kit.routing.standing(b.id)).toMatchObject({ position: 1 });
  });

  it('estimates from the median handling time of recent chats, spread over the online agents’ slots', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', capacity: 1 });
    await kit.online('a');
    const a = (await kit.agents.get('a'))!;
    for (const seconds of [60, 60, 90, 30, 600]) {
      const chat = await kit.queued();
      await kit.routing.enqueued(chat.id);
      kit.time.advance(seconds * 1000);
      await kit.routing.close(chat.id, { kind: 'agent', agent: a });
    }
    // a is full with this one; the median of 30, 60, 60, 90, 600 is 60 s per chat, one slot.
    const held = await kit.queued();
    await kit.routing.enqueued(held.id);
    const waiting = await kit.queued();
    expect(await kit.routing.enqueued(waiting.id)).toEqual({ kind: 'queued', position: 1, etaSeconds: 60 });
    // Another online agent of the group (full too) doubles the slots.
    kit.agents.add({ id: 'b', capacity: 1 });
    await kit.online('b');
    const next = await kit.queued();
    expect(await kit.routing.enqueued(next.id)).toEqual({ kind: 'queued', position: 1, etaSeconds: 30 });
  });
});

describe('take', () => {
  it('one winner among concurrent takes; the others get ConflictError', async () => {
    const kit = setup();
    const agents = Array.from({ length: 10 }, (_, i) => kit.agents.add({ id: `t${i}` }));
    const chat = await kit.queued();
    const results = await Promise.allSettled(agents.map((agent) => kit.routing.take(chat.id, agent)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(9);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(kit.hub.on(`conversation:${chat.id}`, 'status')).toHaveLength(1);
  });

  it('respects capacity and groups; admins take from any group; taking one’s own chat again is fine', async () => {
    const kit = setup();
    const a = kit.agents.add({ id: 'a', capacity: 1 });
    const admin = kit.agents.add({ id: 'admin', role: 'admin', groups: [] });
    const first = await kit.queued();
    const second = await kit.queued();
    const billing = await kit.queued('billing');
    expect(await kit.routing.take(first.id, a)).toMatchObject({ agentId: 'a', alreadyHeld: false });
    expect(await kit.routing.take(first.id, a)).toMatchObject({ alreadyHeld: true });
    await expect(kit.routing.take(second.id, a)).rejects.toThrow(/capacity/);
    await expect(kit.routing.take(billing.id, kit.agents.add({ id: 'm2' }))).rejects.toThrow(/not one of yours/);
    expect(await kit.routing.take(billing.id, admin)).toMatchObject({ agentId: 'admin' });
  });
});

describe('requeue when an agent stays disconnected', () => {
  it('puts the agent’s chats back at the FRONT of their queue after the grace period', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a', capacity: 2 });
    await kit.online('a');
    const held1 = await kit.queued();
    await kit.routing.enqueued(held1.id);
    kit.time.advance(1000);
    const held2 = await kit.queued();
    await kit.routing.enqueued(held2.id);
    kit.time.advance(1000);
    const waiting = await kit.queued();
    expect(await kit.routing.enqueued(waiting.id)).toMatchObject({ kind: 'queued', position: 1 });

    kit.presence.disconnected('a');
    kit.time.advance(29_000);
    await kit.routing.settled();
    expect((await statusOf(kit, held1.id)).status).toBe('assigned');

    kit.time.advance(1000);
    await kit.routing.settled();
    expect(kit.presence.status('a')).toBe('offline');
    expect((await kit.store.queue(['mobile'])).map((e) => e.id)).toEqual([held1.id, held2.id, waiting.id]);
    expect(await statusOf(kit, held1.id)).toMatchObject({ status: 'queued' });
    expect(await statusOf(kit, held1.id)).not.toHaveProperty('agentId');
    expect(kit.hub.on(`conversation:${held1.id}`, 'queue_position').at(-1)).toMatchObject({ position: 1 });
    expect(kit.hub.on(`conversation:${waiting.id}`, 'queue_position').at(-1)).toMatchObject({ position: 3 });
    expect((await authors(kit, held1.id)).at(-1)).toBe('system:requeued');

    // The next agent to come online gets the requeued ones first.
    kit.agents.add({ id: 'b', capacity: 1 });
    await kit.online('b');
    expect(await statusOf(kit, held1.id)).toMatchObject({ status: 'assigned', agentId: 'b' });
  });

  it('a requeue the database refuses (briefly unreachable) is tried again until done, once; not once the agent is back', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    await kit.online('a', 'b');
    const chatA = await kit.queued();
    await kit.routing.enqueued(chatA.id);
    const chatB = await kit.queued();
    await kit.routing.enqueued(chatB.id);
    expect([(await statusOf(kit, chatA.id)).agentId, (await statusOf(kit, chatB.id)).agentId].sort()).toEqual(['a', 'b']);
    const holderOf = async (id: string) => (await statusOf(kit, id)).agentId;
    const aChat = (await holderOf(chatA.id)) === 'a' ? chatA : chatB;
    const bChat = aChat === chatA ? chatB : chatA;
    // Away: a's requeued chat then waits in the queue, where it can be seen, instead of going to b.
    kit.presence.setStatus('b', 'away');
    // The store refuses as PostgreSQL does while it restarts, twice for a, for as long as asked for b.
    const real = kit.store.requeueAgent.bind(kit.store);
    const refusals = new Map([['a', 2], ['b', Infinity]]);
    const attempts = new Map<string, number>();
    kit.store.requeueAgent = async (agentId) => {
      attempts.set(agentId, (attempts.get(agentId) ?? 0) + 1);
      const left = refusals.get(agentId) ?? 0;
      if (left > 0) {
        refusals.set(agentId, left - 1);
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      }
      return real(agentId);
    };

    kit.presence.disconnected('a');
    kit.time.advance(30_000);
    // Its listener ran once, when a went offline: the retries (1 s, then 2 s) are what puts the chat back.
    await kit.routing.settled();
    expect(await statusOf(kit, aChat.id)).toMatchObject({ status: 'queued' });
    expect((await authors(kit, aChat.id)).filter((x) => x === 'system:requeued')).toHaveLength(1);
    expect(attempts.get('a')).toBe(3);

    // b goes offline while the store refuses, and comes back before it accepts: the chat stays b's.
    kit.presence.disconnected('b');
    kit.time.advance(30_000);
    // The first attempt has failed (the retry waits 1 s) when b's console reconnects and the store recovers.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts.get('b')).toBe(1);
    kit.presence.connected('b');
    refusals.set('b', 0);
    await kit.routing.settled();
    expect(await statusOf(kit, bChat.id)).toMatchObject({ status: 'assigned', agentId: 'b' });
    expect(attempts.get('b')).toBe(1);
  }, 15_000);

  it('a reconnect within the grace period keeps the chats', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    await kit.online('a');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id);
    kit.presence.disconnected('a');
    kit.time.advance(20_000);
    kit.presence.connected('a');
    kit.time.advance(60_000);
    await kit.routing.settled();
    expect(await statusOf(kit, chat.id)).toMatchObject({ status: 'assigned', agentId: 'a' });
  });

  it('after a restart, holders get one grace period to come back', async () => {
    const kit = setup();
    kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b' });
    await kit.online('a', 'b');
    const chatA = await kit.queued();
    await kit.routing.enqueued(chatA.id);
    const chatB = await kit.queued();
    await kit.routing.enqueued(chatB.id);
    expect((await statusOf(kit, chatB.id)).agentId).toBe('b');

    // A new process on the same database: no connections yet.
    const presence = createPresenceService({ hub: kit.hub, timers: kit.time.timers }, { graceMs: 30_000 });
    const routing = createRouting({
      store: kit.store,
      conversations: kit.conversations,
      groups: kit.groups,
      agents: kit.agents,
      presence,
      hub: kit.hub,
      clock: kit.time.clock,
      logger: silentLog,
    });
    await routing.recover();
    expect(presence.status('a')).toBe('away');
    presence.connected('a');
    kit.time.advance(30_000);
    await routing.settled();
    expect(await statusOf(kit, chatA.id)).toMatchObject({ status: 'assigned', agentId: 'a' });
    // b never came back: their chat waits again, and a (online, with room) takes it.
    expect(await statusOf(kit, chatB.id)).toMatchObject({ status: 'assigned', agentId: 'a' });
    routing.dispose();
    presence.close();
  });
});

describe('transfer', () => {
  it('to an online agent, with a note for agents only', async () => {
    const kit = setup();
    const a = kit.agents.add({ id: 'a' });
    kit.agents.add({ id: 'b', displayName: '李娜' });
    await kit.online('a');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id);
    await kit.online('b');
    const transfer = await kit.routing.transfer(chat.id, a, { agent: 'b', note: '客户要办宽带移机' });
    expect(transfer).toMatchObject({ fromAgentId: 'a', toAgentId: 'b', note: '客户要办宽带移机' });
    expect(await statusOf(kit, chat.id)).toMatchObject({ status: 'assigned', agentId: 'b' });
    const visitorTransfer = kit.hub.on(`conversation:${chat.id}`, 'transfer');
    expect(visitorTransfer).toEqual([{ type: 'transfer', conversationId: chat.id, from: 'a', toAgent: 'b' }]);
    expect(kit.hub.on('agent:b', 'transfer')).toEqual([{ type: 'transfer', conversationId: chat.id, from: 'a', toAgent: 'b', note: '客户要办宽带移机' }]);
    expect(kit.hub.on('agent:b', 'assigned')).toEqual([{ type: 'assigned', conversationId: chat.id, agentId: 'b' }]);
    expect((await authors(kit, chat.id)).slice(-2)).toEqual(['system:transferred', 'system:agent_joined']);
    expect((await kit.conversations.listMessages(chat.id)).at(-1)!.text).toContain('李娜');
    expect(await kit.store.transfers(chat.id)).toHaveLength(1);
    // The chat is not a's anymore.
    await expect(kit.routing.sendAgentMessage(chat.id, a, 'hello')).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses an offline or full target, and a chat one does not hold', async () => {
    const kit = setup();
    const a = kit.agents.add({ id: 'a' });
    const b = kit.agents.add({ id: 'b', capacity: 1 });
    kit.agents.add({ id: 'c' });
    await kit.online('a', 'b');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id); // a
    const other = await kit.queued();
    await kit.routing.enqueued(other.id); // b, now full
    await expect(kit.routing.transfer(chat.id, a, { agent: 'c' })).rejects.toThrow(/offline/);
    await expect(kit.routing.transfer(chat.id, a, { agent: 'b' })).rejects.toThrow(/capacity/);
    await expect(kit.routing.transfer(chat.id, a, { agent: 'nobody' })).rejects.toBeInstanceOf(ValidationError);
    await expect(kit.routing.transfer(chat.id, b, { agent: 'b' })).rejects.toThrow(/not yours/);
    await expect(kit.routing.transfer(chat.id, a, { group: 'nope' })).rejects.toBeInstanceOf(ValidationError);
    await expect(kit.routing.transfer(chat.id, a, {})).rejects.toBeInstanceOf(ValidationError);
    expect(await statusOf(kit, chat.id)).toMatchObject({ agentId: 'a' });
  });

  it('to a group: the front of that group’s queue, then its agents as they have room', async () => {
    const kit = setup();
    const a = kit.agents.add({ id: 'a', groups: ['mobile'] });
    kit.agents.add({ id: 'bill', groups: ['billing'], capacity: 1 });
    await kit.online('a', 'bill');
    const billingChat = await kit.queued('billing');
    await kit.routing.enqueued(billingChat.id); // bill, now full
    const waitingBilling = await kit.queued('billing');
    await kit.routing.enqueued(waitingBilling.id);
    const chat = await kit.queued('mobile');
    await kit.routing.enqueued(chat.id); // a

    await kit.routing.transfer(chat.id, a, { group: 'billing', note: '账单问题' });
    expect(await statusOf(kit, chat.id)).toMatchObject({ status: 'queued', groupId: 'billing' });
    expect(await statusOf(kit, chat.id)).not.toHaveProperty('agentId');
    expect((await kit.store.queue(['billing'])).map((e) => e.id)).toEqual([chat.id, waitingBilling.id]);
    expect(kit.hub.on('queue', 'transfer')).toEqual([{ type: 'transfer', conversationId: chat.id, from: 'a', toGroup: 'billing', note: '账单问题' }]);
    expect(kit.hub.on(`conversation:${chat.id}`, 'queue_position').at(-1)).toMatchObject({ position: 1 });

    await kit.routing.close(billingChat.id, { kind: 'agent', agent: (await kit.agents.get('bill'))! });
    expect(await statusOf(kit, chat.id)).toMatchObject({ status: 'assigned', agentId: 'bill' });
  });

  it('refuses a group that is closed or has nobody there', async () => {
    const kit = setup({ start: beijing('2025-03-03', '21:00') });
    const a = kit.agents.add({ id: 'a' });
    await kit.online('a');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id);
    await expect(kit.routing.transfer(chat.id, a, { group: 'broadband' })).rejects.toThrow(/nobody/);
    await kit.groups.put({ id: 'early', name: 'Early', hours: { timeZone: 'Asia/Shanghai', open: '08:00', close: '17:00', days: [1, 2, 3, 4, 5, 6, 7] } });
    await expect(kit.routing.transfer(chat.id, a, { group: 'early' })).rejects.toThrow(/closed until/);
  });
});

describe('close', () => {
  it('by the agent: closed, noted, a closure recorded with the handling time; only the holder or an admin', async () => {
    const kit = setup();
    const a = kit.agents.add({ id: 'a' });
    const b = kit.agents.add({ id: 'b' });
    const admin = kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    await kit.online('a');
    const chat = await kit.queued();
    await kit.routing.enqueued(chat.id);
    kit.time.advance(95_000);
    await expect(kit.routing.close(chat.id, { kind: 'agent', agent: b })).rejects.toBeInstanceOf(ConflictError);
    expect(await kit.routing.close(chat.id, { kind: 'agent', agent: a })).toEqual({
      conversationId: chat.id,
      status: 'closed',
      closedBy: 'agent',
      alreadyClosed: false,
    });
    expect(await kit.store.latestClosure(chat.id)).toMatchObject({ agentId: 'a', groupId: 'mobile', closedBy: 'agent', handlingSeconds: 95 });
    expect(kit.hub.on(`conversation:${chat.id}`, 'closed')).toEqual([{ type: 'closed', conversationId: chat.id, by: 'agent' }]);
    expect((await authors(kit, chat.id)).at(-1)).toBe('system:closed');
    expect(await kit.routing.close(chat.id, { kind: 'agent', agent: a })).toMatchObject({ alreadyClosed: true });

    const another = await kit.queued();
    await kit.routing.enqueued(another.id);
    expect(await kit.routing.close(another.id, { kind: 'agent', agent: admin })).toMatchObject({ closedBy: 'agent', alreadyClosed: false });
  });

  it('idle chats close after the configured time; any message keeps a chat alive', async () => {
    const kit = setup({ routing: { idleCloseMs: 10 * 60_000, idleSweepIntervalMs: 60_000 } });
    const a = kit.agents.add({ id: 'a' });
    await kit.online('a');
    const quiet = await kit.queued();
    await kit.routing.enqueued(quiet.id);
    const chatty = await kit.queued();
    await kit.routing.enqueued(chatty.id);
    const stop = kit.routing.startIdleSweep();
    // Minute by minute, letting each sweep finish as it would between real ticks.
    const minutes = async (n: number) => {
      for (let i = 0; i < n; i++) {
        kit.time.advance(60_000);
        await kit.routing.settled();
      }
    };

    await minutes(5);
    await kit.routing.sendAgentMessage(chatty.id, a, '还在吗？');
    await minutes(5);
    expect((await statusOf(kit, quiet.id)).status).toBe('assigned'); // exactly 10 min: not yet
    await minutes(1);
    expect(await statusOf(kit, quiet.id)).toMatchObject({ status: 'closed', closedBy: 'idle' });
    expect((await authors(kit, quiet.id)).at(-1)).toBe('system:closed_idle');
    expect((await statusOf(kit, chatty.id)).status).toBe('assigned');

    await minutes(5);
    expect(await statusOf(kit, chatty.id)).toMatchObject({ status: 'closed', closedBy: 'idle' });
    stop();
    expect(await kit.routing.closeIdle()).toBe(0);
  });
});

it('T0 is within default business hours (fixture sanity)', () => {
  expect(T0.toISOString()).toBe('2025-03-03T02:00:00.000Z');
});
