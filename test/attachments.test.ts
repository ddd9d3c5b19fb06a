// Files in a chat with a person, over real HTTP on the whole service (issue 17): the visitor and the holder upload
// (multipart field `file`), the message carrying the file shows in the history, both live streams and the agent's
// view; the bytes download for that visitor and the agents who may view the chat and nobody else (404); types are
// judged by content (415 unsupported_type), MAX_ATTACHMENT_BYTES is counted as the file streams in (413), names are
// labels never paths, downloads cannot run as a page, and erasure and retention remove the files.
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { postChat, presentAwayAgent, signIn, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, testConfig, useTestServer, wireService } from './service-kit.ts';
import {
  GIF, GIF_DEEP_POLYGLOT, GIF_HTML_POLYGLOT, HTML_PAGE, JPEG, PDF, PDF_HTML_POLYGLOT, WEBP, pngBytes, upload, type TestFile,
} from './attachment-files.ts';

/** Small, so the oversize cases stay quick. */
const MAX_BYTES = 64 * 1024;
let base: string;
let dataDir: string;
const streams = streamKeeper();
useTestServer('attachments-', { env: { MAX_ATTACHMENT_BYTES: String(MAX_BYTES) }, streams, started: (s) => ((base = s.url), (dataDir = s.config.dataDir)) });

let lead: SignedIn;
let alice: SignedIn;
let bob: SignedIn;
let erin: SignedIn;

const png: TestFile = { name: 'bill photo.png', type: 'image/png', bytes: pngBytes() };
const bearer = (c: Chat) => ({ authorization: `Bearer ${c.token}` });
const visitorUpload = (c: Chat, file: TestFile) => upload(`${base}/api/conversations/${c.id}/attachments`, file, bearer(c));
const agentUpload = (agent: SignedIn, c: Chat, file: TestFile, origin = base) =>
  upload(`${base}/api/agent/conversations/${c.id}/attachments`, file, { cookie: agent.cookie, origin });
const download = (url: string, headers: Record<string, string> = {}) => fetch(`${base}${url}`, { headers });

/** A visitor chat waiting in the queue (every agent is away, so nobody is given it). */
async function queuedChat(): Promise<Chat> {
  const first = await postChat(base, '充值卡密码几位');
  const c = { id: first.conversationId, token: first.token! };
  expect((await postChat(base, '转人工', c)).reply?.kind).toBe('handoff');
  return c;
}

async function heldBy(agent: SignedIn): Promise<Chat> {
  const c = await queuedChat();
  expect((await agent.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
  return c;
}

async function history(c: Chat): Promise<{ status: string; messages: any[] }> {
  const res = await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: bearer(c) });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; messages: any[] };
}

beforeAll(async () => {
  lead = await presentAwayAgent(base, streams, ADMIN.username, ADMIN.password);
  // Many chats each, none closed: capacity is not what this file tests.
  for (const username of ['alice', 'bob']) {
    const created = await lead.call('POST', '/api/admin/agents', { username, displayName: username, password: `${username}-pass-123`, role: 'agent', groups: ['mobile', 'billing'], capacity: 50 });
    expect(created.status).toBe(201);
  }
  alice = await presentAwayAgent(base, streams, 'alice', 'alice-pass-123');
  bob = await presentAwayAgent(base, streams, 'bob', 'bob-pass-123');
  const editor = await lead.call('POST', '/api/admin/agents', { username: 'erin', displayName: 'Erin', password: 'erin-edits-faq-1', role: 'editor' });
  expect(editor.status).toBe(201);
  erin = await signIn(base, 'erin', 'erin-edits-faq-1');
}, 60_000);

