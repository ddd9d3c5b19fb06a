// The canned library's links and files over real HTTP on the whole service (issue 17): admins add links (http(s)
// only: javascript:, data:, hidden characters, credentials and oversize addresses are 400) and files (judged by
// content: 415 for a page named .png, 413 over MAX_ATTACHMENT_BYTES); agents and editors may not (403); agents read
// the file, and the holder sends it into a chat, where it is an ordinary attachment the visitor downloads; anyone
// else gets 409 or 404. Deleting the entry removes the library's bytes and leaves the chat's copy.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { postChat, presentAwayAgent, signIn, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';
import { GIF, HTML_PAGE, PDF, pngBytes, type TestFile } from './attachment-files.ts';

const MAX_BYTES = 32 * 1024;
let base: string;
let dataDir: string;
const streams = streamKeeper();
useTestServer('canned-library-', { env: { MAX_ATTACHMENT_BYTES: String(MAX_BYTES) }, streams, started: (s) => ((base = s.url), (dataDir = s.config.dataDir)) });

let lead: SignedIn;
let alice: SignedIn;
let bob: SignedIn;
let erin: SignedIn;

const png: TestFile = { name: 'qr-code.png', type: 'image/png', bytes: pngBytes(12, 12) };

/** POSTs a multipart body: the file (unless null) and the text parts, with `headers`. */
async function multipart(url: string, file: TestFile | null, fields: Record<string, string>, headers: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
  const res = await fetch(url, { method: 'POST', headers, body: form });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const addFile = (who: SignedIn, file: TestFile | null, fields: Record<string, string>) =>
  multipart(`${base}/api/admin/canned/files`, file, fields, { cookie: who.cookie, origin: base });

async function heldBy(agent: SignedIn): Promise<Chat> {
  const first = await postChat(base, '充值卡密码几位');
  const c = { id: first.conversationId, token: first.token! };
  expect((await postChat(base, '转人工', c)).reply?.kind).toBe('handoff');
  expect((await agent.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
  return c;
}

beforeAll(async () => {
  lead = await presentAwayAgent(base, streams, ADMIN.username, ADMIN.password);
  for (const username of ['alice', 'bob']) {
    const created = await lead.call('POST', '/api/admin/agents', { username, displayName: username, password: `${username}-pass-123`, role: 'agent', groups: ['mobile', 'billing'], capacity: 20 });
    expect(created.status).toBe(201);
  }
  alice = await presentAwayAgent(base, streams, 'alice', 'alice-pass-123');
  bob = await presentAwayAgent(base, streams, 'bob', 'bob-pass-123');
  expect((await lead.call('POST', '/api/admin/agents', { username: 'erin', displayName: 'Erin', password: 'erin-edits-faq-1', role: 'editor' })).status).toBe(201);
  erin = await signIn(base, 'erin', 'erin-edits-faq-1');
}, 60_000);

describe('links in the canned library', () => {
  it('an admin adds a link (shared, kept as the parser writes it); agents list it; only admins may add or change one', async () => {
    const made = await lead.call('POST', '/api/agent/canned', { kind: 'link', shortcut: '/plans', title: '5G 套餐介绍', url: 'HTTPS://WWW.Example.CN/plans/5g?from=chat', category: '套餐' });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json.reply).toMatchObject({ kind: 'link', scope: 'shared', url: 'https://www.example.cn/plans/5g?from=chat', title: '5G 套餐介绍', category: '套餐' });
    const listed = await alice.call('GET', '/api/agent/canned?kind=link');
    expect(listed.json.replies.map((r: { shortcut: string }) => r.shortcut)).toEqual(['/plans']);

    // Agents use the library; they do not keep it.
    const denied = await alice.call('POST', '/api/agent/canned', { kind: 'link', shortcut: '/mine', title: 'Mine', url: 'https://example.com/' });
    expect(denied.status).toBe(403);
    expect((await alice.call('PATCH', `/api/agent/canned/${made.json.reply.id}`, { url: 'https://evil.example/' })).status).toBe(403);
    expect((await erin.call('GET', '/api/agent/canned')).status).toBe(403);

    const moved = await lead.call('PATCH', `/api/agent/canned/${made.json.reply.id}`, { url: 'https://www.example.cn/plans/5g-2025' });
    expect(moved.status).toBe(200);
    expect(moved.json.reply).toMatchObject({ url: 'https://www.example.cn/plans/5g-2025', text: 'https://www.example.cn/plans/5g-2025' });
  });

  it('refuses every address that is no plain http(s) link (400 invalid_url), and mixed-up fields', async () => {
    const bad = [
      'javascript:alert(document.cookie)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\u0000script:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com/x',
      '//example.com/x',
      '/relative/path',
      'https://bank.example@evil.example/login',
      'https://user:pw@example.com/',
      'https://exa\u202Emple.com/',
      'https://example.com/\u200Bx',
      'http://',
      `https://example.com/${'a'.repeat(2100)}`,
      '',
    ];
    for (const url of bad) {
      const res = await lead.call('POST', '/api/agent/canned', { kind: 'link', shortcut: '/bad', title: 'Bad', url });
      expect(res.status, JSON.stringify(url)).toBe(400);
      expect(res.json.error.code, JSON.stringify(url)).toBe('invalid_url');
    }
    for (const url of [42, null, ['https://example.com/'], { href: 'https://example.com/' }]) {
      const res = await lead.call('POST', '/api/agent/canned', { kind: 'link', shortcut: '/bad', title: 'Bad', url });
      expect(res.status, JSON.stringify(url)).toBe(400);
    }
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'link', shortcut: '/l1', title: 'L' }, 'missing_field'],
      [{ kind: 'link', shortcut: '/l2', title: 'L', url: 'https://a.example/', text: 'words' }, 'invalid_text'],
      [{ kind: 'link', shortcut: '/l3', title: 'L', url: 'https://a.example/', shared: false }, 'invalid_shared'],
      [{ kind: 'text', shortcut: '/t1', title: 'T', text: 'x', url: 'https://a.example/' }, 'invalid_url'],
      [{ kind: 'file', shortcut: '/f1', title: 'F' }, 'invalid_kind'],
      [{ kind: 'movie', shortcut: '/m1', title: 'M', text: 'x' }, 'invalid_kind'],
      [{ kind: 'link', shortcut: '/l4', title: 'x'.repeat(101), url: 'https://a.example/' }, 'invalid_title'],
    ];
    for (const [body, code] of cases) {
      const res = await lead.call('POST', '/api/agent/canned', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code, JSON.stringify(body)).toBe(code);
    }
    // A text entry has no url to change, a link no text.
    const text = await lead.call('POST', '/api/agent/canned', { shortcut: '/words', title: 'Words', text: 'hello', shared: true });
    expect((await lead.call('PATCH', `/api/agent/canned/${text.json.reply.id}`, { url: 'https://a.example/' })).json.error.code).toBe('invalid_url');
    const link = await lead.call('POST', '/api/agent/canned', { kind: 'link', shortcut: '/site', title: 'Site', url: 'https://a.example/' });
    expect((await lead.call('PATCH', `/api/agent/canned/${link.json.reply.id}`, { text: 'hello' })).json.error.code).toBe('invalid_text');
    expect((await lead.call('PATCH', `/api/agent/canned/${link.json.reply.id}`, { url: 'javascript:alert(1)' })).json.error.code).toBe('invalid_url');
    expect((await alice.call('GET', '/api/agent/canned?kind=video')).status).toBe(400);
  });
});

