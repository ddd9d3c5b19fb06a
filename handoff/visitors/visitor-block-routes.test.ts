// The block routes through app.request: only the holder or an admin blocks (403 for another agent, nothing
// stored), the chat closes the normal way, 409 when the chat lacks the value, 400 naming the bad field,
// the toolbar summary, the admin list and lift (404 unknown, 403 for agents), an IPv6 visitor blocked by its /64,
// and an admin blocking an address, a CIDR range or a visitor id without a chat.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteVisitorBlockStore } from './sqlite-visitor-block-store.ts';
import { headerRequireAgent, routingKit, type RoutingKit } from '../testing/routing-test-kit.ts';
import { createVisitorBlocks, type VisitorBlocks } from './visitor-blocks.ts';
import { visitorBlockRoutes } from './visitor-block-routes.ts';
import { createSqliteUnitOfWork } from '../sqlite/unit-of-work.ts';
import type { VisitorInfo } from '../conversations/conversation-store.ts';
import proxyAddr from 'proxy-addr';

/** TRUSTED_PROXIES as the config compiles it. */
const trustProxy = proxyAddr.compile(['203.0.113.0/24']);

const VISITOR_ID = 'AbCdEfGhIjKlMnOpQrStUv';
let kit: RoutingKit;
let blocks: VisitorBlocks;
let logLines: Array<Record<string, unknown>>;

beforeEach(async () => {
  kit = routingKit();
  const unitOfWork = createSqliteUnitOfWork(kit.db);
  blocks = createVisitorBlocks(createSqliteVisitorBlockStore(kit.db), unitOfWork, { clock: kit.time.clock });
  await blocks.load();
  logLines = [];
  const log = { info: (obj: object) => void logLines.push({ ...obj }), warn() {}, error() {} };
  kit.app.route('/', visitorBlockRoutes({ blocks, routing: kit.routing, conversations: kit.conversations, agents: kit.agents, requireAgent: headerRequireAgent(kit.agents), log, unitOfWork, isTrustedProxy: (ip) => trustProxy(ip, 0) }));
  kit.agents.add({ id: 'alice', displayName: 'Alice' });
  kit.agents.add({ id: 'bob', displayName: 'Bob' });
  kit.agents.add({ id: 'lead', displayName: 'Lead', role: 'admin' });
  await kit.online('alice', 'bob');
});

afterEach(async () => {
  await blocks.stop();
  kit.close();
});

/** A chat queued in `mobile` with what the widget and the socket told about the visitor, taken by `holder`. */
async function heldChat(holder: string, visitor: VisitorInfo = { visitorId: VISITOR_ID, ip: '198.51.100.7' }) {
  const created = await kit.conversations.createConversation({ lang: 'zh', visitor });
  await kit.conversations.appendTurn(created.conversation.id, {
    visitorText: '转人工',
    reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
    handoff: { reason: 'requested', decision: { kind: 'handoff' }, group: 'mobile' },
  });
  const id = created.conversation.id;
  const take = await kit.request(`/api/agent/conversations/${id}/take`, { method: 'POST', agent: holder });
  expect(take.status).toBe(200);
  return id;
}

const block = (id: string, agent: string, body: unknown) => kit.request(`/api/agent/conversations/${id}/block`, { method: 'POST', agent, body });

