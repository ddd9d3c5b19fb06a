// Reads of personal data leave audit rows (SECURITY.md "Audit log"), on the real service: an admin viewing a
// chat they do not hold, watching one, any transcript search, a privacy export. One row per request or watch
// start, counts and ids only: never message text, the search terms or the visitor id.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../handoff/supervision/audit-log.ts';
import { createAgents, postChat, presentAwayAgent, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
const streams = streamKeeper();
useTestServer('audit-reads-', { streams, started: (s) => (base = s.url) });

type Agent = SignedIn;

const signIn = (username: string, password: string) => presentAwayAgent(base, streams, username, password);

const PHONE = '13765432109';
const VISITOR_ID = 'visitor-audit-0123456789';

/** A chat waiting in the queue; the one under test carries PHONE and VISITOR_ID. */
async function queuedChat(text = `我的号码是${PHONE}`, visitorId = VISITOR_ID): Promise<Chat> {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, visitorId }),
  });
  expect(res.status).toBe(200);
  const first = (await res.json()) as { conversationId: string; token: string };
  const visitor = { id: first.conversationId, token: first.token };
  expect((await postChat(base, '转人工', visitor)).reply?.kind).toBe('handoff');
  return visitor;
}

let lead: Agent;
let alice: Agent;

/** Audit rows written after `afterId`, oldest first. */
async function since(afterId: number): Promise<AuditEntry[]> {
  const res = await lead.call('GET', '/api/admin/audit?limit=500');
  expect(res.status).toBe(200);
  return (res.json.entries as AuditEntry[]).filter((e) => e.id > afterId).reverse();
}
const lastId = async () => (await since(0)).at(-1)?.id ?? 0;

describe('reads of personal data are audited', () => {
  let c: Chat;
  beforeAll(async () => {
    lead = await signIn(ADMIN.username, ADMIN.password);
    await createAgents(lead, ['alice']);
    alice = await signIn('alice', 'alice-pass-123');
    c = await queuedChat();
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/take`)).status).toBe(200);
  }, 60_000);

  it('an admin viewing a chat they do not hold: a row per request; the holder’s own views: none', async () => {
    const from = await lastId();
    expect((await alice.call('GET', `/api/agent/conversations/${c.id}`)).status).toBe(200);
    const view = await lead.call('GET', `/api/agent/conversations/${c.id}`);
    expect(view.status).toBe(200);
    const tail = await lead.call('GET', `/api/agent/conversations/${c.id}?after=1`);
    expect(tail.status).toBe(200);
    const rows = await since(from);
    expect(rows.map((r) => [r.actor.id, r.action, r.target])).toEqual([
      [lead.id, 'conversation.viewed', { type: 'conversation', id: c.id }],
      [lead.id, 'conversation.viewed', { type: 'conversation', id: c.id }],
    ]);
    expect(rows[0]!.details).toEqual({ status: 'assigned', messages: view.json.messages.length });
    expect(rows[1]!.details).toEqual({ status: 'assigned', messages: tail.json.messages.length, after: 1 });
  });

  it('an admin viewing a chat they hold: no row', async () => {
    const own = await queuedChat('宽带怎么报修', 'visitor-other-9876543210');
    expect((await lead.call('POST', `/api/agent/conversations/${own.id}/take`)).status).toBe(200);
    const from = await lastId();
    expect((await lead.call('GET', `/api/agent/conversations/${own.id}`)).status).toBe(200);
    expect(await since(from)).toEqual([]);
    expect((await lead.call('POST', `/api/agent/conversations/${own.id}/close`)).status).toBe(200);
  });

  it('a supervisor watch: a row when it starts, none for stopping', async () => {
    const from = await lastId();
    expect((await lead.call('POST', `/api/admin/monitor/${c.id}/watch`)).status).toBe(200);
    expect((await lead.call('DELETE', `/api/admin/monitor/${c.id}/watch`)).status).toBe(200);
    const rows = await since(from);
    expect(rows.map((r) => [r.actor.id, r.action, r.target, r.details])).toEqual([
      [lead.id, 'conversation.watched', { type: 'conversation', id: c.id }, { status: 'assigned', holder: alice.id }],
    ]);
  });

  it('a transcript search, by an agent or an admin: counts, never the terms', async () => {
    const from = await lastId();
    expect((await alice.call('GET', `/api/agent/search?q=${PHONE}`)).json.results).toHaveLength(1);
    expect((await lead.call('GET', `/api/agent/search?q=${PHONE}`)).json.results).toHaveLength(1);
    const rows = await since(from);
    expect(rows.map((r) => [r.actor.id, r.action, r.details])).toEqual([
      [alice.id, 'transcripts.searched', { terms: 1, queryChars: PHONE.length, filters: [], results: 1, conversations: 1, more: false }],
      [lead.id, 'transcripts.searched', { terms: 1, queryChars: PHONE.length, filters: [], results: 1, conversations: 1, more: false }],
    ]);
  });

  it('a privacy export: counts and conversation ids, never the visitor id', async () => {
    expect((await alice.call('POST', `/api/agent/conversations/${c.id}/close`)).status).toBe(200);
    const from = await lastId();
    const exported = await lead.call('GET', `/api/admin/visitors/visitor:${VISITOR_ID}/transcripts`);
    expect(exported.status).toBe(200);
    const rows = await since(from);
    expect(rows.map((r) => [r.action, r.target.id])).toEqual([['privacy.transcripts_exported', c.id]]);
    expect(rows[0]!.details).toMatchObject({ conversations: 1 });
  });

  it('no row holds message text, a searched term or the visitor id', async () => {
    const all = JSON.stringify(await since(0));
    expect(all).not.toContain(PHONE);
    expect(all).not.toContain(VISITOR_ID);
    expect(all).not.toContain('我的号码');
  });
});
