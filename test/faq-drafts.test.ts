// FAQ drafts end to end on a real app and a real SQLite file: a visitor's chat is handed off and answered by an
// agent, who saves the answer as a draft (question masked); who may save one (holder yes, a stranger 403, an admin
// yes), what may be saved (a visitor message 400, a bot-only chat 409); the editors' list, dismissing, and the
// change file from a draft, which `applyKbChange` accepts on a copy of the knowledge folder.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../handoff/http/app-env.ts';
import type { Db } from '../handoff/sqlite/db.ts';
import type { FaqDraftJson } from '../handoff/content/faq-draft-routes.ts';
import { applyKbChange, parseKbChange } from '../knowledge/index.ts';
import { overApp, signInCookie } from './http-kit.ts';
import { ADMIN, KNOWLEDGE_DIR, useWiredService } from './service-kit.ts';

const ALICE = { username: 'alice', password: 'alice-pass-123' };
const BOB = { username: 'bob', password: 'bob-pass-12345' };
const ORIGIN = 'http://localhost';
const PHONE = '13812345678';
const ALL_GROUPS = ['mobile', 'broadband', 'billing'];

type App = Hono<AppEnv>;
interface Message { id: number; author: string; text: string }

let db: Db;
const wired = useWiredService('faq-drafts-');
let kbCopy: string;
let app: App;
const cookies: Record<string, string> = {};

const signIn = (who: { username: string; password: string }): Promise<string> => signInCookie(overApp(app), ORIGIN, who);

