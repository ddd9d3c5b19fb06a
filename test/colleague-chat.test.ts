// Working together in a chat, on the real service (real SQLite file, real sessions, same-origin changes): the holder
// invites a colleague, who accepts; both write and the visitor sees both names (history and live stream); the
// colleague leaves, or the holder's close ends it for both; consults between agents never reach the visitor (history,
// stream, search, export); an agent outside the chat gains nothing; foreign origins and bad input get a clear 4xx.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgents, postChat, presentAwayAgent, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';
import type { SseClient } from '../handoff/testing/sse-test-client.ts';

let base: string;
const streams = streamKeeper();
useTestServer('colleague-chat-', { streams, started: (s) => (base = s.url) });

const signIn = (username: string) => presentAwayAgent(base, streams, username, username === ADMIN.username ? ADMIN.password : `${username}-pass-123`);
const chat = (text: string, auth?: Chat) => postChat(base, text, auth);

/** A chat waiting in the queue (everyone is away or busy, so nobody gets it automatically). */
async function queuedChat(): Promise<Chat> {
  const first = await chat('充值卡密码几位');
  const visitor = { id: first.conversationId, token: first.token! };
  expect((await chat('转人工', visitor)).reply?.kind).toBe('handoff');
  return visitor;
}

/** A chat `holder` took from the queue. */
async function heldChat(holder: SignedIn): Promise<Chat> {
  const c = await queuedChat();
  expect((await holder.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
  return c;
}

async function visitorHistory(c: Chat): Promise<Array<{ author: string; text: string; agentName?: string }>> {
  const res = await fetch(`${base}/api/conversations/${c.id}/messages`, { headers: { authorization: `Bearer ${c.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Array<{ author: string; text: string; agentName?: string }> }).messages;
}

const visitorStream = (c: Chat) => streams.open(`${base}/api/conversations/${c.id}/events`, { authorization: `Bearer ${c.token}` });
const agentStream = (a: SignedIn) => streams.open(`${base}/api/agent/events`, { cookie: a.cookie });
const ready = (s: SseClient) => s.waitFor((e) => e.event === 'ready');

let lead: SignedIn;
let alice: SignedIn;
let bob: SignedIn;
let carol: SignedIn;
let dave: SignedIn;

describe('a colleague in a chat', () => {
  beforeAll(async () => {
    lead = await signIn(ADMIN.username);
    await createAgents(lead, ['alice', 'bob', 'carol', 'dave']);
    alice = await signIn('alice');
    bob = await signIn('bob');
    carol = await signIn('carol');
    dave = await signIn('dave');
    // Busy: at work (may be invited) but given no chat from the queue.
    expect((await bob.call('POST', '/api/agent/status', { status: 'busy' })).status).toBe(200);
  }, 60_000);

  it('is invited by the holder, accepts, writes beside them; the visitor sees both names; leaving ends it', async () => {
    const c = await heldChat(alice);
    const visitor = await visitorStream(c);
    const bobLive = await agentStream(bob);
    await ready(bobLive);

    // Someone away cannot be asked; an agent outside the chat cannot invite.
    const away = await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: carol.id });
    expect(away.status, JSON.stringify(away.json)).toBe(409);
    expect(away.json.error.code).toBe('colleague_unavailable');
    expect((await dave.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id })).status).toBe(403);

    const invited = await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id, note: '帮忙看一下这个套餐' });
    expect(invited.status, JSON.stringify(invited.json)).toBe(201);
    expect(invited.json.participant).toMatchObject({ id: bob.id, displayName: 'bob', state: 'invited', invitedBy: { id: alice.id, displayName: 'alice' }, note: '帮忙看一下这个套餐' });
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id })).json.error.code).toBe('already_invited');
    await bobLive.waitFor((e) => e.event === 'participants' && e.json.conversationId === c.id && e.json.change === 'invited');
    const waiting = await bob.call('GET', '/api/agent/chat-invitations');
    expect(waiting.json.invitations).toEqual([expect.objectContaining({ conversationId: c.id, from: { id: alice.id, displayName: 'alice' }, owner: { id: alice.id, displayName: 'alice' }, note: '帮忙看一下这个套餐' })]);

    // Invited is not in: nothing of the chat yet.
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(403);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'too early' })).status).toBe(409);

    const accepted = await bob.call('POST', `/api/agent/conversations/${c.id}/accept`);
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200);
    expect(accepted.json.participant.state).toBe('joined');
    expect((await bob.call('GET', '/api/agent/chat-invitations')).json.invitations).toEqual([]);
    // The visitor is told a second agent joined, by name.
    await visitor.waitFor((e) => e.event === 'message' && e.json.author === 'system' && e.json.text.includes('bob'));

    const view = await bob.call('GET', `/api/agent/conversations/${c.id}`);
    expect(view.status).toBe(200);
    expect(view.json.agent).toEqual({ id: alice.id, displayName: 'alice' });
    expect(view.json.participants).toEqual([expect.objectContaining({ id: bob.id, state: 'joined' })]);
    const listed = await alice.call('GET', `/api/agent/conversations/${c.id}/participants`);
    expect(listed.json).toMatchObject({ conversationId: c.id, owner: { id: alice.id }, participants: [{ id: bob.id, state: 'joined' }] });

    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: '您好，我是 alice' })).status).toBe(201);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: '我是 bob，来帮忙' })).status).toBe(201);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/typing`, { typing: true })).status).toBe(204);
    // The colleague's stream follows the chat from joining: both agents' messages and the visitor's.
    await chat('谢谢你们', c);
    await bobLive.waitFor((e) => e.event === 'message' && e.json.conversationId === c.id && e.json.text === '您好，我是 alice');
    await bobLive.waitFor((e) => e.event === 'message' && e.json.conversationId === c.id && e.json.text === '谢谢你们');

    // Both names, each on its own messages: in the history and on the live stream.
    const agentLines = (await visitorHistory(c)).filter((m) => m.author === 'agent').map((m) => [m.agentName, m.text]);
    expect(agentLines).toEqual([['alice', '您好，我是 alice'], ['bob', '我是 bob，来帮忙']]);
    const live = await visitor.waitFor((e) => e.event === 'message' && e.json.text === '我是 bob，来帮忙');
    expect(live.json.agentName).toBe('bob');
    expect((await visitor.waitFor((e) => e.event === 'message' && e.json.text === '您好，我是 alice')).json.agentName).toBe('alice');
    // Agent ids stay internal.
    expect(JSON.stringify(visitor.events)).not.toContain(bob.id);

    // The holder stays the owner: the colleague neither closes nor transfers.
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(409);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/transfer`, { group: 'billing' })).status).toBe(409);

    const left = await bob.call('POST', `/api/agent/conversations/${c.id}/leave`);
    expect(left.status).toBe(200);
    expect(left.json.participant.state).toBe('left');
    await visitor.waitFor((e) => e.event === 'message' && e.json.author === 'system' && e.json.text.includes('bob') && e.json.text.includes('离开'));
    // The colleague's stream stops following the chat once they left.
    await bobLive.waitFor((e) => e.event === 'participants' && e.json.conversationId === c.id && e.json.change === 'left');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'bob 走了之后' })).status).toBe(201);
    await visitor.waitFor((e) => e.event === 'message' && e.json.text === 'bob 走了之后');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bobLive.events.some((e) => e.event === 'message' && e.json.text === 'bob 走了之后')).toBe(false);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'still here?' })).status).toBe(409);
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(403);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/leave`)).json.error.code).toBe('not_participant');
    expect((await alice.call('GET', `/api/agent/conversations/${c.id}/participants`)).json.participants).toEqual([]);

    // Invitations, answers and departures are in the audit log, with who did them.
    const audit = await lead.call('GET', '/api/admin/audit?limit=50');
    const rows = (audit.json.entries as Array<{ action: string; actor: { id: string }; target: { id: string } }>).filter((e) => e.target.id === c.id);
    expect(rows.map((e) => [e.action, e.actor.id]).reverse()).toEqual([
      ['colleague.invited', alice.id],
      ['colleague.joined', bob.id],
      ['colleague.left', bob.id],
    ]);
  });

  it('ends for both when the owner closes it; a declined invitation gives nothing', async () => {
    const c = await heldChat(alice);
    const bobLive = await agentStream(bob);
    await ready(bobLive);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id })).status).toBe(201);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/accept`)).status).toBe(200);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    await bobLive.waitFor((e) => e.event === 'closed' && e.json.conversationId === c.id);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'after close' })).status).toBe(409);
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}/participants`)).status).toBe(403);

    const d = await heldChat(alice);
    expect((await alice.call('POST', `/api/agent/conversations/${d.id}/invite`, { agent: bob.id })).status).toBe(201);
    expect((await bob.call('POST', `/api/agent/conversations/${d.id}/decline`)).json.participant.state).toBe('declined');
    expect((await bob.call('POST', `/api/agent/conversations/${d.id}/accept`)).json.error.code).toBe('no_invitation');
    expect((await bob.call('GET', `/api/agent/conversations/${d.id}`)).status).toBe(403);
    expect((await alice.call('POST', `/api/agent/conversations/${d.id}/close`)).status).toBe(200);
  });

  it('ends when the holder transfers the chat away, and a supervisor may invite on the holder\'s behalf', async () => {
    const c = await heldChat(alice);
    // An admin (a supervisor) invites into a chat they do not hold; the holder stays the owner.
    const byLead = await lead.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id });
    expect(byLead.status, JSON.stringify(byLead.json)).toBe(201);
    expect(byLead.json.participant.invitedBy).toEqual({ id: expect.any(String), displayName: expect.any(String) });
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/accept`)).status).toBe(200);
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).json.agent.id).toBe(alice.id);
    // Transfer stays as it is: to the group; the colleague's place ended with alice's holding.
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/transfer`, { group: 'billing' })).status).toBe(200);
    expect((await bob.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'after transfer' })).status).toBe(409);
    expect((await bob.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(200); // queued in bob's group: the view rule as before
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/invite`, { agent: bob.id })).json.error.code).toBe('not_assigned');
    expect((await lead.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });

  it('keeps consults between agents: the colleague asked answers in their console, the visitor never sees them', async () => {
    const c = await heldChat(alice);
    const visitor = await visitorStream(c);
    await ready(visitor);
    const aliceLive = await agentStream(alice);
    const carolLive = await agentStream(carol);
    await Promise.all([ready(aliceLive), ready(carolLive)]);

    // Carol is away and not in the chat: a consult waits in her console all the same.
    const asked = await alice.call('POST', `/api/agent/conversations/${c.id}/consult`, { text: 'SECRETQ 这个套餐七天内能退吗？', to: carol.id });
    expect(asked.status, JSON.stringify(asked.json)).toBe(201);
    expect(asked.json.note).toMatchObject({ conversationId: c.id, author: { id: alice.id, displayName: 'alice' }, to: { id: carol.id, displayName: 'carol' }, text: 'SECRETQ 这个套餐七天内能退吗？' });
    await carolLive.waitFor((e) => e.event === 'consult' && e.json.id === asked.json.note.id);
    const inbox = await carol.call('GET', '/api/agent/consults');
    expect(inbox.json.threads).toEqual([{ conversationId: c.id, notes: [expect.objectContaining({ id: asked.json.note.id })] }]);
    // Asked is not in the chat: the thread, nothing else of it.
    expect((await carol.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(403);
    expect((await carol.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: 'hi' })).status).toBe(409);

    const answer = await carol.call('POST', `/api/agent/conversations/${c.id}/consult`, { text: 'SECRETA 可以，七天无理由' });
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    expect(answer.json.note.to).toEqual({ id: alice.id, displayName: 'alice' });
    await aliceLive.waitFor((e) => e.event === 'consult' && e.json.id === answer.json.note.id);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/consult`, { text: 'SECRETN 好的，谢谢' })).status).toBe(201);
    expect((await alice.call('GET', `/api/agent/conversations/${c.id}/consult`)).json.notes.map((n: { text: string }) => n.text.split(' ')[0])).toEqual(['SECRETQ', 'SECRETA', 'SECRETN']);
    // Carol reads only what was exchanged with her; she may not answer someone who never asked her.
    expect((await carol.call('GET', `/api/agent/conversations/${c.id}/consult`)).json.notes.map((n: { text: string }) => n.text.split(' ')[0])).toEqual(['SECRETQ', 'SECRETA']);
    expect((await carol.call('POST', `/api/agent/conversations/${c.id}/consult`, { text: 'x', to: dave.id })).json.error.code).toBe('invalid_recipient');
    // An agent neither in the chat nor asked: nothing.
    expect((await dave.call('GET', `/api/agent/conversations/${c.id}/consult`)).status).toBe(403);
    expect((await dave.call('POST', `/api/agent/conversations/${c.id}/consult`, { text: 'let me in' })).status).toBe(403);

    // The visitor: not in the history, not on the stream, not in search, not in the export.
    await chat('还在吗', c);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/messages`, { text: '在的' })).status).toBe(201);
    await visitor.waitFor((e) => e.event === 'message' && e.json.text === '在的');
    expect(JSON.stringify(await visitorHistory(c))).not.toContain('SECRET');
    expect(JSON.stringify(visitor.events)).not.toContain('SECRET');
    expect(visitor.events.some((e) => e.event === 'consult')).toBe(false);
    const search = await lead.call('GET', `/api/agent/search?q=${encodeURIComponent('SECRETQ')}`);
    expect(search.status).toBe(200);
    expect(search.json.results).toEqual([]);
    const exported = await lead.call('GET', `/api/admin/visitors/${c.id}/transcripts`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.json)).toContain('还在吗');
    expect(JSON.stringify(exported.json)).not.toContain('SECRET');
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    // A consult about a closed chat leaves the colleague's inbox.
    expect((await carol.call('GET', '/api/agent/consults')).json.threads).toEqual([]);
  });

  it('refuses cross-site changes and bad input with a clear 4xx', async () => {
    const c = await heldChat(alice);
    const evil = await fetch(`${base}/api/agent/conversations/${c.id}/invite`, {
      method: 'POST',
      headers: { cookie: alice.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ agent: bob.id }),
    });
    expect(evil.status).toBe(403);
    const evilConsult = await fetch(`${base}/api/agent/conversations/${c.id}/consult`, {
      method: 'POST',
      headers: { cookie: alice.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(evilConsult.status).toBe(403);
    expect((await fetch(`${base}/api/agent/conversations/${c.id}/participants`)).status).toBe(401);

    const cases: Array<[string, unknown, number, string]> = [
      ['invite', {}, 400, 'missing_field'],
      ['invite', { agent: 5 }, 400, 'invalid_agent'],
      ['invite', { agent: '<script>alert(1)</script>' }, 400, 'invalid_agent'],
      ['invite', { agent: bob.id, role: 'admin' }, 400, 'unknown_field'],
      ['invite', { agent: 'no-such-agent' }, 400, 'unknown_agent'],
      ['invite', { agent: alice.id }, 400, 'invalid_agent'],
      ['invite', { agent: bob.id, note: 'x'.repeat(501) }, 400, 'text_too_long'],
      ['consult', { text: '' }, 400, 'empty_text'],
      ['consult', { text: '\u0000\u0007 ' }, 400, 'empty_text'],
      ['consult', { text: 'x'.repeat(2001) }, 400, 'text_too_long'],
      ['consult', { text: ['a'] }, 400, 'invalid_text'],
      ['consult', { text: 'hi', to: 'x'.repeat(200) }, 400, 'invalid_to'],
      ['consult', { text: 'hi', to: alice.id }, 400, 'invalid_recipient'],
    ];
    for (const [route, body, status, code] of cases) {
      const res = await alice.call('POST', `/api/agent/conversations/${c.id}/${route}`, body);
      expect([route, JSON.stringify(body).slice(0, 60), res.status, res.json?.error?.code]).toEqual([route, JSON.stringify(body).slice(0, 60), status, code]);
    }
    const raw = (body: string, type = 'application/json') =>
      fetch(`${base}/api/agent/conversations/${c.id}/invite`, { method: 'POST', headers: { cookie: alice.cookie, origin: base, 'content-type': type }, body });
    expect((await raw('{"agent":')).status).toBe(400);
    expect((await raw('[]')).status).toBe(400);
    expect((await raw('agent=bob', 'text/plain')).status).toBe(415);
    expect((await raw(JSON.stringify({ agent: bob.id, note: 'x'.repeat(40_000) }))).status).toBe(413);
    expect((await alice.call('POST', '/api/agent/conversations/no-such-chat/invite', { agent: bob.id })).status).toBe(404);
    expect((await alice.call('GET', `/api/agent/conversations/${'x'.repeat(200)}/consult`)).status).toBe(404);
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/accept`)).json.error.code).toBe('no_invitation');
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
  });
});
