// The Redis hub on a real Redis: two links with their own node ids on one prefix are two nodes of one deployment.
import { afterEach, expect, it } from 'vitest';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import type { LiveEvent } from '../platform/hub.ts';
import { createRedisLink, type RedisLink } from './redis-link.ts';
import { createRedisHub, type RedisHub } from './redis-hub.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function node(prefix: string, nodeId: string, errors: unknown[] = []): Promise<{ link: RedisLink; hub: RedisHub }> {
  const link = createRedisLink(testRedisUrl(), { prefix, nodeId });
  const hub = createRedisHub(link, { onListenerError: (err) => errors.push(err), onError: (err) => errors.push(err) });
  await hub.start();
  cleanups.push(async () => {
    await hub.stop();
    await link.close();
  });
  return { link, hub };
}

async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const message: LiveEvent = {
  type: 'message',
  conversationId: 'c1',
  message: { id: 42, conversationId: 'c1', author: 'agent', text: '您好，我是客服小李', agentId: 'a1', createdAt: '2025-03-03T02:00:00.000Z' },
};

describeWithServices('redis hub', () => {
  it('delivers across nodes both ways, at once locally, and never back to the publisher', async () => {
    const prefix = testRedisPrefix();
    const a = await node(prefix, 'node-a');
    const b = await node(prefix, 'node-b');
    const onA: LiveEvent[] = [];
    const onB: LiveEvent[] = [];
    a.hub.subscribe('conversation:c1', (e) => onA.push(e));
    b.hub.subscribe('conversation:c1', (e) => onB.push(e));

    a.hub.publish('conversation:c1', message);
    // Local listeners hear it synchronously, as with the in-process hub.
    expect(onA).toEqual([message]);
    await eventually(() => onB.length === 1);
    // The copy another node gets is the event itself (JSON all the way: ids, texts, ISO dates).
    expect(onB).toEqual([message]);

    const typing: LiveEvent = { type: 'typing', conversationId: 'c1', author: 'visitor', typing: true };
    b.hub.publish('conversation:c1', typing);
    await eventually(() => onA.length === 2);
    expect(onA).toEqual([message, typing]);
    // Give a stray echo time to arrive: each node heard each event exactly once.
    await new Promise((r) => setTimeout(r, 150));
    expect(onA).toHaveLength(2);
    expect(onB).toEqual([message, typing]);
  });

  it('keeps topics apart, and keeps the order of one publisher', async () => {
    const prefix = testRedisPrefix();
    const a = await node(prefix, 'node-a');
    const b = await node(prefix, 'node-b');
    const queue: LiveEvent[] = [];
    const agent: LiveEvent[] = [];
    b.hub.subscribe('queue', (e) => queue.push(e));
    b.hub.subscribe('agent:a1', (e) => agent.push(e));
    for (let i = 0; i < 50; i++) a.hub.publish('queue', { type: 'queue_position', conversationId: `c${i}`, position: i, etaSeconds: i * 60 });
    a.hub.publish('agent:a1', { type: 'assigned', conversationId: 'c9', agentId: 'a1' });
    await eventually(() => queue.length === 50 && agent.length === 1);
    expect(queue.map((e) => (e.type === 'queue_position' ? e.position : -1))).toEqual([...Array(50).keys()]);
    expect(agent).toEqual([{ type: 'assigned', conversationId: 'c9', agentId: 'a1' }]);
  });

  it('a deployment under another prefix hears nothing', async () => {
    const a = await node(testRedisPrefix(), 'node-a');
    const other = await node(testRedisPrefix(), 'node-b');
    const heard: LiveEvent[] = [];
    other.hub.subscribe('queue', (e) => heard.push(e));
    const control: LiveEvent[] = [];
    const same = await node(a.link.key(''), 'node-c');
    same.hub.subscribe('queue', (e) => control.push(e));
    a.hub.publish('queue', { type: 'queue_changed' });
    // The node on the same prefix hearing it shows the event went out; the other prefix still has nothing.
    await eventually(() => control.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
  });

  it('a throwing listener harms no other, on the publishing node and on the receiving one', async () => {
    const prefix = testRedisPrefix();
    const errorsA: unknown[] = [];
    const errorsB: unknown[] = [];
    const a = await node(prefix, 'node-a', errorsA);
    const b = await node(prefix, 'node-b', errorsB);
    const onA: LiveEvent[] = [];
    const onB: LiveEvent[] = [];
    const boom = () => {
      throw new Error('listener bug');
    };
    a.hub.subscribe('queue', boom);
    a.hub.subscribe('queue', (e) => onA.push(e));
    b.hub.subscribe('queue', boom);
    b.hub.subscribe('queue', (e) => onB.push(e));
    expect(() => a.hub.publish('queue', { type: 'queue_changed' })).not.toThrow();
    expect(onA).toHaveLength(1);
    await eventually(() => onB.length === 1);
    expect(errorsA).toHaveLength(1);
    expect(errorsB).toHaveLength(1);
  });

  it('unsubscribe stops delivery of other nodes’ events too', async () => {
    const prefix = testRedisPrefix();
    const a = await node(prefix, 'node-a');
    const b = await node(prefix, 'node-b');
    const heard: LiveEvent[] = [];
    const control: LiveEvent[] = [];
    const off = b.hub.subscribe('queue', (e) => heard.push(e));
    b.hub.subscribe('queue', (e) => control.push(e));
    off();
    a.hub.publish('queue', { type: 'queue_changed' });
    await eventually(() => control.length === 1);
    expect(heard).toEqual([]);
    expect(b.hub.listenerCount('queue')).toBe(1);
  });
});