describe('POST /api/agent/conversations/:id/block', () => {
  it('the holder blocks by visitor id: stored, chat closed the normal way, audit line without the value', async () => {
    const id = await heldChat('alice');
    const res = await block(id, 'alice', { by: 'visitor', reason: '骚扰', durationHours: 24 });
    expect(res.status).toBe(200);
    expect(res.json.block).toMatchObject({
      by: 'visitor', value: VISITOR_ID, reason: '骚扰', conversationId: id,
      createdBy: { id: 'alice', displayName: 'Alice' }, active: true, hits: 0, liftedAt: null, lastHitAt: null,
    });
    expect(Date.parse(res.json.block.expiresAt) - kit.time.clock().getTime()).toBe(24 * 3_600_000);
    // routing's close: status closed, the hub's closed event for the visitor stream, the agent no longer holds it.
    expect((await kit.conversations.getConversation(id)).status).toBe('closed');
    expect(kit.hub.on(`conversation:${id}`, 'closed')).toHaveLength(1);
    expect(await kit.routing.heldConversationIds('alice')).toEqual([]);
    const closures = kit.db.prepare('SELECT count(*) AS n FROM conversation_closures WHERE conversation_id = ?').get(id) as { n: number };
    expect(closures.n).toBe(1);
    expect(() => blocks.check({ visitorId: VISITOR_ID })).toThrow(/not available/);
    const line = logLines.find((l) => l.event === 'visitor.blocked')!;
    expect(line).toMatchObject({ blockId: res.json.block.id, kind: 'visitor', by: 'alice' });
    expect(JSON.stringify(line)).not.toContain(VISITOR_ID);
  });

  it('another agent gets 403 and nothing is stored or closed', async () => {
    const id = await heldChat('alice');
    const res = await block(id, 'bob', { by: 'ip' });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('forbidden');
    expect(await blocks.list()).toEqual([]);
    expect((await kit.conversations.getConversation(id)).status).toBe('assigned');
    expect(() => blocks.check({ ip: '198.51.100.7' })).not.toThrow();
  });

  it('an admin who does not hold the chat may block (by ip, until lifted)', async () => {
    const id = await heldChat('alice');
    const res = await block(id, 'lead', { by: 'ip', durationHours: null });
    expect(res.status).toBe(200);
    expect(res.json.block).toMatchObject({ by: 'ip', value: '198.51.100.7', expiresAt: null, reason: null, createdBy: { id: 'lead', displayName: 'Lead' } });
    expect((await kit.conversations.getConversation(id)).status).toBe('closed');
  });

  it('the address is admin-only: an agent sees hasIp (not the address) and blocks by it without getting it back', async () => {
    const id = await heldChat('alice');
    const mine = await kit.request(`/api/agent/conversations/${id}`, { agent: 'alice' });
    expect(mine.status).toBe(200);
    expect(mine.json.visitor).toMatchObject({ visitorId: VISITOR_ID, hasIp: true });
    expect(mine.json.visitor).not.toHaveProperty('ip');
    expect(JSON.stringify(mine.json)).not.toContain('198.51.100.7');
    const admins = await kit.request(`/api/agent/conversations/${id}`, { agent: 'lead' });
    expect(admins.json.visitor).toMatchObject({ visitorId: VISITOR_ID, ip: '198.51.100.7', hasIp: true });
    const noIp = await heldChat('alice', { visitorId: VISITOR_ID });
    expect((await kit.request(`/api/agent/conversations/${noIp}`, { agent: 'alice' })).json.visitor).not.toHaveProperty('hasIp');

    const res = await block(id, 'alice', { by: 'ip', durationHours: 1 });
    expect(res.status).toBe(200);
    expect(res.json.block).toMatchObject({ by: 'ip', createdBy: { id: 'alice' }, active: true });
    expect(res.json.block).not.toHaveProperty('value');
    expect(JSON.stringify(res.json)).not.toContain('198.51.100.7');
    expect(() => blocks.check({ ip: '198.51.100.7' })).toThrow(/not available/);
  });

  it('409 shared_address when an agent blocks a loopback, private, link-local or trusted-proxy address; an admin may', async () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.8', '192.168.3.4', '172.20.1.1', 'fd00::5', '169.254.9.9', 'fe80::2', '203.0.113.40']) {
      const id = await heldChat('alice', { visitorId: VISITOR_ID, ip });
      const res = await block(id, 'alice', { by: 'ip' });
      expect(res.status, ip).toBe(409);
      expect(res.json.error.code).toBe('shared_address');
      expect(res.json.error.message).toMatch(/visitor id.*admin/);
      expect((await kit.conversations.getConversation(id)).status).toBe('assigned');
      // Alice's capacity: the next chat needs a free slot.
      expect((await kit.request(`/api/agent/conversations/${id}/close`, { method: 'POST', agent: 'alice' })).status).toBe(200);
    }
    expect(await blocks.list()).toEqual([]);
    const id = await heldChat('alice', { visitorId: VISITOR_ID, ip: '127.0.0.1' });
    // By visitor id it works; and an admin may block the shared address.
    const lead = await block(id, 'lead', { by: 'ip', durationHours: 1 });
    expect(lead.status).toBe(200);
    expect(lead.json.block).toMatchObject({ by: 'ip', value: '127.0.0.1' });
    const other = await heldChat('alice', { visitorId: VISITOR_ID, ip: '10.0.0.8' });
    expect((await block(other, 'alice', { by: 'visitor' })).status).toBe(200);
  });

  it('blocking an IPv6 visitor by address blocks its /64 (any address it may rotate to), nothing wider', async () => {
    const id = await heldChat('alice', { visitorId: VISITOR_ID, ip: '2001:db8:9:9::1' });
    const res = await block(id, 'lead', { by: 'ip', durationHours: 1 });
    expect(res.status).toBe(200);
    expect(res.json.block).toMatchObject({ by: 'ip', value: '2001:db8:9:9::/64' });
    for (const ip of ['2001:db8:9:9::1', '2001:db8:9:9::2', '2001:db8:9:9:abcd::7']) expect(() => blocks.check({ ip }), ip).toThrow(/not available/);
    expect(() => blocks.check({ ip: '2001:db8:9:a::1' })).not.toThrow();
    // An agent's block covers the /64 too (an IPv4 visitor: the address alone, as before).
    const v4 = await heldChat('alice', { visitorId: VISITOR_ID, ip: '::ffff:198.51.100.20' });
    expect((await block(v4, 'alice', { by: 'ip' })).status).toBe(200);
    expect((await blocks.list()).map((b) => b.value)).toContain('198.51.100.20');
    expect(() => blocks.check({ ip: '198.51.100.20' })).toThrow();
    expect(() => blocks.check({ ip: '198.51.100.21' })).not.toThrow();
  });

  it('409 no_visitor_id / no_ip when the chat lacks that value', async () => {
    const noId = await heldChat('alice', { ip: '198.51.100.8' });
    const r1 = await block(noId, 'alice', { by: 'visitor' });
    expect(r1.status).toBe(409);
    expect(r1.json.error.code).toBe('no_visitor_id');
    const noIp = await heldChat('alice', { visitorId: VISITOR_ID });
    const r2 = await block(noIp, 'alice', { by: 'ip' });
    expect(r2.status).toBe(409);
    expect(r2.json.error.code).toBe('no_ip');
    expect(await blocks.list()).toEqual([]);
  });

  it('400 naming the field for a bad by, durationHours or reason', async () => {
    const id = await heldChat('alice');
    const cases: Array<[unknown, string]> = [
      [{ by: 'cookie' }, 'by'],
      [{}, 'by'],
      [{ by: 'ip', durationHours: 0 }, 'durationHours'],
      [{ by: 'ip', durationHours: 1.5 }, 'durationHours'],
      [{ by: 'ip', durationHours: 8761 }, 'durationHours'],
      [{ by: 'ip', durationHours: '24' }, 'durationHours'],
      [{ by: 'ip', reason: 'x'.repeat(201) }, 'reason'],
      [{ by: 'ip', reason: 42 }, 'reason'],
    ];
    for (const [body, field] of cases) {
      const res = await block(id, 'alice', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.field, JSON.stringify(body)).toBe(field);
    }
    expect(await blocks.list()).toEqual([]);
    expect((await kit.conversations.getConversation(id)).status).toBe('assigned');
  });

  it('404 for an unknown conversation', async () => {
    expect((await block('no-such-chat', 'lead', { by: 'ip' })).status).toBe(404);
  });
});

