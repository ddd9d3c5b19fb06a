// POST /api/chat with handoff routing wired in: the real engine on the shipped knowledge base, a real
// SQLite file, groups with business hours on a clock the test sets, agents in memory, a recording hub.
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { routingKit, type RoutingKit, type RoutingKitOptions } from '../../handoff/testing/routing-test-kit.ts';
import { loadKnowledge } from '../../knowledge/index.ts';
import type { Entry, KnowledgeBase } from '../../knowledge/types.ts';
import type { AppEnv } from '../../handoff/http/app-env.ts';
import { chatRoutes } from './chat-routes.ts';
import { loadConfig } from '../server/config.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import { createErrorHandler, notFoundHandler } from '../../handoff/http/error-handler.ts';
import { createKnowledgeRuntime } from '../server/knowledge-runtime.ts';
import { createLogger } from '../server/logger.ts';

const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../../knowledge');
const logger = createLogger({ level: 'silent' });

let kb: KnowledgeBase;
let engine: Engine;
/** A question the bot answers with an entry whose topic belongs to the billing group. */
let billingQuestion: { entry: Entry; zh: string };

beforeAll(async () => {
  const loaded = await loadKnowledge(KNOWLEDGE_DIR);
  if (!loaded.ok) throw new Error('shipped knowledge base is broken');
  kb = loaded.kb;
  engine = createEngine(kb, loadConfig({}).engine);
  const billingTopics = new Set(kb.topics.filter((t) => t.group === 'billing').map((t) => t.id));
  const entry = kb.entries.find((e) => {
    if (!billingTopics.has(e.topic)) return false;
    const d = engine.decide(e.questions.zh[0]!, { lang: 'zh' });
    return d.kind === 'answer' && d.entryId === e.id;
  });
  if (!entry) throw new Error('no billing entry answers its own question');
  billingQuestion = { entry, zh: entry.questions.zh[0]! };
  expect(engine.decide('转人工').kind).toBe('handoff');
});

interface Harness {
  kit: RoutingKit;
  app: Hono<AppEnv>;
  chat(body: Record<string, unknown>, token?: string): Promise<{ status: number; json: any }>;
}

const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.kit.close();
});

