// Visitors on the site through the real service (real HTTP, real SQLite file, a clock the test moves): page views
// build the trail without query strings, pageleave closes the time on page, presence expires, limits hold,
// blocked visitors are refused, agents' invitations and automatic rules reach the presence stream.
import { mkdtempSync, rmSync } from 'node:fs';
import { handoffKbPort } from '../bot/chat/handoff-group.ts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { AppEnv } from '../handoff/http/app-env.ts';
import { chatRoutes } from '../bot/chat/chat-routes.ts';
import { resolveClientAddress } from '../handoff/http/client-address.ts';
import { createErrorHandler } from '../handoff/http/error-handler.ts';
import { loadConfig } from '../bot/server/config.ts';
import { createEngineAsync } from '../bot/engine/engine.ts';
import { createHandoffServices, type HandoffServices } from '../handoff/compose.ts';
import { createKnowledgeRuntime } from '../bot/server/knowledge-runtime.ts';
import { createLogger } from '../bot/server/logger.ts';
import { createSqliteConversationStore } from '../handoff/conversations/sqlite-conversation-store.ts';
import { openDatabase, type Db } from '../handoff/sqlite/db.ts';
import { connectSse } from '../handoff/testing/sse-test-client.ts';
import { loadKnowledge } from '../knowledge/index.ts';

const ADMIN = { username: 'lead', password: 'lead-secret-pass' };
let dir: string;
let db: Db;
let handoff: HandoffServices;
let server: Server;
let url: string;
let offsetMs = 0;
let adminCookie = '';

async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + route, {
    method,
    headers: { origin: url, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}
const asAdmin = (method: string, route: string, body?: unknown) => call(method, route, body, { cookie: adminCookie });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'presence-'));
  const config = loadConfig({ DATA_DIR: dir, KNOWLEDGE_DIR: path.resolve(import.meta.dirname, '../knowledge'), ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, BUSINESS_HOURS: 'always' } as never);
  const logger = createLogger({ level: 'silent' });
  db = openDatabase(dir);
  const store = createSqliteConversationStore(db);
  const runtime = await createKnowledgeRuntime({ dir: config.knowledgeDir, load: (d) => loadKnowledge(d), build: (kb) => createEngineAsync(kb, config.engine), logger });
  handoff = createHandoffServices({ db, config, store, kb: handoffKbPort(runtime), logger, clock: () => new Date(Date.now() + offsetMs) });
  await handoff.start();
  // createApp's composition plus `invitations` on the chat routes (bot/server/app.ts passes handoff.invitations there).
  const app = new Hono<AppEnv>();
  app.use(resolveClientAddress(config));
  app.route('/', chatRoutes({
    config, store, runtime, routing: handoff.routing, hub: handoff.hub, clock: handoff.clock, unanswered: handoff.unanswered,
    visitorGate: handoff.visitorBlocks, invitations: handoff.invitations,
  }));
  handoff.mount(app);
  app.onError(createErrorHandler(logger));
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await call('POST', '/api/agent/login', ADMIN);
  adminCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}, 60_000);