describe('POST /api/admin/blocks', () => {
  const adminBlock = (body: unknown, agent = 'lead') => kit.request('/api/admin/blocks', { method: 'POST', agent, body });

  it('an admin blocks a CIDR range: stored canonical, every address inside refused, audit line without the value', async () => {
    const res = await adminBlock({ by: 'ip', value: '2001:DB8:9:9::1/48', reason: 'flood', durationHours: 24 });
    expect(res.status).toBe(201);
    expect(res.json.block).toMatchObject({ by: 'ip', value: '2001:db8:9::/48', reason: 'flood', conversationId: null, createdBy: { id: 'lead' }, active: true });
    for (const ip of ['2001:db8:9:9::1', '2001:db8:9:ffff::2']) expect(() => blocks.check({ ip }), ip).toThrow(/not available/);
    expect(() => blocks.check({ ip: '2001:db8:a::1' })).not.toThrow();
    const v4 = await adminBlock({ by: 'ip', value: '203.0.113.0/24' });
    expect(v4.status).toBe(201);
    expect(() => blocks.check({ ip: '203.0.113.77' })).toThrow();
    const single = await adminBlock({ by: 'ip', value: '::ffff:192.0.2.8' });
    expect(single.json.block.value).toBe('192.0.2.8');
    const visitor = await adminBlock({ by: 'visitor', value: VISITOR_ID });
    expect(visitor.status).toBe(201);
    expect(() => blocks.check({ visitorId: VISITOR_ID })).toThrow();
    const line = logLines.find((l) => l.event === 'visitor.blocked' && l.blockId === res.json.block.id)!;
    expect(line).toMatchObject({ kind: 'ip', by: 'lead' });
    expect(JSON.stringify(logLines)).not.toMatch(/2001:db8|203\.0\.113|192\.0\.2|AbCdEf/);
    // Lifted like any block.
    expect((await kit.request(`/api/admin/blocks/${res.json.block.id}`, { method: 'DELETE', agent: 'lead' })).status).toBe(200);
    expect(() => blocks.check({ ip: '2001:db8:9:9::1' })).not.toThrow();
  });

  it('400 invalid_value for what is no address, range or visitor id, or a range wider than /8 or /32; 403 for agents', async () => {
    for (const body of [
      { by: 'ip', value: 'example.com' },
      { by: 'ip', value: '10.1/8' },
      { by: 'ip', value: '203.0.113.0/33' },
      { by: 'ip', value: '0.0.0.0/0' },
      { by: 'ip', value: '10.0.0.0/7' },
      { by: 'ip', value: '2001:db8::/31' },
      { by: 'ip', value: '::/0' },
      { by: 'visitor', value: 'short' },
      { by: 'visitor', value: '2001:db8::1' },
    ]) {
      const res = await adminBlock(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error, JSON.stringify(body)).toMatchObject({ code: 'invalid_value', field: 'value' });
    }
    expect((await adminBlock({ by: 'ip' })).json.error).toMatchObject({ code: 'missing_field', field: 'value' });
    expect((await adminBlock({ by: 'ip', value: '10.0.0.0/8' })).status).toBe(201);
    expect((await adminBlock({ by: 'ip', value: '2001:db8::/32' })).status).toBe(201);
    expect((await adminBlock({ by: 'ip', value: '198.51.100.0/24' }, 'alice')).status).toBe(403);
    expect((await blocks.list()).map((b) => b.value).sort()).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });
});