async function harness(options: RoutingKitOptions = {}): Promise<Harness> {
  const kit = routingKit(options);
  const runtime = await createKnowledgeRuntime({ dir: KNOWLEDGE_DIR, load: async () => ({ ok: true, kb, problems: [] }), build: () => engine, logger });
  const config = loadConfig({ KNOWLEDGE_DIR, DATA_DIR: kit.dir, RATE_LIMITS: 'off' });
  const app = new Hono<AppEnv>();
  app.route('/', chatRoutes({ config, store: kit.conversations, runtime, routing: kit.routing, hub: kit.hub, clock: kit.time.clock }));
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);
  const h: Harness = {
    kit,
    app,
    async chat(body, token) {
      const res = await app.request('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
  };
  harnesses.push(h);
  return h;
}

describe('a handoff decision goes through routing', () => {
  it('straight to a free agent of the group: the reply names them, later messages go to the agent', async () => {
    const h = await harness();
    h.kit.agents.add({ id: 'a', displayName: '王芳' });
    await h.kit.online('a');
    const first = await h.chat({ text: '转人工' });
    expect(first.status).toBe(200);
    expect(first.json.reply).toMatchObject({ kind: 'handoff', agent: { displayName: '王芳' } });
    expect(first.json.reply).not.toHaveProperty('queue');
    const id = first.json.conversationId;
    expect(await h.kit.store.get(id)).toMatchObject({ status: 'assigned', agentId: 'a', groupId: 'mobile' });

    const toAgent = await h.chat({ text: '我的宽带断了', conversationId: id }, first.json.token);
    expect(toAgent.json).toEqual({ conversationId: id, reply: null });
    const stored = await h.kit.conversations.listMessages(id);
    // Every stored message was published on the conversation's topic, in order.
    const published = h.kit.hub.on(`conversation:${id}`, 'message').map((e) => (e as { message: { id: number } }).message.id);
    expect(published).toEqual(stored.map((m) => m.id));
    expect(stored.map((m) => m.author)).toEqual(['visitor', 'bot', 'system', 'visitor']);
  });

  it('waits with place and wait from routing when nobody is free; queued messages say so again', async () => {
    const h = await harness();
    h.kit.agents.add({ id: 'a', capacity: 1 });
    await h.kit.online('a');
    h.kit.presence.setStatus('a', 'busy');
    const first = await h.chat({ text: '转人工' });
    expect(first.json.reply).toMatchObject({ kind: 'handoff', queue: { position: 1, etaSeconds: 120 } });
    const second = await h.chat({ text: 'I want a real person', lang: 'en' });
    expect(second.json.reply.queue).toEqual({ position: 2, etaSeconds: 240 });
    const waiting = await h.chat({ text: 'hello? anyone', conversationId: second.json.conversationId, lang: 'en' }, second.json.token);
    expect(waiting.json.reply).toMatchObject({ kind: 'handoff', queue: { position: 2, etaSeconds: 240 } });
    expect(waiting.json.reply.text).toMatch(/Position 2.*4 min/);
    expect(h.kit.hub.on(`conversation:${second.json.conversationId}`, 'queue_position')).toEqual([
      { type: 'queue_position', conversationId: second.json.conversationId, position: 2, etaSeconds: 240 },
    ]);

    // The agent is back: the front chat is theirs, and the one behind moves up.
    h.kit.presence.setStatus('a', 'online');
    await h.kit.routing.settled();
    expect((await h.kit.store.get(first.json.conversationId)).status).toBe('assigned');
    expect(h.kit.hub.on(`conversation:${second.json.conversationId}`, 'queue_position').at(-1)).toMatchObject({ position: 1 });
  });

  it('the topic the visitor was on picks the group (a billing question, then 转人工)', async () => {
    const h = await harness();
    h.kit.agents.add({ id: 'biller', groups: ['billing'] });
    h.kit.agents.add({ id: 'mobile', groups: ['mobile'] });
    await h.kit.online('biller', 'mobile');
    const first = await h.chat({ text: billingQuestion.zh });
    expect(first.json.reply).toMatchObject({ kind: 'answer', entryId: billingQuestion.entry.id });
    const handoff = await h.chat({ text: '转人工', conversationId: first.json.conversationId }, first.json.token);
    expect(handoff.json.reply.kind).toBe('handoff');
    const conversation = await h.kit.conversations.getConversation(first.json.conversationId);
    expect(conversation.handoff).toMatchObject({ reason: 'requested', group: 'billing' });
    expect(await h.kit.store.get(first.json.conversationId)).toMatchObject({ agentId: 'biller' });
  });

  it('outside business hours: told when people are back, invited to leave a message, the bot carries on', async () => {
    const h = await harness({ start: new Date('2025-03-03T22:00:00+08:00') });
    h.kit.agents.add({ id: 'a' });
    await h.kit.online('a');
    const first = await h.chat({ text: '转人工' });
    expect(first.json.reply).toMatchObject({
      kind: 'handoff',
      leaveMessage: { reason: 'outside_hours', opensAt: new Date('2025-03-04T08:30:00+08:00').toISOString() },
    });
    expect(first.json.reply.text).toContain('北京时间明天 08:30');
    expect(first.json.reply).not.toHaveProperty('queue');
    const id = first.json.conversationId;
    expect((await h.kit.store.get(id)).status).toBe('bot');
    expect((await h.kit.conversations.listMessages(id)).at(-1)).toMatchObject({ author: 'bot', kind: 'handoff', text: first.json.reply.text });
    const next = await h.chat({ text: billingQuestion.zh, conversationId: id }, first.json.token);
    expect(next.json.reply).toMatchObject({ kind: 'answer' });
    // And the message can be left.
    const ticket = await h.kit.request(`/api/conversations/${id}/ticket`, { method: 'POST', token: first.json.token, body: { contact: '13800000000', text: '请回电' } });
    expect(ticket.status).toBe(201);
  });

  it('BUSINESS_HOURS=always queues at night too', async () => {
    const h = await harness({ start: new Date('2025-03-03T03:00:00+08:00'), groups: { alwaysOpen: true } });
    h.kit.agents.add({ id: 'a' });
    await h.kit.online('a');
    expect((await h.chat({ text: '转人工' })).json.reply.agent).toEqual({ displayName: 'Agent a' });
  });

  it('nobody in the group within hours: queued all the same, told so, leaving a message offered, in English for an English visitor', async () => {
    const h = await harness();
    const first = await h.chat({ text: 'I want to talk to a human agent', lang: 'en' });
    expect(first.json.reply).toMatchObject({ kind: 'handoff', leaveMessage: { reason: 'no_agents' }, queue: { position: 1 } });
    expect(first.json.reply.text).toMatch(/No agent is online/);
    expect((await h.kit.store.get(first.json.conversationId)).status).toBe('queued');
  });

  it('after the agent closes, a new message starts with the bot again', async () => {
    const h = await harness();
    const a = h.kit.agents.add({ id: 'a' });
    await h.kit.online('a');
    const first = await h.chat({ text: '转人工' });
    await h.kit.routing.close(first.json.conversationId, { kind: 'agent', agent: a });
    const again = await h.chat({ text: billingQuestion.zh, conversationId: first.json.conversationId }, first.json.token);
    expect(again.json.reply).toMatchObject({ kind: 'answer', entryId: billingQuestion.entry.id });
    expect((await h.kit.store.get(first.json.conversationId)).status).toBe('bot');
  });
});

describe('visitor context', () => {
  it('keeps the page, referrer and user agent the widget sends with the first message', async () => {
    const h = await harness();
    const res = await h.app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 Test' },
      body: JSON.stringify({
        text: billingQuestion.zh,
        visitor: { pageUrl: 'https://www.10010.com/net5/011/', referrer: '', userAgent: 'ignored: the header wins' },
      }),
    });
    const json = (await res.json()) as { conversationId: string };
    expect((await h.kit.conversations.getConversation(json.conversationId)).visitor).toEqual({
      userAgent: 'Mozilla/5.0 Test',
      pageUrl: 'https://www.10010.com/net5/011/',
    });
    // Query strings and fragments (search terms, order numbers) are dropped before anything is stored.
    const withReferrer = await h.chat({
      text: billingQuestion.zh,
      visitor: { pageUrl: 'https://a.example/order?phone=13800138000#pay', referrer: 'https://www.baidu.com/s?wd=联通' },
    });
    expect((await h.kit.conversations.getConversation(withReferrer.json.conversationId)).visitor).toMatchObject({
      pageUrl: 'https://a.example/order',
      referrer: 'https://www.baidu.com/s',
    });
  });

  it.each([
    [{ visitor: 'x' }, 'visitor'],
    [{ visitor: { pageUrl: 'javascript:alert(1)' } }, 'visitor.pageUrl'],
    [{ visitor: { pageUrl: 42 } }, 'visitor.pageUrl'],
    [{ visitor: { referrer: 'not a url' } }, 'visitor.referrer'],
    [{ visitor: { pageUrl: `https://a.example/${'x'.repeat(5000)}` } }, 'visitor.pageUrl'],
    [{ visitor: { userAgent: ['x'] } }, 'visitor.userAgent'],
  ])('400 for %j naming %s', async (extra, field) => {
    const h = await harness();
    const res = await h.chat({ text: 'hi', ...extra });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_visitor', field });
  });
});
