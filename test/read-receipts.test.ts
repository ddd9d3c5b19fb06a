// Read receipts over real HTTP on the whole service (issue 17): the visitor (Bearer token) and the agent holding the
// chat (session cookie, same origin) each move their side's marker forward, never back, only to a message of that
// chat; each move reaches the other side's live stream as a `read` event; another visitor's token is a 404, an agent
// who may not view the chat a 403, a cross-site change a 403, and bad input a 4xx naming it (never a 500).
import { beforeAll, describe, expect, it } from 'vitest';
import { postChat, presentAwayAgent, type Chat, type SignedIn, streamKeeper } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
const streams = streamKeeper();
useTestServer('read-receipts-', { streams, started: (s) => (base = s.url) });

let lead: SignedIn;
let alice: SignedIn;
let bob: SignedIn;

const bearer = (c: Chat) => ({ authorization: `Bearer ${c.token}` });

async function visitorRead(c: Chat, body: unknown, headers: Record<string, string> = bearer(c)): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/conversations/${c.id}/read`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

async function visitorReadState(c: Chat, headers: Record<string, string> = bearer(c)): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/conversations/${c.id}/read`, { headers });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

async function messageIds(c: Chat): Promise<Array<{ id: number; author: string }>> {
  const res = await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: bearer(c) });
  return ((await res.json()) as { messages: Array<{ id: number; author: string }> }).messages;
}

/** A chat waiting in the queue (every agent is away, so nobody is given it). */
async function queuedChat(): Promise<Chat> {
  const first = await postChat(base, '充值卡密码几位');
  const c = { id: first.conversationId, token: first.token! };
  expect((await postChat(base, '转人工', c)).reply?.kind).toBe('handoff');
  return c;
}

/** A chat `agent` holds, with a visitor message and an agent reply in it. */
async function heldBy(agent: SignedIn): Promise<{ chat: Chat; visitorMessage: number; agentMessage: number }> {
  const chat = await queuedChat();
  expect((await agent.call('POST', `/api/agent/conversations/${chat.id}/take`)).status).toBe(200);
  await postChat(base, '我的话费怎么扣了两次', chat);
  const reply = await agent.call('POST', `/api/agent/conversations/${chat.id}/messages`, { text: '我帮您查一下' });
  expect(reply.status).toBe(201);
  const visitorMessage = (await messageIds(chat)).filter((m) => m.author === 'visitor').at(-1)!.id;
  return { chat, visitorMessage, agentMessage: reply.json.message.id };
}

beforeAll(async () => {
  lead = await presentAwayAgent(base, streams, ADMIN.username, ADMIN.password);
  for (const username of ['alice', 'bob']) {
    const created = await lead.call('POST', '/api/admin/agents', { username, displayName: username, password: `${username}-pass-123`, role: 'agent', groups: ['mobile', 'billing'], capacity: 50 });
    expect(created.status).toBe(201);
  }
  alice = await presentAwayAgent(base, streams, 'alice', 'alice-pass-123');
  bob = await presentAwayAgent(base, streams, 'bob', 'bob-pass-123');
}, 60_000);