describe('summary, admin list and lift', () => {
  it('counts active blocks and refused requests; admins list and lift; agents get 403 on admin routes', async () => {
    const id = await heldChat('alice');
    const made = (await block(id, 'alice', { by: 'visitor' })).json.block;
    for (let i = 0; i < 3; i++) expect(() => blocks.check({ visitorId: VISITOR_ID })).toThrow();
    const summary = await kit.request('/api/agent/blocks/summary', { agent: 'bob' });
    expect(summary).toEqual({ status: 200, json: { active: 1, hits: 3, hitsToday: 3 } });

    expect((await kit.request('/api/admin/blocks', { agent: 'alice' })).status).toBe(403);
    expect((await kit.request(`/api/admin/blocks/${made.id}`, { method: 'DELETE', agent: 'alice' })).status).toBe(403);
    expect(() => blocks.check({ visitorId: VISITOR_ID })).toThrow();

    const list = await kit.request('/api/admin/blocks', { agent: 'lead' });
    expect(list.status).toBe(200);
    expect(list.json.blocks).toHaveLength(1);
    expect(list.json.blocks[0]).toMatchObject({ id: made.id, active: true, hits: 4 });

    expect((await kit.request('/api/admin/blocks/no-such-block', { method: 'DELETE', agent: 'lead' })).status).toBe(404);
    const lifted = await kit.request(`/api/admin/blocks/${made.id}`, { method: 'DELETE', agent: 'lead' });
    expect(lifted.status).toBe(200);
    expect(lifted.json.block).toMatchObject({ id: made.id, active: false, liftedAt: kit.time.clock().toISOString() });
    expect(() => blocks.check({ visitorId: VISITOR_ID })).not.toThrow();
    expect(logLines.some((l) => l.event === 'visitor.unblocked' && l.blockId === made.id)).toBe(true);

    // Lifted blocks stay listed (history), after the active ones.
    const after = (await kit.request('/api/admin/blocks', { agent: 'lead' })).json.blocks;
    expect(after.map((b: { active: boolean }) => b.active)).toEqual([false]);
    expect((await kit.request('/api/agent/blocks/summary', { agent: 'bob' })).json).toMatchObject({ active: 0, hits: 0 });
  });
});
