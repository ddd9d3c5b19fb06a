// Hardening against the real app (real SQLite file, real sessions, app.request()): the live streams
// refuse a foreign Origin even with a valid cookie or token, and a JSON body that is not UTF-8 is refused
// with 400 invalid_encoding through the shared body reader, storing nothing.
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../handoff/http/app-env.ts';
import type { Db } from '../handoff/sqlite/db.ts';
import { overApp, signInCookie, startChat as startChatVia } from './http-kit.ts';
import { ADMIN, useWiredService } from './service-kit.ts';

/** app.request() builds requests for http://localhost: this is their own origin. */
const OWN_ORIGIN = 'http://localhost';
/** Listed in AGENT_ALLOWED_ORIGINS (a TLS proxy's public origin). */
const PROXY_ORIGIN = 'https://cs.example.com';
const FOREIGN_ORIGIN = 'https://evil.example';

/** `{"text":"<FF FE>"}`: 0xFF and 0xFE never occur in UTF-8. */
const INVALID_UTF8_CHAT = Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

let db: Db;
const wired = useWiredService('live-origin-', { AGENT_ALLOWED_ORIGINS: PROXY_ORIGIN });
let app: Hono<AppEnv>;
let adminCookie: string;

beforeAll(async () => {
  ({ db, app } = wired.service);
  adminCookie = await signInCookie(overApp(app), OWN_ORIGIN, ADMIN);
}, 60_000);

const startChat = () => startChatVia(overApp(app));

/** Opens a stream and reads its status (and, for a stream, that it is one); the body is never left open. */
async function openStream(url: string, headers: Record<string, string>): Promise<{ status: number; type: string | null; code?: string }> {
  const res = await app.request(url, { headers: { accept: 'text/event-stream', ...headers } });
  const type = res.headers.get('content-type');
  if (res.status !== 200) {
    const body = (await res.json()) as { error?: { code?: string } };
    return { status: res.status, type, ...(body.error?.code ? { code: body.error.code } : {}) };
  }
  await res.body?.cancel();
  return { status: res.status, type };
}

const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('live streams check the Origin', () => {
  it('agent stream: 403 from a foreign Origin even with a valid session cookie; own or allowed origin streams', async () => {
    const url = '/api/agent/events';
    expect(await openStream(url, { cookie: adminCookie, origin: FOREIGN_ORIGIN })).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await openStream(url, { cookie: adminCookie, origin: 'null' })).toMatchObject({ status: 403 });
    // No Origin but the browser says another site made it (a cross-site link or frame): refused as for changes.
    expect(await openStream(url, { cookie: adminCookie, 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
    expect(await openStream(url, { cookie: adminCookie, origin: OWN_ORIGIN })).toEqual({ status: 200, type: 'text/event-stream' });
    expect(await openStream(url, { cookie: adminCookie, origin: PROXY_ORIGIN })).toEqual({ status: 200, type: 'text/event-stream' });
    // No browser headers at all (curl, scripts): as for changes, allowed; the cookie is still required.
    expect(await openStream(url, { cookie: adminCookie })).toEqual({ status: 200, type: 'text/event-stream' });
    expect(await openStream(url, { origin: OWN_ORIGIN })).toMatchObject({ status: 401 });
  });

  it('visitor stream: 403 from a foreign Origin even with the conversation token; own or allowed origin streams', async () => {
    const chat = await startChat();
    const url = `/api/conversations/${chat.id}/events`;
    const auth = { authorization: `Bearer ${chat.token}` };
    expect(await openStream(url, { ...auth, origin: FOREIGN_ORIGIN })).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await openStream(url, { ...auth, 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
    expect(await openStream(url, { ...auth, origin: OWN_ORIGIN })).toEqual({ status: 200, type: 'text/event-stream' });
    expect(await openStream(url, { ...auth, origin: PROXY_ORIGIN })).toEqual({ status: 200, type: 'text/event-stream' });
    expect(await openStream(url, auth)).toEqual({ status: 200, type: 'text/event-stream' });
    expect(await openStream(url, { origin: OWN_ORIGIN })).toMatchObject({ status: 401 });
  });
});

describe('JSON bodies must be UTF-8', () => {
  const post = (url: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: OWN_ORIGIN, ...headers }, body: new Uint8Array(body) });

  it('POST /api/chat with invalid UTF-8 starts nothing: 400 invalid_encoding', async () => {
    const before = { conversations: count('conversations'), messages: count('messages') };
    const res = await post('/api/chat', INVALID_UTF8_CHAT);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('invalid_encoding');
    expect({ conversations: count('conversations'), messages: count('messages') }).toEqual(before);
  });

  it('POST /api/chat to an existing conversation with invalid UTF-8 stores no message', async () => {
    const chat = await startChat();
    const body = Buffer.concat([
      Buffer.from(`{"conversationId":"${chat.id}","text":"bad `),
      Buffer.from([0xc3, 0x28]), // a lead byte followed by a non-continuation byte
      Buffer.from('"}'),
    ]);
    const before = count('messages');
    const res = await post('/api/chat', body, { authorization: `Bearer ${chat.token}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('invalid_encoding');
    expect(count('messages')).toBe(before);
  });

  it('every JSON route reads through the same reader: an agent route and sign-in refuse it too', async () => {
    const created = await post(
      '/api/admin/agents',
      Buffer.concat([Buffer.from('{"username":"b'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('b","password":"pass-word-123"}')]),
      { cookie: adminCookie },
    );
    expect(created.status).toBe(400);
    expect(((await created.json()) as any).error.code).toBe('invalid_encoding');
    const login = await post('/api/agent/login', Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0x80]), Buffer.from('","password":"x"}')]));
    expect(login.status).toBe(400);
    expect(((await login.json()) as any).error.code).toBe('invalid_encoding');
  });

  it('valid UTF-8 (with a byte order mark) still parses', async () => {
    const res = await post('/api/chat', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ text: '你好' }))]));
    expect(res.status).toBe(200);
  });
});
