// Abuse limits on the real service (startServer, real SQLite file, RATE_LIMITS on by default): new
// conversations per address, messages per conversation, sign-in attempts, and one address flooding while
// another visitor carries on. Client addresses come from the socket, so each visitor connects from its own
// loopback source address (Linux routes all of 127/8 to lo). Assertions are on status codes only: loops
// run until the limit answers, so a slow machine (tokens trickling back) cannot fail them.
import { beforeAll, describe, expect, it } from 'vitest';
import { sendFrom, type RawReply } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

/** A question the shipped knowledge base answers: a turn that stays with the bot. */
const QUESTION = '充值卡密码几位';

// RATE_LIMITS and BUSINESS_HOURS as shipped (unset).
const live = useTestServer('abuse-limits-', { env: { HOST: '127.0.0.1', RATE_LIMITS: undefined, BUSINESS_HOURS: undefined } });

type Reply = RawReply;

/** One HTTP request to the server from the loopback source address `from` (a fresh connection each time). */
const send = (from: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
  sendFrom(live.server.port, from, method, route, body, headers);

const startChat = (from: string) => send(from, 'POST', '/api/chat', { text: QUESTION });
const continueChat = (from: string, chat: { id: string; token: string }) =>
  send(from, 'POST', '/api/chat', { text: QUESTION, conversationId: chat.id }, { authorization: `Bearer ${chat.token}` });
const login = (from: string, username: string, password: string) => send(from, 'POST', '/api/agent/login', { username, password });

async function newChat(from: string): Promise<{ id: string; token: string }> {
  const res = await startChat(from);
  expect(res.status).toBe(200);
  return { id: res.json.conversationId, token: res.json.token };
}

/** A 429 carries a whole number of seconds to wait, at least 1. */
function expectLimited(res: Reply): void {
  expect(res.status).toBe(429);
  expect(res.retryAfter).toMatch(/^[1-9]\d*$/);
  expect(res.json.error.code).toEqual(expect.any(String));
}

/** Calls `attempt` until it answers 429 (at most `max` times); returns the answers before it and the 429. */
async function untilLimited(max: number, attempt: () => Promise<Reply>): Promise<{ before: number[]; limited: Reply | undefined }> {
  const before: number[] = [];
  for (let i = 0; i < max; i++) {
    const res = await attempt();
    if (res.status === 429) return { before, limited: res };
    before.push(res.status);
  }
  return { before, limited: undefined };
}

beforeAll(() => {
  expect(live.server.config.rateLimits).toBe(true);
});

describe('abuse limits (RATE_LIMITS on)', () => {
  it('limits new conversations per address (429 + Retry-After) while another address still starts chats', async () => {
    // The creation limit (burst 30) is far below the per-address request limit (burst 300).
    const { before, limited } = await untilLimited(100, () => startChat('127.0.0.2'));
    expect(limited, 'no 429 after 100 new conversations from one address').toBeDefined();
    expectLimited(limited!);
    expect(before.length).toBeGreaterThanOrEqual(30);
    expect(new Set(before)).toEqual(new Set([200]));
    // Still refused for that address; another address is unaffected.
    expectLimited(await startChat('127.0.0.2'));
    expect((await startChat('127.0.0.3')).status).toBe(200);
    // An existing conversation of the limited address can still be continued (only creation is limited).
    const other = await newChat('127.0.0.3');
    expect((await continueChat('127.0.0.2', other)).status).toBe(200);
  }, 60_000);

  it('limits messages per conversation (429 + Retry-After) while another conversation of the same address goes on', async () => {
    const from = '127.0.0.4';
    const busy = await newChat(from);
    const { before, limited } = await untilLimited(100, () => continueChat(from, busy));
    expect(limited, 'no 429 after 100 messages to one conversation').toBeDefined();
    expectLimited(limited!);
    expect(before.length).toBeGreaterThanOrEqual(30);
    expect(new Set(before)).toEqual(new Set([200]));
    expectLimited(await continueChat(from, busy));
    // Same address, another conversation: answered (well within the per-address limit).
    const calm = await newChat(from);
    expect((await continueChat(from, calm)).status).toBe(200);
    expect((await continueChat(from, calm)).status).toBe(200);
    // The limited conversation's history is still readable (reads are not per-conversation limited).
    expect((await send(from, 'GET', `/api/conversations/${busy.id}/messages`, undefined, { authorization: `Bearer ${busy.token}` })).status).toBe(200);
  }, 60_000);

  it('limits sign-in attempts per (username, address) and per address; the owner elsewhere still signs in', async () => {
    // Per username from one address (burst 5): wrong passwords, then even the right one gets 429 there.
    const wrong = await untilLimited(20, () => login('127.0.0.5', ADMIN.username, 'not-the-password'));
    expect(wrong.limited, 'no 429 after 20 wrong passwords').toBeDefined();
    expectLimited(wrong.limited!);
    expect(wrong.before.length).toBeGreaterThanOrEqual(5);
    expect(new Set(wrong.before)).toEqual(new Set([401]));
    const right = await login('127.0.0.5', ADMIN.username, ADMIN.password);
    expectLimited(right);
    expect(right.json.agent).toBeUndefined();
    // The account is not locked: from another address the owner gets in (at most slowed by a few seconds).
    const owner = await login('127.0.0.6', ADMIN.username, ADMIN.password);
    expect(owner.status).toBe(200);
    expect(owner.json.agent.username).toBe(ADMIN.username);

    // Per address (burst 10): a different username each time, so no (username, address) bucket empties.
    const spray = await untilLimited(40, () => login('127.0.0.7', `nobody-${Math.random().toString(36).slice(2)}`, 'guess-guess-guess'));
    expect(spray.limited, 'no 429 after 40 attempts from one address').toBeDefined();
    expectLimited(spray.limited!);
    expect(spray.before.length).toBeGreaterThanOrEqual(10);
    expect(new Set(spray.before)).toEqual(new Set([401]));
    // That address is refused for any username; another address with another username is answered (401, not 429).
    expectLimited(await login('127.0.0.7', 'someone-else', 'guess-guess-guess'));
    expect((await login('127.0.0.8', 'someone-else', 'guess-guess-guess')).status).toBe(401);
  }, 60_000);

  it('a flood from one address is refused with 429 while another visitor is answered 200 throughout', async () => {
    const flooder = { from: '127.0.0.9', chat: await newChat('127.0.0.9') };
    const visitor = { from: '127.0.0.10', chat: await newChat('127.0.0.10') };
    const floodStatuses: number[] = [];
    const visitorStatuses: number[] = [];
    const read = (v: typeof flooder) =>
      send(v.from, 'GET', `/api/conversations/${v.chat.id}/messages`, undefined, { authorization: `Bearer ${v.chat.token}` });
    // Batches of 50 concurrent reads from the flooder, each followed by a read and a message from the visitor,
    // until the flooder has been refused a good number of times (the per-address burst is 300).
    for (let batch = 0; batch < 30 && floodStatuses.filter((s) => s === 429).length < 100; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => read(flooder)));
      for (const res of answers) {
        floodStatuses.push(res.status);
        if (res.status === 429) expect(res.retryAfter).toMatch(/^[1-9]\d*$/);
      }
      visitorStatuses.push((await read(visitor)).status);
      if (batch % 3 === 0) visitorStatuses.push((await continueChat(visitor.from, visitor.chat)).status);
    }
    expect(floodStatuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100);
    expect(new Set(floodStatuses)).toEqual(new Set([200, 429]));
    expect(visitorStatuses.length).toBeGreaterThan(5);
    expect(new Set(visitorStatuses)).toEqual(new Set([200]));
    // And a new visitor from yet another address starts a chat normally.
    expect((await startChat('127.0.0.11')).status).toBe(200);
  }, 120_000);
});
