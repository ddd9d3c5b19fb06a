// IPv6 clients on the real service (startServer, real SQLite file, rate limits on): a client is its /64, so
// rotating addresses inside it gains no new chats, sign-in tries or visitor streams, and a block (an admin's
// CIDR range, an agent's block by address) stops every address inside it. Addresses come from X-Forwarded-For
// with TRUSTED_PROXIES=loopback: the test's connections from 127.0.0.1 stand in for a reverse proxy.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectSse } from '../handoff/testing/sse-test-client.ts';
import { sendFrom, streamKeeper, type RawReply } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

/** A question the shipped knowledge base answers: a turn that stays with the bot. */
const QUESTION = '充值卡密码几位';

const streams = streamKeeper();
const live = useTestServer('ipv6-clients-', {
  env: { TRUSTED_PROXIES: 'loopback', RATE_LIMITS: undefined, MAX_VISITOR_STREAMS_PER_ADDRESS: '3' },
  streams,
});

/** One request through the "proxy" on behalf of the client at `client`. */
const send = (client: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
  sendFrom(live.server.port, '127.0.0.1', method, route, body, { 'x-forwarded-for': client, ...headers });

const startChat = (client: string) => send(client, 'POST', '/api/chat', { text: QUESTION });

let serial = 0;
/** A fresh address inside the /64 `prefix` (four groups) at each call, as a client rotating its interface id. */
const rotate = (prefix: string) => `${prefix}:${(++serial).toString(16)}:${((serial * 7919) % 0xffff).toString(16)}:0:1`;

/** Calls `attempt` until it answers 429 (at most `max` times); the statuses before it and the 429. */
async function untilLimited(max: number, attempt: () => Promise<RawReply>): Promise<{ before: number[]; limited: RawReply | undefined }> {
  const before: number[] = [];
  for (let i = 0; i < max; i++) {
    const res = await attempt();
    if (res.status === 429) return { before, limited: res };
    before.push(res.status);
  }
  return { before, limited: undefined };
}

let adminCookie = '';
beforeAll(async () => {
  expect(live.server.config.rateLimits).toBe(true);
  expect(live.server.config.ipv6PrefixLength).toBe(64);
  const res = await send('198.51.100.250', 'POST', '/api/agent/login', ADMIN);
  expect(res.status).toBe(200);
  adminCookie = res.cookie;
});

describe('an IPv6 client is its /64 for every per-address limit', () => {
  it('new conversations: rotating addresses inside one /64 hits the limit; the next /64 is another client', async () => {
    const { before, limited } = await untilLimited(100, () => startChat(rotate('2001:db8:1:1')));
    expect(limited, 'no 429 after 100 new conversations from one /64').toBeDefined();
    expect(before.length).toBeGreaterThanOrEqual(30);
    expect(new Set(before)).toEqual(new Set([200]));
    expect((await startChat('2001:db8:1:1::ffff')).status).toBe(429);
    expect((await startChat('2001:db8:1:2::1')).status).toBe(200);
  }, 60_000);

  it('an IPv4-mapped IPv6 address counts as its IPv4 address', async () => {
    const { limited } = await untilLimited(100, () => startChat('::ffff:203.0.113.5'));
    expect(limited).toBeDefined();
    expect((await startChat('203.0.113.5')).status).toBe(429);
    expect((await startChat('203.0.113.6')).status).toBe(200);
  }, 60_000);

  it('sign-in tries: guesses from rotating addresses inside one /64 are limited together', async () => {
    let n = 0;
    const { before, limited } = await untilLimited(60, () => send(rotate('2001:db8:2:2'), 'POST', '/api/agent/login', { username: `nobody-${++n}`, password: 'wrong-guess-123' }));
    expect(limited, 'no 429 after 60 failed sign-ins from one /64').toBeDefined();
    expect(new Set(before)).toEqual(new Set([401]));
    // Another /64 still gets an honest answer.
    expect((await send('2001:db8:2:3::1', 'POST', '/api/agent/login', { username: 'nobody-else', password: 'wrong-guess-123' })).status).toBe(401);
  }, 60_000);

  it('visitor streams: at most MAX_VISITOR_STREAMS_PER_ADDRESS per /64, whatever the conversations (429 too_many_streams)', async () => {
    const chats: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < 4; i++) {
      const res = await startChat(rotate('2001:db8:6:6'));
      expect(res.status).toBe(200);
      chats.push({ id: res.json.conversationId, token: res.json.token });
    }
    const url = (id: string) => `${live.server.url}/api/conversations/${id}/events`;
    const headers = (chat: { token: string }, client: string) => ({ authorization: `Bearer ${chat.token}`, 'x-forwarded-for': client });
    const open = [];
    for (const chat of chats.slice(0, 3)) open.push(await streams.open(url(chat.id), headers(chat, rotate('2001:db8:6:6'))));
    const refused = await connectSse(url(chats[3]!.id), headers(chats[3]!, rotate('2001:db8:6:6')));
    expect(refused.status).toBe(429);
    expect(refused.error.error.code).toBe('too_many_streams');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client (the next /64) opens the same conversation's stream; a place freed is free again.
    expect((await streams.open(url(chats[3]!.id), headers(chats[3]!, '2001:db8:6:7::1'))).status).toBe(200);
    open[0]!.close();
    await open[0]!.ended;
    let reopened;
    for (let i = 0; i < 50; i++) {
      reopened = await connectSse(url(chats[0]!.id), headers(chats[0]!, rotate('2001:db8:6:6')));
      if (reopened.status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(reopened!.status).toBe(200);
    reopened!.close();
  }, 60_000);
});

describe('blocks by address cover ranges', () => {
  const admin = (method: string, route: string, body?: unknown) => send('198.51.100.250', method, route, body, { cookie: adminCookie });

  it('an admin blocks a CIDR range: every address inside is refused, the next range is not', async () => {
    const made = await admin('POST', '/api/admin/blocks', { by: 'ip', value: '2001:db8:3::/48', durationHours: 1 });
    expect(made.status).toBe(201);
    expect(made.json.block.value).toBe('2001:db8:3::/48');
    for (const client of ['2001:db8:3::1', '2001:db8:3:77::5', '2001:DB8:3:FFFF:0:0:0:9']) {
      const res = await startChat(client);
      expect(res.status, client).toBe(403);
      expect(res.json.error.code).toBe('visitor_blocked');
    }
    expect((await startChat('2001:db8:4::1')).status).toBe(200);
    const v4 = await admin('POST', '/api/admin/blocks', { by: 'ip', value: '192.0.2.0/24', durationHours: 1 });
    expect(v4.status).toBe(201);
    expect((await startChat('192.0.2.77')).status).toBe(403);
    expect((await startChat('::ffff:192.0.2.78')).status).toBe(403);
    expect((await startChat('192.0.3.1')).status).toBe(200);
  }, 60_000);

  it("blocking a chat's IPv6 visitor by address stops the other addresses of its /64", async () => {
    const chat = await startChat('2001:db8:5:5::1');
    expect(chat.status).toBe(200);
    const blocked = await admin('POST', `/api/agent/conversations/${chat.json.conversationId}/block`, { by: 'ip', durationHours: 1 });
    expect(blocked.status).toBe(200);
    expect(blocked.json.block.value).toBe('2001:db8:5:5::/64');
    expect((await startChat('2001:db8:5:5::2')).status).toBe(403);
    expect((await startChat('2001:db8:5:6::1')).status).toBe(200);
  }, 60_000);
});