describe('files in the canned library', () => {
  it('an admin uploads an image; agents see it in the list and read its bytes, served so it cannot run', async () => {
    const res = await addFile(lead, png, { shortcut: '/qr', title: '营业厅二维码', category: '渠道', lang: '' });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const reply = res.json.reply;
    expect(reply).toMatchObject({ kind: 'file', scope: 'shared', shortcut: '/qr', title: '营业厅二维码', category: '渠道', text: 'qr-code.png' });
    expect(reply.file).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), name: 'qr-code.png', type: 'image/png', size: png.bytes.length });
    expect(readdirSync(path.join(dataDir, 'canned-files'))).toContain(reply.file.id);

    const listed = await alice.call('GET', '/api/agent/canned?kind=file');
    expect(listed.json.replies.map((r: { id: string }) => r.id)).toContain(reply.id);
    const got = await fetch(`${base}/api/agent/canned/${reply.id}/file`, { headers: { cookie: alice.cookie } });
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(png.bytes);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toContain('sandbox');
    expect(got.headers.get('content-disposition')).toMatch(/^inline; /);

    // The title defaults to the file's name; a PDF downloads, never opens in the page.
    const pdf = await addFile(lead, { name: 'fees 2025.pdf', type: 'application/pdf', bytes: PDF }, { shortcut: '/fees' });
    expect(pdf.status).toBe(201);
    expect(pdf.json.reply).toMatchObject({ title: 'fees 2025.pdf', file: { type: 'application/pdf' } });
    const pdfGot = await fetch(`${base}/api/agent/canned/${pdf.json.reply.id}/file`, { headers: { cookie: bob.cookie } });
    expect(pdfGot.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('refuses a wrong type (415), an oversize file (413), bad fields (400) and other roles (403), storing nothing', async () => {
    const before = existsSync(path.join(dataDir, 'canned-files')) ? readdirSync(path.join(dataDir, 'canned-files')).length : 0;
    const page = await addFile(lead, { name: 'photo.png', type: 'image/png', bytes: HTML_PAGE }, { shortcut: '/page' });
    expect(page.status).toBe(415);
    expect(page.json.error.code).toBe('unsupported_type');
    const text = await addFile(lead, { name: 'notes.txt', type: 'text/plain', bytes: new TextEncoder().encode('just words') }, { shortcut: '/notes' });
    expect(text.status).toBe(415);
    const big = await addFile(lead, { name: 'big.png', type: 'image/png', bytes: new Uint8Array([...pngBytes(), ...new Uint8Array(MAX_BYTES)]) }, { shortcut: '/big' });
    expect(big.status).toBe(413);
    for (const [fields, code] of [
      [{ shortcut: 'no spaces allowed' }, 'invalid_shortcut'],
      [{}, 'missing_field'],
      [{ shortcut: '/x', lang: 'fr' }, 'invalid_lang'],
      [{ shortcut: '/x', title: '' }, 'invalid_title'],
      [{ shortcut: '/x', owner: 'me' }, 'unknown_field'],
      [{ shortcut: '/x', category: 'c'.repeat(41) }, 'invalid_category'],
    ] as Array<[Record<string, string>, string]>) {
      const res = await addFile(lead, { name: 'g.gif', type: 'image/gif', bytes: GIF }, fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.json.error.code, JSON.stringify(fields)).toBe(code);
    }
    const none = await addFile(lead, null, { shortcut: '/nofile' });
    expect(none.status).toBe(400);
    expect(none.json.error.code).toBe('missing_file');
    const json = await lead.call('POST', '/api/admin/canned/files', { shortcut: '/json' });
    expect(json.status).toBe(415);
    // A shortcut the library already has: 409, and the uploaded bytes go again.
    const taken = await addFile(lead, { name: 'g.gif', type: 'image/gif', bytes: GIF }, { shortcut: '/qr' });
    expect(taken.status).toBe(409);

    expect((await addFile(alice, png, { shortcut: '/mine' })).status).toBe(403);
    expect((await addFile(erin, png, { shortcut: '/mine' })).status).toBe(403);
    expect((await multipart(`${base}/api/admin/canned/files`, png, { shortcut: '/anon' }, { origin: base })).status).toBe(401);
    // A foreign page cannot make an admin's browser upload.
    expect((await multipart(`${base}/api/admin/canned/files`, png, { shortcut: '/csrf' }, { cookie: lead.cookie, origin: 'https://evil.example' })).status).toBe(403);
    const after = existsSync(path.join(dataDir, 'canned-files')) ? readdirSync(path.join(dataDir, 'canned-files')).length : 0;
    expect(after).toBe(before);
  });

  it('the holder sends a library file into the chat: an agent attachment the visitor downloads; nobody else may', async () => {
    const entry = (await addFile(lead, { name: '办理指南.pdf', type: 'application/pdf', bytes: PDF }, { shortcut: '/guide' })).json.reply;
    const c = await heldBy(alice);
    const visitorStream = await streams.open(`${base}/api/conversations/${c.id}/events`, { authorization: `Bearer ${c.token}` });

    // Not the holder: 409; an editor: 403; no session: 401.
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/canned-files/${entry.id}`)).status).toBe(409);
    expect((await erin.call('POST', `/api/agent/conversations/${c.id}/canned-files/${entry.id}`)).status).toBe(403);
    expect((await fetch(`${base}/api/agent/conversations/${c.id}/canned-files/${entry.id}`, { method: 'POST', headers: { origin: base } })).status).toBe(401);
    // Only files are sent this way; unknown entries and conversations are 404.
    const text = await lead.call('POST', '/api/agent/canned', { shortcut: '/plain', title: 'Plain', text: 'hi', shared: true });
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/canned-files/${text.json.reply.id}`)).status).toBe(404);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/canned-files/nope`)).status).toBe(404);
    expect((await alice.call('POST', `/api/agent/conversations/00000000-0000-4000-8000-000000000000/canned-files/${entry.id}`)).status).toBe(404);

    const sent = await alice.call('POST', `/api/agent/conversations/${c.id}/canned-files/${entry.id}`);
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const attachment = sent.json.attachment;
    expect(attachment).toMatchObject({ name: '办理指南.pdf', type: 'application/pdf', size: PDF.length, url: `/api/conversations/${c.id}/attachments/${attachment.id}` });
    // A copy of its own, not the library's key.
    expect(attachment.id).not.toBe(entry.file.id);
    expect(sent.json.message).toMatchObject({ author: 'agent', text: '办理指南.pdf', attachment });
    const live = await visitorStream.waitFor((e) => e.event === 'message' && e.json.attachment?.id === attachment.id, 5000);
    expect(live.json).toMatchObject({ author: 'agent', attachment });
    const history = await (await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: { authorization: `Bearer ${c.token}` } })).json();
    expect(history.messages.at(-1)).toMatchObject({ author: 'agent', attachment });
    const got = await fetch(`${base}${attachment.url}`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PDF);

    // The entry goes: its bytes go from the library, the chat keeps its copy.
    expect((await alice.call('DELETE', `/api/agent/canned/${entry.id}`)).status).toBe(403);
    expect((await lead.call('DELETE', `/api/agent/canned/${entry.id}`)).status).toBe(204);
    expect(readdirSync(path.join(dataDir, 'canned-files'))).not.toContain(entry.file.id);
    expect((await fetch(`${base}/api/agent/canned/${entry.id}/file`, { headers: { cookie: alice.cookie } })).status).toBe(404);
    expect((await fetch(`${base}${attachment.url}`, { headers: { authorization: `Bearer ${c.token}` } })).status).toBe(200);
    // A file entry keeps its file: its text cannot be changed.
    const kept = (await addFile(lead, png, { shortcut: '/qr2' })).json.reply;
    expect((await lead.call('PATCH', `/api/agent/canned/${kept.id}`, { text: 'other' })).json.error.code).toBe('invalid_text');
    expect((await lead.call('PATCH', `/api/agent/canned/${kept.id}`, { title: 'QR' })).json.reply.file).toEqual(kept.file);
  });
});

describe('the privacy export describes the files of a chat', () => {
  it('lists each file sent (name, type, size, sender, time) without its bytes; to admins only', async () => {
    const entry = (await addFile(lead, { name: 'guide.gif', type: 'image/gif', bytes: GIF }, { shortcut: '/gif-guide' })).json.reply;
    const c = await heldBy(alice);
    const visitorSent = await multipart(`${base}/api/conversations/${c.id}/attachments`, png, {}, { authorization: `Bearer ${c.token}` });
    expect(visitorSent.status).toBe(201);
    const agentSent = await alice.call('POST', `/api/agent/conversations/${c.id}/canned-files/${entry.id}`);
    expect(agentSent.status).toBe(201);

    const exported = await lead.call('GET', `/api/admin/visitors/${c.id}/transcripts`);
    expect(exported.status).toBe(200);
    const [conversation] = exported.json.conversations;
    expect(conversation.attachments).toEqual([
      { id: visitorSent.json.attachment.id, name: 'qr-code.png', type: 'image/png', size: png.bytes.length, author: 'visitor', agentId: null, createdAt: expect.any(String) },
      { id: agentSent.json.attachment.id, name: 'guide.gif', type: 'image/gif', size: GIF.length, author: 'agent', agentId: alice.id, createdAt: expect.any(String) },
    ]);
    // Described, not carried: no byte of either file is in the export.
    const text = JSON.stringify(exported.json);
    expect(text).not.toContain(Buffer.from(png.bytes).toString('base64').slice(0, 24));
    expect(text).not.toContain(Buffer.from(GIF).toString('base64').slice(0, 16));
    expect((await alice.call('GET', `/api/admin/visitors/${c.id}/transcripts`)).status).toBe(403);
    expect((await erin.call('GET', `/api/admin/visitors/${c.id}/transcripts`)).status).toBe(403);
  });
});