async function call(who: string, method: string, url: string, body?: unknown): Promise<Response> {
  return app.request(url, {
    method,
    headers: { origin: ORIGIN, cookie: cookies[who]!, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** A visitor's conversation: each text sent in turn; returns its id, token and the reply kinds. */
async function visitor(...texts: string[]): Promise<{ id: string; token: string; kinds: (string | null)[] }> {
  let id = '';
  let token = '';
  const kinds: (string | null)[] = [];
  for (const text of texts) {
    const res = await app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(id ? { text, conversationId: id } : { text }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversationId: string; token?: string; reply: { kind: string } | null };
    id ||= body.conversationId;
    token ||= body.token!;
    kinds.push(body.reply?.kind ?? null);
  }
  return { id, token, kinds };
}

async function messages(who: string, id: string): Promise<Message[]> {
  const res = await call(who, 'GET', `/api/agent/conversations/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

async function saveDraft(who: string, id: string, body: unknown): Promise<Response> {
  return call(who, 'POST', `/api/agent/conversations/${id}/faq-drafts`, body);
}

async function list(status = 'open'): Promise<FaqDraftJson[]> {
  const res = await call('admin', 'GET', `/api/admin/faq-drafts?status=${status}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { drafts: FaqDraftJson[] }).drafts;
}

let handed: { id: string; token: string; kinds: (string | null)[] };
let answer: Message;

beforeAll(async () => {
  ({ db, app } = wired.service);
  cookies.admin = await signIn(ADMIN);
  for (const [who, name] of [[ALICE, 'Alice'], [BOB, 'Bob']] as const) {
    const created = await call('admin', 'POST', '/api/admin/agents', { ...who, displayName: name, role: 'agent', groups: ALL_GROUPS, capacity: 3 });
    expect(created.status).toBe(201);
  }
  cookies.alice = await signIn(ALICE);
  cookies.bob = await signIn(BOB);
  // Nobody online: chats wait in the queue until an agent takes one (no automatic assignment to pick for us).
  for (const who of ['admin', 'alice', 'bob']) expect((await call(who, 'POST', '/api/agent/status', { status: 'away' })).status).toBe(200);

  // The visitor asks something the bot cannot answer, then asks for a person; Alice takes the chat.
  handed = await visitor('手机为什么会突然停机', '转人工');
  expect(handed.kinds.at(-1)).toBe('handoff');
  expect((await call('alice', 'POST', `/api/agent/conversations/${handed.id}/take`)).status).toBe(200);
  // After the handoff the visitor writes to Alice, with their phone number.
  expect((await visitor_continue(handed, `我的号码是${PHONE}，昨天交了话费还是停机`))).toBeNull();
  const sent = await call('alice', 'POST', `/api/agent/conversations/${handed.id}/messages`, { text: '交费后一般 30 分钟内自动复机；超过 2 小时请拨打 10010 人工处理。' });
  expect(sent.status).toBe(201);
  answer = ((await sent.json()) as { message: Message }).message;
}, 60_000);

/** One more visitor message in an existing conversation; returns the reply kind (null once an agent has it). */
async function visitor_continue(conv: { id: string; token: string }, text: string): Promise<string | null> {
  const res = await app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${conv.token}` },
    body: JSON.stringify({ text, conversationId: conv.id }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { reply: { kind: string } | null }).reply?.kind ?? null;
}

afterAll(async () => {
  if (kbCopy) rmSync(kbCopy, { recursive: true, force: true });
});

describe('POST /api/agent/conversations/:id/faq-drafts', () => {
  let saved: FaqDraftJson;

  it('lets the holder save an answer: 201, the visitor question before it with the phone number masked', async () => {
    const res = await saveDraft('alice', handed.id, { messageId: answer.id });
    expect(res.status).toBe(201);
    saved = ((await res.json()) as { draft: FaqDraftJson }).draft;
    expect(saved).toMatchObject({
      conversationId: handed.id,
      messageId: answer.id,
      lang: 'zh',
      status: 'open',
      createdByName: 'Alice',
      question: '我的号码是138****5678，昨天交了话费还是停机',
      answer: answer.text,
    });
    expect(JSON.stringify(saved)).not.toContain(PHONE);
    // "转人工" fired a rule: the suggestion is the top candidate of the bot's try before it (the unanswered question).
    expect(saved.suggestedEntry).toMatch(/^[a-z]+\./);
    // Stored masked too, not only returned masked.
    expect(JSON.stringify(db.prepare('SELECT * FROM faq_drafts').all())).not.toContain(PHONE);
  });

  it('takes the edited question and answer, masked as well (full-width digits from Chinese input methods too)', async () => {
    const res = await saveDraft('alice', handed.id, {
      messageId: answer.id,
      question: `  停机了怎么办 ${PHONE} 身份证１１０１０５１９９００３０７１２３４ `,
      answer: `请拨打 010-12345678 或 ${PHONE} 或０１０－８７６５４３２１，号码１３９１２３４５６７８`,
    });
    expect(res.status).toBe(201);
    const { draft } = (await res.json()) as { draft: FaqDraftJson };
    expect(draft.question).toBe('停机了怎么办 138****5678 身份证******************');
    expect(draft.answer).toBe('请拨打 010-******** 或 138****5678 或010-********，号码139****5678');
  });

  it('skips the bare request for a person when the visitor wrote nothing to the agent', async () => {
    const conv = await visitor('手机为什么会突然停机', '转人工');
    expect((await call('bob', 'POST', `/api/agent/conversations/${conv.id}/take`)).status).toBe(200);
    const sent = await call('bob', 'POST', `/api/agent/conversations/${conv.id}/messages`, { text: '请先确认是否欠费。' });
    const { message } = (await sent.json()) as { message: Message };
    const res = await saveDraft('bob', conv.id, { messageId: message.id });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { draft: FaqDraftJson }).draft.question).toBe('手机为什么会突然停机');
    expect((await call('bob', 'POST', `/api/agent/conversations/${conv.id}/close`)).status).toBe(200);
    // After the close Bob still held it once: he may still save from it.
    expect((await saveDraft('bob', conv.id, { messageId: message.id })).status).toBe(201);
  });

  it('refuses an agent who never held the chat (403), but lets an admin', async () => {
    const res = await saveDraft('bob', handed.id, { messageId: answer.id });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await saveDraft('admin', handed.id, { messageId: answer.id })).status).toBe(201);
  });

  it('refuses a visitor message, an unknown message and a bad body with 400', async () => {
    const visitorMessage = (await messages('alice', handed.id)).find((m) => m.author === 'visitor')!;
    for (const [body, code] of [
      [{ messageId: visitorMessage.id }, 'not_agent_message'],
      [{ messageId: 99_999_999 }, 'not_agent_message'],
      [{ messageId: 'x' }, 'invalid_messageId'],
      [{ messageId: answer.id, lang: 'fr' }, 'invalid_lang'],
      [{ messageId: answer.id, question: '   ' }, 'empty_text'],
      [{ messageId: answer.id, extra: 1 }, 'unknown_field'],
    ] as const) {
      const res = await saveDraft('alice', handed.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('refuses a chat the bot alone handled (409) and an unknown chat (404)', async () => {
    const bot = await visitor('充值卡密码几位');
    expect(bot.kinds).toEqual(['answer']);
    const botMessage = (await messages('admin', bot.id)).find((m) => m.author === 'bot')!;
    const res = await saveDraft('admin', bot.id, { messageId: botMessage.id });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_handed_off');
    expect((await saveDraft('admin', 'no-such-conversation', { messageId: 1 })).status).toBe(404);
    expect((await app.request(`/api/agent/conversations/${handed.id}/faq-drafts`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('is listed for admins newest first, not for plain agents', async () => {
    const open = await list();
    expect(open.length).toBe(5);
    expect(open.at(-1)!.id).toBe(saved.id);
    expect((await call('alice', 'GET', '/api/admin/faq-drafts')).status).toBe(403);
    expect((await call('admin', 'GET', '/api/admin/faq-drafts?status=maybe')).status).toBe(400);
    expect(await list('used')).toEqual([]);
  });
});

describe('dismissing and making change files', () => {
  it('dismisses an open draft once (then 409), 404 for an unknown one, 403 for an agent', async () => {
    const [newest] = await list();
    expect((await call('alice', 'POST', `/api/admin/faq-drafts/${newest!.id}/dismiss`)).status).toBe(403);
    const res = await call('admin', 'POST', `/api/admin/faq-drafts/${newest!.id}/dismiss`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { draft: FaqDraftJson }).draft).toMatchObject({ status: 'dismissed', handledByName: '值班经理' });
    expect((await call('admin', 'POST', `/api/admin/faq-drafts/${newest!.id}/dismiss`)).status).toBe(409);
    expect((await call('admin', 'POST', '/api/admin/faq-drafts/424242/dismiss')).status).toBe(404);
    expect((await list('dismissed')).map((d) => d.id)).toEqual([newest!.id]);
    // The audit log has one row per real change (the refused second dismissal wrote none), and no text.
    const audit = db.prepare("SELECT action, target_id, details FROM audit_log WHERE target_type = 'faq_draft' ORDER BY id").all() as { action: string; target_id: string; details: string }[];
    expect(audit.filter((r) => r.action === 'faq_draft.created').length).toBe(5);
    expect(audit.filter((r) => r.action === 'faq_draft.dismissed').map((r) => r.target_id)).toEqual([String(newest!.id)]);
    expect(JSON.stringify(audit)).not.toContain('停机');
    // A dismissed draft makes no change file.
    expect((await call('admin', 'POST', `/api/admin/faq-drafts/${newest!.id}/change`, {})).status).toBe(409);
  });

  it('turns a draft into a change file that applies to a copy of the knowledge base, and marks it used', async () => {
    const draft = (await list()).find((d) => d.question.startsWith('我的号码是'))!;
    // No change sent: the draft's question becomes a variant of the entry the bot suggested.
    const entry = draft.suggestedEntry!;
    const res = await call('admin', 'POST', `/api/admin/faq-drafts/${draft.id}/change`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toContain('yaml');
    expect(res.headers.get('content-disposition')).toContain(`kb-change-draft-${draft.id}.yaml`);
    const text = await res.text();
    const parsed = parseKbChange('kb-change.yaml', text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.change.changes[0]!.addQuestions).toEqual({ entry, lang: 'zh', questions: [draft.question] });

    kbCopy = mkdtempSync(path.join(tmpdir(), 'faq-drafts-kb-'));
    cpSync(KNOWLEDGE_DIR, kbCopy, { recursive: true });
    const applied = await applyKbChange(kbCopy, parsed.change, { source: parsed.source });
    expect(applied.ok, JSON.stringify(applied)).toBe(true);
    const file = applied.ok ? applied.edits[0]!.file : '';
    expect(readFileSync(path.join(kbCopy, file), 'utf8')).toContain(draft.question);
    // The real knowledge folder is untouched.
    expect(readFileSync(path.join(KNOWLEDGE_DIR, file), 'utf8')).not.toContain(draft.question);

    expect((await list('used')).map((d) => d.id)).toContain(draft.id);
    expect((await list()).map((d) => d.id)).not.toContain(draft.id);
  });

  it('without a usable suggestion asks for a change (400), and refuses an unknown entry', async () => {
    const draft = (await list())[0]!;
    db.prepare('UPDATE faq_drafts SET suggested_entry = NULL WHERE id = ?').run(draft.id);
    const res = await call('admin', 'POST', `/api/admin/faq-drafts/${draft.id}/change`, {});
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: 'change_required', field: 'change' });
    const unknown = await call('admin', 'POST', `/api/admin/faq-drafts/${draft.id}/change`, {
      change: { changes: [{ addQuestions: { entry: 'billing.no-such-entry', lang: 'zh', questions: ['x'] } }] },
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_entry');
    // Neither attempt used it up.
    expect((await list()).map((d) => d.id)).toContain(draft.id);
  });
});