describe('the visitor side', () => {
  it('moves forward only: a later id moves it, an earlier or the same one keeps it; GET shows both sides', async () => {
    const { chat, visitorMessage, agentMessage } = await heldBy(alice);
    expect(await visitorReadState(chat)).toEqual({ status: 200, json: { read: {} } });

    const moved = await visitorRead(chat, { upTo: agentMessage });
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual({ read: { visitor: { upTo: agentMessage, at: expect.any(String) } }, moved: true });
    const back = await visitorRead(chat, { upTo: visitorMessage });
    expect(back).toEqual({ status: 200, json: { read: moved.json.read, moved: false } });
    expect((await visitorRead(chat, { upTo: agentMessage })).json.moved).toBe(false);

    expect((await alice.call('POST', `/api/agent/conversations/${chat.id}/read`, { upTo: visitorMessage })).json.moved).toBe(true);
    expect((await visitorReadState(chat)).json).toEqual({ read: { visitor: { upTo: agentMessage, at: expect.any(String) }, agent: { upTo: visitorMessage, at: expect.any(String) } } });
  });

  it('another conversation\'s token is a 404 and no token a 401, before the body is even read', async () => {
    const { chat, agentMessage } = await heldBy(alice);
    const other = await queuedChat();
    for (const body of [{ upTo: agentMessage }, {}, 'not json']) {
      expect((await visitorRead(chat, body, bearer(other))).status).toBe(404);
      expect((await visitorRead(chat, body, {})).status).toBe(401);
    }
    expect((await visitorReadState(chat, bearer(other))).status).toBe(404);
    expect((await visitorReadState(chat, {})).status).toBe(401);
    expect((await visitorReadState(chat)).json.read).toEqual({});
  });

  it('bad input is a 4xx naming it, never a 500, and moves nothing', async () => {
    const { chat } = await heldBy(alice);
    const foreign = await heldBy(bob);
    const cases: Array<[unknown, number, string]> = [
      [{ upTo: '5' }, 400, 'invalid_up_to'],
      [{ upTo: -1 }, 400, 'invalid_up_to'],
      [{ upTo: 0 }, 400, 'invalid_up_to'],
      [{ upTo: 1.5 }, 400, 'invalid_up_to'],
      [{ upTo: 2 ** 60 }, 400, 'invalid_up_to'],
      [{ upTo: null }, 400, 'invalid_up_to'],
      [{ upTo: [1] }, 400, 'invalid_up_to'],
      [{ upTo: '<script>alert(1)</script>' }, 400, 'invalid_up_to'],
      [{}, 400, 'missing_field'],
      [{ upTo: 1, extra: true }, 400, 'unknown_field'],
      ['{"upTo": 1, "__proto__": {"admin": true}}', 400, 'unknown_field'],
      [[1], 400, 'invalid_body'],
      ['{"upTo": 1', 400, 'malformed_json'],
      // A message of another conversation, and one that does not exist.
      [{ upTo: foreign.agentMessage }, 400, 'not_a_message'],
      [{ upTo: 9_000_000 }, 400, 'not_a_message'],
      [`{"upTo": 1, "pad": "${'x'.repeat(400)}"}`, 413, 'payload_too_large'],
    ];
    for (const [body, status, code] of cases) {
      const res = await visitorRead(chat, body);
      expect([res.status, res.json?.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const plain = await fetch(`${base}/api/conversations/${chat.id}/read`, { method: 'POST', headers: { 'content-type': 'text/plain', ...bearer(chat) }, body: '{"upTo":1}' });
    expect(plain.status).toBe(415);
    expect((await visitorReadState(chat)).json.read).toEqual({});
  });
});

describe('the agent side', () => {
  it('the holder moves it; an agent who may not view the chat gets 403; one who only views it moves nothing', async () => {
    const { chat, visitorMessage } = await heldBy(alice);
    const path = `/api/agent/conversations/${chat.id}/read`;
    expect((await bob.call('POST', path, { upTo: visitorMessage })).status).toBe(403);
    expect((await bob.call('GET', path)).status).toBe(403);
    expect((await alice.call('POST', '/api/agent/conversations/no-such-chat/read', { upTo: visitorMessage })).status).toBe(404);
    // The admin may view any chat, but reading it is not the visitor's agent reading it.
    const admin = await lead.call('POST', path, { upTo: visitorMessage });
    expect(admin).toEqual({ status: 200, json: { read: {}, moved: false } });
    expect((await lead.call('GET', path)).json).toEqual({ read: {} });

    const held = await alice.call('POST', path, { upTo: visitorMessage });
    expect(held.json).toEqual({ read: { agent: { upTo: visitorMessage, at: expect.any(String) } }, moved: true });
    expect((await alice.call('POST', path, { upTo: visitorMessage - 1 })).json.moved).toBe(false);
    expect((await alice.call('GET', path)).json).toEqual({ read: held.json.read });
    // Bad input the same way as the visitor's.
    expect((await alice.call('POST', path, { upTo: 'all' })).json.error.code).toBe('invalid_up_to');
    expect((await alice.call('POST', path, { upTo: 9_000_000 })).json.error.code).toBe('not_a_message');
  });

  it('a cross-site request is refused before anything else (403), and moves nothing', async () => {
    const { chat, visitorMessage } = await heldBy(alice);
    for (const origin of ['https://evil.example', 'null']) {
      const res = await fetch(`${base}/api/agent/conversations/${chat.id}/read`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice.cookie, origin },
        body: JSON.stringify({ upTo: visitorMessage }),
      });
      expect(res.status, origin).toBe(403);
    }
    expect((await alice.call('GET', `/api/agent/conversations/${chat.id}/read`)).json.read).toEqual({});
  });
});

describe('the other side hears of it live', () => {
  it('the holder reading reaches the visitor\'s stream; the visitor reading reaches the holder\'s stream; nobody hears their own', async () => {
    const { chat, visitorMessage, agentMessage } = await heldBy(alice);
    const visitorStream = await streams.open(`${base}/api/conversations/${chat.id}/events`, bearer(chat));
    const agentStream = await streams.open(`${base}/api/agent/events`, { cookie: alice.cookie });
    await visitorStream.waitFor((e) => e.event === 'ready', 5000);
    await agentStream.waitFor((e) => e.event === 'ready', 5000);

    expect((await alice.call('POST', `/api/agent/conversations/${chat.id}/read`, { upTo: visitorMessage })).json.moved).toBe(true);
    const toVisitor = await visitorStream.waitFor((e) => e.event === 'read', 5000);
    expect(toVisitor.json).toEqual({ conversationId: chat.id, reader: 'agent', upTo: visitorMessage, at: expect.any(String) });

    expect((await visitorRead(chat, { upTo: agentMessage })).json.moved).toBe(true);
    const toAgent = await agentStream.waitFor((e) => e.event === 'read' && e.json.conversationId === chat.id, 5000);
    expect(toAgent.json).toEqual({ conversationId: chat.id, reader: 'visitor', upTo: agentMessage, at: expect.any(String) });

    // A mark that moves nothing says nothing; and neither side is told of its own reading.
    await visitorRead(chat, { upTo: agentMessage });
    await postChat(base, '好的', chat);
    await visitorStream.waitFor((e) => e.event === 'message' && e.json.text === '好的', 5000);
    await agentStream.waitFor((e) => e.event === 'message' && e.json.text === '好的', 5000);
    expect(visitorStream.events.filter((e) => e.event === 'read').map((e) => e.json.reader)).toEqual(['agent']);
    expect(agentStream.events.filter((e) => e.event === 'read' && e.json.conversationId === chat.id).map((e) => e.json.reader)).toEqual(['visitor']);
  });
});
