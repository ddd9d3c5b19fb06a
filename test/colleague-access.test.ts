// What a colleague who joined a chat may do beyond reading and writing it, on the real service: send files (an
// upload, or a file of the canned library) exactly as the holder does, and find the chat in transcript search while
// they are in it; everyone else is refused as before. And a colleague going offline (choosing offline, signing out,
// their last connection's grace running out) leaves the chats they joined: the visitor is told, the audit log has it
// as a leave by the system.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectSse } from '../handoff/testing/sse-test-client.ts';
import { postChat, presentAwayAgent, signIn, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';
import { pngBytes, upload, type TestFile } from './attachment-files.ts';

let base: string;
const streams = streamKeeper();
// A short grace, so that a colleague whose connections all closed goes offline within the test.
useTestServer('colleague-access-', { env: { PRESENCE_GRACE_SECONDS: '1' }, streams, started: (s) => (base = s.url) });

const png: TestFile = { name: 'bill.png', type: 'image/png', bytes: pngBytes(6, 6) };
const password = (username: string) => `${username}-pass-123`;

let lead: SignedIn;
let alice: SignedIn;
let bob: SignedIn;
let dave: SignedIn;
let cannedFileId: string;

/** A chat `holder` took from the queue, its first message carrying `marker`. */
async function heldChat(holder: SignedIn, marker = '充值卡密码几位'): Promise<Chat> {
  const first = await postChat(base, marker);
  const c = { id: first.conversationId, token: first.token! };
  expect((await postChat(base, '转人工', c)).reply?.kind).toBe('handoff');
  expect((await holder.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
  return c;
}

/** `colleague` (online or busy) invited by the holder into `c`, and accepted. */
async function joined(holder: SignedIn, colleague: SignedIn, c: Chat): Promise<void> {
  const invited = await holder.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: colleague.id });
  expect(invited.status, JSON.stringify(invited.json)).toBe(201);
  expect((await colleague.call('POST', `/api/agent/conversations/${c.id}/accept`)).status).toBe(200);
}

const uploadAs = (agent: SignedIn, c: Chat) => upload(`${base}/api/agent/conversations/${c.id}/attachments`, png, { cookie: agent.cookie, origin: base });
const sendCanned = (agent: SignedIn, c: Chat) => agent.call('POST', `/api/agent/conversations/${c.id}/canned-files/${cannedFileId}`);

async function visitorHistory(c: Chat): Promise<Array<{ author: string; text: string; agentName?: string; attachment?: unknown }>> {
  const res = await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: { authorization: `Bearer ${c.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Array<{ author: string; text: string; agentName?: string }> }).messages;
}

async function found(agent: SignedIn, q: string): Promise<string[]> {
  const res = await agent.call('GET', `/api/agent/search?q=${encodeURIComponent(q)}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return [...new Set((res.json.results as Array<{ conversationId: string }>).map((r) => r.conversationId))];
}

/** The audit rows about one chat, oldest first. */
async function auditOf(c: Chat): Promise<Array<{ action: string; actor: { id: string | null; displayName: string }; details: Record<string, unknown> }>> {
  const res = await lead.call('GET', '/api/admin/audit?limit=200');
  expect(res.status).toBe(200);
  return (res.json.entries as Array<{ action: string; target: { id: string }; actor: { id: string | null; displayName: string }; details: Record<string, unknown> }>)
    .filter((e) => e.target.id === c.id)
    .reverse();
}

/** An agent present with one live connection the test closes itself (no keeper), busy: may be invited. */
async function presentBusy(username: string) {
  const agent = await signIn(base, username, password(username));
  const stream = await connectSse(`${base}/api/agent/events`, { cookie: agent.cookie });
  expect(stream.status).toBe(200);
  await stream.waitFor((e) => e.event === 'ready');
  expect((await agent.call('POST', '/api/agent/status', { status: 'busy' })).status).toBe(200);
  return { agent, stream };
}

beforeAll(async () => {
  lead = await presentAwayAgent(base, streams, ADMIN.username, ADMIN.password);
  for (const username of ['alice', 'bob', 'dave', 'erin', 'fay', 'gus']) {
    const created = await lead.call('POST', '/api/admin/agents', { username, displayName: username, password: password(username), role: 'agent', groups: ['mobile', 'billing'], capacity: 20 });
    expect(created.status).toBe(201);
  }
  alice = await presentAwayAgent(base, streams, 'alice', password('alice'));
  bob = await presentAwayAgent(base, streams, 'bob', password('bob'));
  dave = await presentAwayAgent(base, streams, 'dave', password('dave'));
  // Busy: at work (may be invited), given nothing from the queue.
  expect((await bob.call('POST', '/api/agent/status', { status: 'busy' })).status).toBe(200);
  const form = new FormData();
  form.append('shortcut', '/qr');
  form.append('file', new Blob([Buffer.from(png.bytes)], { type: 'image/png' }), 'qr.png');
  const made = await fetch(`${base}/api/admin/canned/files`, { method: 'POST', headers: { cookie: lead.cookie, origin: base }, body: form });
  expect(made.status).toBe(201);
  cannedFileId = ((await made.json()) as { reply: { id: string } }).reply.id;
}, 60_000);

describe('files from a colleague in the chat', () => {
  it('a joined colleague uploads and sends a library file as the holder does; invited, left or outside: 409', async () => {
    const c = await heldChat(alice);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id })).status).toBe(201);
    // Invited is not in yet.
    expect((await uploadAs(bob, c)).status).toBe(409);
    expect((await sendCanned(bob, c)).status).toBe(409);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/accept`)).status).toBe(200);

    const sent = await uploadAs(bob, c);
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    // The answer names the sender, so the colleague's own console shows the file under their name at once.
    expect(sent.json.message).toMatchObject({ author: 'agent', text: 'bill.png', agentId: bob.id });
    const canned = await sendCanned(bob, c);
    expect(canned.status, JSON.stringify(canned.json)).toBe(201);
    expect(canned.json.attachment).toMatchObject({ name: 'qr.png', type: 'image/png' });
    expect(canned.json.message.agentId).toBe(bob.id);
    // The holder still sends too; the visitor sees each file under the name of who sent it, and downloads it.
    expect((await uploadAs(alice, c)).status).toBe(201);
    const files = (await visitorHistory(c)).filter((m) => m.attachment).map((m) => [m.agentName, m.text]);
    expect(files).toEqual([['bob', 'bill.png'], ['bob', 'qr.png'], ['alice', 'bill.png']]);
    const download = await fetch(`${base}${sent.json.attachment.url}`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(download.status).toBe(200);

    // Outside the chat (an agent of its groups, an admin who does not hold it): refused as before.
    expect((await uploadAs(dave, c)).status).toBe(409);
    expect((await sendCanned(dave, c)).status).toBe(409);
    expect((await uploadAs(lead, c)).status).toBe(409);
    // A cross-site upload by the colleague: 403 before anything is read.
    expect((await upload(`${base}/api/agent/conversations/${c.id}/attachments`, png, { cookie: bob.cookie, origin: 'https://evil.example' })).status).toBe(403);

    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/leave`)).status).toBe(200);
    expect((await uploadAs(bob, c)).status).toBe(409);
    expect((await sendCanned(bob, c)).status).toBe(409);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });

  it('a colleague\'s place ends with the holding: after a transfer their files are refused', async () => {
    const c = await heldChat(alice);
    await joined(alice, bob, c);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/transfer`, { group: 'billing' })).status).toBe(200);
    expect((await uploadAs(bob, c)).status).toBe(409);
    expect((await sendCanned(bob, c)).status).toBe(409);
    expect((await lead.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });
});

describe('transcript search for a colleague in the chat', () => {
  it('finds the chat while they are in it, never while only invited or after leaving; nobody else gains anything', async () => {
    const marker = 'colleague-search-4417';
    const c = await heldChat(alice, `我想问一下 ${marker}`);
    // Held: the holder finds it; an agent outside it (its groups' agent, the chat is no longer queued) does not.
    expect(await found(alice, marker)).toEqual([c.id]);
    expect(await found(bob, marker)).toEqual([]);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id })).status).toBe(201);
    expect(await found(bob, marker)).toEqual([]);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/accept`)).status).toBe(200);
    // In: search shows what the view shows.
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(200);
    expect(await found(bob, marker)).toEqual([c.id]);
    expect(await found(dave, marker)).toEqual([]);
    // The admins' filter stays a filter: bob never held it.
    expect((await bob.call('GET', `/api/agent/search?q=${marker}&agent=${bob.id}`)).json.results).toEqual([]);

    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/leave`)).status).toBe(200);
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(403);
    expect(await found(bob, marker)).toEqual([]);
    expect(await found(alice, marker)).toEqual([c.id]);
    expect(await found(lead, marker)).toEqual([c.id]);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    expect(await found(bob, marker)).toEqual([]);
  });
});

describe('a colleague going offline', () => {
  /** After `c`'s colleague `who` went offline: the visitor was told, the place ended, the system's leave was audited. */
  async function leftBySystem(c: Chat, who: SignedIn, name: string): Promise<void> {
    await expect
      .poll(async () => (await visitorHistory(c)).filter((m) => m.author === 'system' && m.text.includes(name) && m.text.includes('离开')).length, { timeout: 10_000 })
      .toBe(1);
    expect((await alice.call('GET', `/api/agent/conversations/${c.id}/participants`)).json.participants).toEqual([]);
    expect((await who.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(403);
    const rows = (await auditOf(c)).filter((e) => e.action === 'colleague.left');
    expect(rows).toEqual([expect.objectContaining({ actor: { id: null, displayName: 'system' }, details: { agent: who.id, agentName: name, reason: 'offline' } })]);
    // The holder keeps the chat and goes on.
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: `${name} 走了之后` })).status).toBe(201);
  }

  it('choosing offline leaves every chat joined at once; the colleague\'s console is told; an invitation stays', async () => {
    const { agent: erin, stream } = await presentBusy('erin');
    try {
      const c = await heldChat(alice);
      const d = await heldChat(alice);
      const e = await heldChat(alice);
      await joined(alice, erin, c);
      await joined(alice, erin, d);
      expect((await alice.call('POST', `/api/agent/conversations/${e.id}/invite`, { agent: erin.id })).status).toBe(201);
      const visitor = await streams.open(`${base}/api/conversations/${c.id}/events`, { authorization: `Bearer ${c.token}` });
      await visitor.waitFor((m) => m.event === 'ready');

      expect((await erin.call('POST', '/api/agent/status', { status: 'offline' })).status).toBe(200);
      await stream.waitFor((m) => m.event === 'participants' && m.json.conversationId === c.id && m.json.agentId === erin.id && m.json.change === 'left');
      await visitor.waitFor((m) => m.event === 'message' && m.json.author === 'system' && m.json.text.includes('erin') && m.json.text.includes('离开'));
      await leftBySystem(c, erin, 'erin');
      await leftBySystem(d, erin, 'erin');
      // Not joined, so nothing to leave: the invitation waits for their answer when they are back.
      expect((await alice.call('GET', `/api/agent/conversations/${e.id}/participants`)).json.participants).toEqual([expect.objectContaining({ id: erin.id, state: 'invited' })]);
      for (const chat of [c, d, e]) expect((await alice.call('POST', `/api/agent/conversations/${chat.id}/close`)).status).toBe(200);
    } finally {
      stream.close();
    }
  });

  it('signing out leaves the chats joined once the grace has run out', async () => {
    const { agent: fay, stream } = await presentBusy('fay');
    try {
      const c = await heldChat(alice);
      await joined(alice, fay, c);
      expect((await fay.call('POST', '/api/agent/logout')).status).toBe(204);
      await stream.waitFor((m) => m.event === 'session_ended');
      await leftBySystem(c, await signIn(base, 'fay', password('fay')), 'fay');
      expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    } finally {
      stream.close();
    }
  });

  it('a lost connection leaves the chats joined after the grace, not before; a reload within it keeps them', async () => {
    const { agent: gus, stream } = await presentBusy('gus');
    const c = await heldChat(alice);
    await joined(alice, gus, c);
    // A reload: the connection drops and comes back within the grace; nothing changes.
    stream.close();
    const again = await connectSse(`${base}/api/agent/events`, { cookie: gus.cookie });
    try {
      await again.waitFor((m) => m.event === 'ready');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await gus.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(200);
      expect((await alice.call('GET', `/api/agent/conversations/${c.id}/participants`)).json.participants).toEqual([expect.objectContaining({ id: gus.id, state: 'joined' })]);
    } finally {
      again.close();
    }
    // Gone for good: the grace runs out, and the place with it.
    await leftBySystem(c, gus, 'gus');
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });
});