describe('sending files both ways', () => {
  it('a queued visitor sends an image: 201, and history, both live streams and the agent view carry it; both sides download it', async () => {
    const c = await queuedChat();
    const visitorStream = await streams.open(`${base}/api/conversations/${c.id}/events`, bearer(c));
    const agentStream = await streams.open(`${base}/api/agent/events`, { cookie: alice.cookie });
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);

    const sent = await visitorUpload(c, png);
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const attachment = sent.json.attachment;
    expect(attachment).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), name: 'bill photo.png', type: 'image/png', size: png.bytes.length, url: `/api/conversations/${c.id}/attachments/${attachment.id}` });

    const last = (await history(c)).messages.at(-1);
    expect(last).toMatchObject({ author: 'visitor', text: 'bill photo.png', attachment });
    const live = await visitorStream.waitFor((e) => e.event === 'message' && e.json.attachment?.id === attachment.id, 5000);
    expect(live.json).toMatchObject({ author: 'visitor', attachment });
    const agentLive = await agentStream.waitFor((e) => e.event === 'message' && e.json.attachment?.id === attachment.id, 5000);
    expect(agentLive.json).toMatchObject({ conversationId: c.id, author: 'visitor', attachment });
    const view = await alice.call('GET', `/api/agent/conversations/${c.id}`);
    expect(view.json.messages.at(-1)).toMatchObject({ author: 'visitor', attachment });

    for (const headers of [bearer(c), { cookie: alice.cookie }]) {
      const res = await download(attachment.url, headers);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(png.bytes);
      expect(res.headers.get('content-type')).toBe('image/png');
    }
  });

  it('the holder sends a PDF; the visitor gets it as a download, never a page', async () => {
    const c = await heldBy(alice);
    const sent = await agentUpload(alice, c, { name: 'invoice-2025-03.pdf', type: 'application/pdf', bytes: PDF });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    expect(sent.json.attachment).toMatchObject({ name: 'invoice-2025-03.pdf', type: 'application/pdf', size: PDF.length });
    expect((await history(c)).messages.at(-1)).toMatchObject({ author: 'agent', text: 'invoice-2025-03.pdf', attachment: sent.json.attachment });

    const res = await download(sent.json.attachment.url, bearer(c));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="invoice-2025-03.pdf"; filename*=UTF-8''invoice-2025-03.pdf`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PDF);
  });

  it('images are shown inline as images only: their sniffed type, nosniff, a CSP with no script and a sandbox', async () => {
    const c = await heldBy(alice);
    const sent = await visitorUpload(c, { name: 'gif.gif', type: 'image/gif', bytes: GIF });
    const res = await download(sent.json.attachment.url, { cookie: alice.cookie });
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  });

  it('files go in only while a person has the chat: 409 with the bot, 409 to an agent who does not hold it', async () => {
    const first = await postChat(base, '你好');
    const withBot = { id: first.conversationId, token: first.token! };
    const refused = await visitorUpload(withBot, png);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('not_with_person');

    const c = await heldBy(alice);
    const notHis = await agentUpload(bob, c, png);
    expect(notHis.status).toBe(409);
    expect(notHis.json.error.message).toMatch(/not yours/);
    const queued = await queuedChat();
    expect((await agentUpload(alice, queued, png)).status).toBe(409);
    // Nothing was stored by the refusals.
    expect((await history(c)).messages.some((m) => m.attachment)).toBe(false);
    expect((await history(withBot)).messages.some((m) => m.attachment)).toBe(false);
  });

  it('the credentials: no token 401, another visitor\'s token 404, an agent cookie from a foreign Origin 403, an editor 403', async () => {
    const c = await heldBy(alice);
    const other = await queuedChat();
    expect((await upload(`${base}/api/conversations/${c.id}/attachments`, png)).status).toBe(401);
    expect((await upload(`${base}/api/conversations/${c.id}/attachments`, png, bearer(other))).status).toBe(404);
    expect((await agentUpload(alice, c, png, 'https://evil.example')).status).toBe(403);
    expect((await agentUpload(erin, c, png)).status).toBe(403);
    expect((await upload(`${base}/api/agent/conversations/${c.id}/attachments`, png)).status).toBe(401);
  });
});

describe('who may download', () => {
  it('the visitor and agents who may view the chat; anyone else 404, as for an id that does not exist', async () => {
    const c = await heldBy(alice);
    const other = await queuedChat();
    const { json } = await visitorUpload(c, png);
    const url: string = json.attachment.url;
    const status = async (headers: Record<string, string>) => {
      const res = await download(url, headers);
      await res.body?.cancel();
      return res.status;
    };
    expect(await status(bearer(c))).toBe(200);
    expect(await status({ cookie: alice.cookie })).toBe(200);
    // Another visitor, nobody, a malformed header, an agent who neither holds it nor has it waiting, an editor.
    expect(await status(bearer(other))).toBe(404);
    expect(await status({})).toBe(404);
    expect(await status({ authorization: 'Basic abc' })).toBe(404);
    expect(await status({ cookie: bob.cookie })).toBe(404);
    expect(await status({ cookie: erin.cookie })).toBe(404);
    expect(await status({ cookie: 'tc_session=forged' })).toBe(404);
    // The visitor's token does not reach another conversation's files, even through that conversation's path.
    const theirs = await fetch(`${base}/api/conversations/${other.id}/attachments/${json.attachment.id}`, { headers: bearer(other) });
    expect(theirs.status).toBe(404);
    // Ids that are no ids.
    for (const id of ['nope', '..%2F..%2Fchat.sqlite', '%2e%2e', 'a'.repeat(80)]) {
      const res = await fetch(`${base}/api/conversations/${c.id}/attachments/${id}`, { headers: bearer(c) });
      expect(res.status, id).toBe(404);
    }
  });

  it('an admin may download any chat\'s file, and the read of a chat they do not hold is audited', async () => {
    const c = await heldBy(alice);
    const { json } = await visitorUpload(c, png);
    const res = await download(json.attachment.url, { cookie: lead.cookie });
    expect(res.status).toBe(200);
    const audit = await lead.call('GET', '/api/admin/audit?action=attachment.viewed');
    expect(audit.status).toBe(200);
    expect(audit.json.entries[0]).toMatchObject({ action: 'attachment.viewed', target: { type: 'conversation', id: c.id } });
  });
});

describe('hostile files', () => {
  it('judges types by content, never by name or declared type: a page named .png is 415 unsupported_type', async () => {
    const c = await heldBy(alice);
    for (const file of [
      { name: 'photo.png', type: 'image/png', bytes: HTML_PAGE },
      { name: 'notes.txt', type: 'text/plain', bytes: new Uint8Array(Buffer.from('just some text')) },
      { name: 'vector.svg', type: 'image/svg+xml', bytes: new Uint8Array(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')) },
      { name: 'archive.pdf', type: 'application/pdf', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]) },
    ]) {
      const res = await visitorUpload(c, file);
      expect(res.status, file.name).toBe(415);
      expect(res.json.error.code).toBe('unsupported_type');
    }
    // Each accepted type, whatever it is called and declared as: stored as what its bytes are.
    for (const [bytes, type] of [[pngBytes(), 'image/png'], [JPEG, 'image/jpeg'], [GIF, 'image/gif'], [WEBP, 'image/webp'], [PDF, 'application/pdf']] as const) {
      const res = await visitorUpload(c, { name: 'renamed.txt', type: 'text/html', bytes });
      expect(res.status, type).toBe(201);
      expect(res.json.attachment.type).toBe(type);
    }
    expect((await history(c)).messages.filter((m) => m.attachment).length).toBe(5);
  });

  it('refuses a polyglot whose start is a page (GIF + HTML, PDF + HTML), and serves one hidden deeper so it can never run', async () => {
    const c = await heldBy(alice);
    for (const bytes of [GIF_HTML_POLYGLOT, PDF_HTML_POLYGLOT]) {
      const res = await visitorUpload(c, { name: 'funny.gif', type: 'image/gif', bytes });
      expect(res.status).toBe(415);
      expect(res.json.error.code).toBe('unsupported_type');
    }
    const deep = await visitorUpload(c, { name: 'page.html', type: 'text/html', bytes: GIF_DEEP_POLYGLOT });
    expect(deep.status).toBe(201);
    expect(deep.json.attachment).toMatchObject({ type: 'image/gif', name: 'page.html' });
    const res = await download(deep.json.attachment.url, bearer(c));
    // Served as the GIF it was judged to be: nosniff forbids reading it as anything else, the CSP forbids script.
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
  });

  it('stores path tricks, NUL, direction overrides, markup and very long names as harmless labels, and the file by its id only', async () => {
    const c = await heldBy(alice);
    const cases: Array<[string, string]> = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['photo\u202Egnp.exe', 'photognp.exe'],
      // The slash of `</script>` makes the rest a path: only its last segment is the name.
      ['<script>alert(1)</script>.png', 'script>.png'],
      ['<img src=x onerror=alert(1)>.png', '<img src=x onerror=alert(1)>.png'],
      ['..', 'file.png'],
    ];
    for (const [raw, shown] of cases) {
      const res = await visitorUpload(c, { name: raw, type: 'image/png', bytes: pngBytes() });
      expect(res.status, raw).toBe(201);
      // Kept as a label: the last path segment, without control or direction characters.
      expect(res.json.attachment.name, raw).toBe(shown);
      expect(res.json.attachment.name).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069/\\]/);
    }
    // NUL: encoded in the header (RFC 5987) it is stored without it; raw in a part header the body is malformed
    // multipart (400), and nothing is stored.
    const raw = async (disposition: string) => {
      const body = Buffer.concat([
        Buffer.from(`--b0undary\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: image/png\r\n\r\n`, 'latin1'),
        Buffer.from(pngBytes()),
        Buffer.from('\r\n--b0undary--\r\n'),
      ]);
      const res = await fetch(`${base}/api/conversations/${c.id}/attachments`, { method: 'POST', headers: { ...bearer(c), 'content-type': 'multipart/form-data; boundary=b0undary' }, body });
      return { status: res.status, json: (await res.json()) as any };
    };
    const encoded = await raw(`filename*=UTF-8''evil%00%E2%80%AEgnp.png`);
    expect(encoded.status).toBe(201);
    expect(encoded.json.attachment.name).toBe('evilgnp.png');
    const before = (await history(c)).messages.length;
    const nul = await raw('filename="evil\u0000.png"');
    expect(nul.status).toBe(400);
    expect(nul.json.error.code).toBe('invalid_multipart');
    expect((await history(c)).messages.length).toBe(before);

    const long = await visitorUpload(c, { name: `${'很长的文件名'.repeat(60)}.png`, type: 'image/png', bytes: pngBytes() });
    expect(long.status).toBe(201);
    expect(Array.from(long.json.attachment.name as string).length).toBeLessThanOrEqual(120);
    expect(long.json.attachment.name).toMatch(/…\.png$/);
    // The download's header names it safely: quoted ASCII stand-in and the exact name percent-encoded.
    const res = await download(long.json.attachment.url, bearer(c));
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
    // On disk: every file is named by an attachment id, nothing else, and nothing outside the folder.
    const folder = path.join(dataDir, 'attachments');
    expect(readdirSync(folder).every((name) => /^[A-Za-z0-9_-]{22}$/.test(name))).toBe(true);
    expect(existsSync(path.join(dataDir, 'passwd'))).toBe(false);
  });
});

describe('the upload limit (MAX_ATTACHMENT_BYTES) and malformed uploads', () => {
  it('413 for a file over the limit, judged by Content-Length before the body is read', async () => {
    const c = await heldBy(alice);
    const res = await visitorUpload(c, { name: 'big.png', type: 'image/png', bytes: new Uint8Array(MAX_BYTES + 1).fill(7) });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    // Announced larger than any file may be: refused at once, before the credentials and with the body unread.
    const { port } = new URL(base);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        data += chunk;
        if (data.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
      socket.write(`POST /api/conversations/${c.id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 104857600\r\n\r\n--b\r\n`);
    });
    expect(head).toMatch(/^HTTP\/1\.1 413/);
    expect(head.toLowerCase()).toContain('connection: close');
    // Exactly at the limit is fine.
    const png = pngBytes();
    const full = new Uint8Array(MAX_BYTES);
    full.set(png);
    expect((await visitorUpload(c, { name: 'full.png', type: 'image/png', bytes: full })).status).toBe(201);
  });

  it('413 for a chunked upload as soon as it passes the limit, without reading the rest; the server keeps serving', async () => {
    const c = await heldBy(alice);
    const boundary = 'xYzBoundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`;
    const { port } = new URL(base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let data = '';
      let sent = 0;
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        data += chunk;
        if (data.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
      socket.write(
        `POST /api/conversations/${c.id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${c.token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      const chunk = (s: Buffer) => socket.write(`${s.length.toString(16)}\r\n${s.toString('latin1')}\r\n`, 'latin1');
      chunk(Buffer.concat([Buffer.from(head), Buffer.from(pngBytes())]));
      // Keep sending 8 KiB pieces (far past the limit if nobody stopped us) until the answer comes.
      const timer = setInterval(() => {
        if (socket.destroyed || sent > MAX_BYTES * 20) return clearInterval(timer);
        sent += 8192;
        chunk(Buffer.alloc(8192, 0x41));
      }, 2);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('400 without a file part or with an empty file, 415 for a JSON body, and the connection stays usable', async () => {
    const c = await heldBy(alice);
    const noFile = await upload(`${base}/api/conversations/${c.id}/attachments`, png, bearer(c), 'picture');
    expect(noFile.status).toBe(400);
    expect(noFile.json.error.code).toBe('missing_file');
    const empty = await visitorUpload(c, { name: 'empty.png', type: 'image/png', bytes: new Uint8Array(0) });
    expect(empty.status).toBe(400);
    expect(empty.json.error.code).toBe('empty_file');
    const json = await fetch(`${base}/api/conversations/${c.id}/attachments`, { method: 'POST', headers: { ...bearer(c), 'content-type': 'application/json' }, body: '{"file":"x"}' });
    expect(json.status).toBe(415);
    const broken = await fetch(`${base}/api/conversations/${c.id}/attachments`, {
      method: 'POST',
      headers: { ...bearer(c), 'content-type': 'multipart/form-data; boundary=nope' },
      body: '--other\r\ngarbage',
    });
    expect(broken.status).toBe(400);
    expect((await visitorUpload(c, png)).status).toBe(201);
  });
});

describe('erasure and retention remove the files', () => {
  it('a privacy erasure deletes the file from DATA_DIR, and its URL answers 404', async () => {
    const c = await heldBy(alice);
    const { json } = await visitorUpload(c, png);
    const file = path.join(dataDir, 'attachments', json.attachment.id);
    expect(existsSync(file)).toBe(true);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    const erased = await lead.call('DELETE', `/api/admin/visitors/${c.id}/transcripts`);
    expect(erased.status, JSON.stringify(erased.json)).toBe(200);
    expect(existsSync(file)).toBe(false);
    expect((await download(json.attachment.url, { cookie: lead.cookie })).status).toBe(404);
  });

  it('RETENTION_DAYS erases an old chat\'s files with it', async () => {
    let now = Date.now();
    const data = testConfig('attachments-retention-', { RETENTION_DAYS: '1' });
    const first = await wireService(data.config, { clock: () => new Date(now) });
    let file: string;
    try {
      const chat = await first.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '转人工' }) });
      const { conversationId, token } = (await chat.json()) as { conversationId: string; token: string };
      const form = new FormData();
      form.append('file', new Blob([Buffer.from(pngBytes())], { type: 'image/png' }), 'old.png');
      const sent = await first.app.request(`/api/conversations/${conversationId}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(sent.status, await sent.clone().text()).toBe(201);
      file = path.join(data.dataDir, 'attachments', ((await sent.json()) as { attachment: { id: string } }).attachment.id);
      expect(existsSync(file)).toBe(true);
      const closed = await first.app.request(`/api/conversations/${conversationId}/close`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(closed.status).toBe(200);
    } finally {
      await first.stop();
    }
    // Two days on, the service starts again: its first retention run erases the chat and its file.
    now += 2 * 24 * 3_600_000;
    const second = await wireService(data.config, { clock: () => new Date(now) });
    try {
      await expect.poll(() => existsSync(file), { timeout: 10_000 }).toBe(false);
    } finally {
      await second.stop();
      data.remove();
    }
  });
});