afterAll(async () => {
  handoff.connections.closeAll();
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
  await handoff.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('visitor presence', () => {
  it('page views build the trail; agents never see query strings; pageleave closes the time on page', async () => {
    const first = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/broadband/plans?phone=13800138000#x', title: 'Broadband\u202E plans', visitorId: 'presenceVisitorAAAAAAA' });
    expect(first.status).toBe(200);
    const token = first.json.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    offsetMs += 7_000;
    const second = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/bills?order=K-1', title: 'Bills' }, bearer(token));
    expect(second.json).toEqual({});
    offsetMs += 4_000;
    // The beacon: text/plain body with the token, no headers.
    expect((await call('POST', '/api/visitor/pageleave', JSON.stringify({ token }), { 'content-type': 'text/plain' })).status).toBe(204);
    const list = await asAdmin('GET', '/api/agent/visitors');
    const me = list.json.visitors.find((v: any) => v.currentPage.url === 'https://shop.example/bills');
    expect(me).toBeDefined();
    expect(list.json.total).toBe(list.json.visitors.length);
    expect(JSON.stringify(list.json)).not.toMatch(/13800138000|K-1|phone|order=/);
    expect(me.pages).toBe(2);
    expect(me.inChat).toBe(false);
    expect(me.trail.map((p: any) => [p.url, p.title, p.seconds])).toEqual([
      ['https://shop.example/broadband/plans', 'Broadband plans', 7],
      ['https://shop.example/bills', 'Bills', 4],
    ]);
  });

  it('bad reports are 4xx: not http(s), too long, title too long, unknown token on the stream', async () => {
    expect((await call('POST', '/api/visitor/pageview', { url: 'javascript:alert(1)' })).json.error.code).toBe('invalid_url');
    expect((await call('POST', '/api/visitor/pageview', { url: `https://a.example/${'x'.repeat(2100)}` })).status).toBe(400);
    expect((await call('POST', '/api/visitor/pageview', { url: 'https://a.example/', title: 't'.repeat(201) })).json.error.code).toBe('title_too_long');
    expect((await call('GET', '/api/visitor/events', undefined, bearer('nope'))).status).toBe(401);
  });

  it('a visitor is online for 60 s after the last report without a stream', async () => {
    const { json } = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/expiry-test', title: 'E' });
    expect(json.token).toBeDefined();
    const online = async () => (await asAdmin('GET', '/api/agent/visitors')).json.visitors.some((v: any) => v.currentPage.url.endsWith('/expiry-test'));
    offsetMs += 59_000;
    expect(await online()).toBe(true);
    offsetMs += 2_000;
    expect(await online()).toBe(false);
  });

  it('blocked visitor ids get 403 visitor_blocked', async () => {
    await handoff.visitorBlocks.block({ kind: 'visitor', value: 'blockedVisitorBBBBBBBB', createdBy: 'test' });
    const res = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/', visitorId: 'blockedVisitorBBBBBBBB' });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('visitor_blocked');
  });

  it('an agent invites; the invitation arrives on the stream; dismiss; a presence token opens no agent route', async () => {
    const { json } = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/invite-me', title: 'I', visitorId: 'inviteVisitorCCCCCCCCC' });
    const stream = await connectSse(`${url}/api/visitor/events`, { ...bearer(json.token), origin: url });
    await stream.waitFor((m) => m.event === 'ready');
    const list = await asAdmin('GET', '/api/agent/visitors');
    const v = list.json.visitors.find((x: any) => x.currentPage.url.endsWith('/invite-me'));
    const invite = await asAdmin('POST', `/api/agent/visitors/${v.id}/invite`, { text: '需要帮忙吗？' });
    expect(invite.status).toBe(200);
    const event = await stream.waitFor((m) => m.event === 'invitation');
    expect(event.json).toMatchObject({ from: 'agent', text: '需要帮忙吗？', id: invite.json.invitation.id });
    expect((await call('POST', `/api/visitor/invitations/${event.json.id}/dismiss`, undefined, bearer(json.token))).status).toBe(204);
    // A visitor's presence token is no agent credential.
    expect((await call('GET', '/api/agent/visitors', undefined, bearer(json.token))).status).toBe(401);
    stream.close();
  });

  it('a rule fires after the dwell time on a matching page, and not again after a dismissal', async () => {
    const put = await asAdmin('PUT', '/api/admin/invitation-rules', { rules: [{ urlPattern: '/broadband/*', dwellSeconds: 30, text: { zh: '宽带有疑问？', en: 'Questions about broadband?' }, enabled: true }] });
    expect(put.status).toBe(200);
    expect((await asAdmin('PUT', '/api/admin/invitation-rules', { rules: [{ urlPattern: '/x', dwellSeconds: 2, text: { zh: 'a', en: 'b' }, enabled: true }] })).json.error.field).toBe('rules.0.dwellSeconds');
    const { json } = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/broadband/fiber?q=1', title: 'Fiber', visitorId: 'ruleVisitorDDDDDDDDDDD' });
    const stream = await connectSse(`${url}/api/visitor/events`, { ...bearer(json.token), origin: url });
    await stream.waitFor((m) => m.event === 'ready');
    const rules = (await asAdmin('GET', '/api/admin/invitation-rules')).json.rules;
    const chatOpen = async () => false;
    expect(await handoff.visitors.sweep(rules, chatOpen)).toHaveLength(0);
    offsetMs += 31_000;
    const sent = await handoff.visitors.sweep(rules, chatOpen);
    expect(sent).toHaveLength(1);
    const event = await stream.waitFor((m) => m.event === 'invitation' && m.json.from === 'rule');
    expect(event.json.text).toEqual({ zh: '宽带有疑问？', en: 'Questions about broadband?' });
    await call('POST', `/api/visitor/invitations/${event.json.id}/dismiss`, undefined, bearer(json.token));
    await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/broadband/tv', title: 'TV' }, bearer(json.token));
    offsetMs += 120_000;
    await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/broadband/tv', title: 'TV' }, bearer(json.token));
    offsetMs += 40_000;
    expect(await handoff.visitors.sweep(rules, chatOpen)).toHaveLength(0);
    stream.close();
    await asAdmin('PUT', '/api/admin/invitation-rules', { rules: [] });
  });

  it('an accepted agent invitation starts a chat marked invited that goes straight to the agent; a stolen id is refused', async () => {
    const visitorId = 'acceptVisitorEEEEEEEEE';
    const { json } = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/plans', title: 'Plans', visitorId });
    const token = json.token as string;
    // The admin is online with room (the agent stream keeps presence).
    const agentStream = await connectSse(`${url}/api/agent/events`, { cookie: adminCookie, origin: url });
    await call('POST', '/api/agent/status', { status: 'online' }, { cookie: adminCookie });
    const presenceId = (await asAdmin('GET', '/api/agent/visitors')).json.visitors.find((v: any) => v.currentPage.url.endsWith('/plans')).id;
    const invitation = (await asAdmin('POST', `/api/agent/visitors/${presenceId}/invite`, {})).json.invitation;
    expect((await call('POST', `/api/visitor/invitations/${invitation.id}/accept`, undefined, bearer(token))).status).toBe(200);
    // Another visitor id cannot use it.
    const stolen = await call('POST', '/api/chat', { text: 'hi', visitorId: 'someoneElseFFFFFFFFFFF', invitationId: invitation.id });
    expect(stolen.status).toBe(400);
    expect(stolen.json.error.code).toBe('invalid_invitation');
    const chat = await call('POST', '/api/chat', { text: '我想办宽带', visitorId, invitationId: invitation.id });
    expect(chat.status).toBe(200);
    expect(chat.json.reply).toMatchObject({ kind: 'handoff', agent: { displayName: expect.any(String) } });
    const messages = await call('GET', `/api/conversations/${chat.json.conversationId}/messages`, undefined, bearer(chat.json.token));
    expect(messages.json.status).toBe('assigned');
    // No bot turn: the visitor's words, then only the take's system note.
    expect(messages.json.messages.map((m: any) => m.author)).toEqual(['visitor', 'system']);
    expect(db.prepare('SELECT kind FROM invited_conversations WHERE conversation_id = ?').get(chat.json.conversationId)).toEqual({ kind: 'agent' });
    // Used: a second chat cannot claim it, and the visitor now shows in chat.
    expect((await call('POST', '/api/chat', { text: 'again', visitorId, invitationId: invitation.id })).status).toBe(400);
    const me = (await asAdmin('GET', '/api/agent/visitors')).json.visitors.find((v: any) => v.id === presenceId);
    expect(me.inChat).toBe(true);
    expect((await asAdmin('POST', `/api/agent/visitors/${presenceId}/invite`, {})).json.error.code).toBe('visitor_in_chat');
    agentStream.close();
  });

  it('saving invitation rules writes an audit row with counts only, never the patterns or the words', async () => {
    const me = (await asAdmin('GET', '/api/agent/me')).json;
    const put = await asAdmin('PUT', '/api/admin/invitation-rules', {
      rules: [
        { urlPattern: '/roaming/*', dwellSeconds: 45, text: { zh: '出国漫游有疑问？', en: 'Roaming questions?' }, enabled: true },
        { urlPattern: '/mall/*', dwellSeconds: 60, text: { zh: '选号遇到问题？', en: 'Choosing a number?' }, enabled: false },
      ],
    });
    expect(put.status).toBe(200);
    const audit = await asAdmin('GET', '/api/admin/audit?action=invitation_rules.saved&limit=1');
    expect(audit.status).toBe(200);
    const [row] = audit.json.entries;
    expect(row).toMatchObject({
      action: 'invitation_rules.saved',
      target: { type: 'invitation_rules', id: 'all' },
      details: { rules: 2, enabled: 1 },
    });
    expect(Object.keys(row.details).sort()).toEqual(['enabled', 'rules']);
    expect(row.actor).toEqual({ id: me.agent.id, displayName: me.agent.displayName });
    const stored = JSON.stringify(row);
    for (const secret of ['/roaming/', '/mall/', '出国漫游', 'Roaming questions', '选号']) expect(stored).not.toContain(secret);
    await asAdmin('PUT', '/api/admin/invitation-rules', { rules: [] });
  });

  it('agents (not admins) get 403 on the rule routes', async () => {
    expect((await asAdmin('POST', '/api/admin/agents', { username: 'bob', displayName: 'Bob', password: 'bob-pass-12345', role: 'agent', groups: [] })).status).toBe(201);
    const login = await call('POST', '/api/agent/login', { username: 'bob', password: 'bob-pass-12345' });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await call('GET', '/api/admin/invitation-rules', undefined, { cookie })).status).toBe(403);
    expect((await call('PUT', '/api/admin/invitation-rules', { rules: [] }, { cookie })).status).toBe(403);
    expect((await call('GET', '/api/agent/visitors', undefined, { cookie })).status).toBe(200);
  });

  it('reports are rate-limited per address', async () => {
    let limited = 0;
    for (let i = 0; i < 80 && limited === 0; i++) {
      const res = await call('POST', '/api/visitor/pageview', { url: 'https://shop.example/flood' });
      if (res.status === 429) limited++;
    }
    expect(limited).toBe(1);
  });
});
