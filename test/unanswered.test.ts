// The unanswered inbox end to end: visitors' missed questions through POST /api/chat on a real app and a real
// SQLite file, then GET /api/admin/unanswered (groups, counts, candidates, masking), dismissing a group,
// the change download (refuses unknown ids, returns YAML), and 403 for a plain agent.
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AppEnv } from '../handoff/http/app-env.ts';
import type { Db } from '../handoff/sqlite/db.ts';
import { parseKbChange } from '../knowledge/index.ts';
import { overApp, signInCookie } from './http-kit.ts';
import { ADMIN, useWiredService } from './service-kit.ts';

const AGENT = { username: 'alice', password: 'alice-pass-123' };
const ORIGIN = 'http://localhost';
const PHONE = '13812345678';

type App = Hono<AppEnv>;
interface Group {
  text: string;
  count: number;
  lastAskedAt: string;
  candidates: { entryId: string; score: number }[];
  variants: string[];
  lang: string;
  groupKey: string;
}

let db: Db;
// Escalation after two misses on, as an operator may configure it: its handoff is logged as a miss too.
const wired = useWiredService('unanswered-', { HANDOFF_AFTER_FALLBACKS: '2' });
let app: App;
let adminCookie: string;
let agentCookie: string;

const signIn = (who: { username: string; password: string }): Promise<string> => signInCookie(overApp(app), ORIGIN, who);

/** A visitor's messages in one conversation; returns the reply kinds. */
async function chat(...texts: string[]): Promise<string[]> {
  const kinds: string[] = [];
  let conversation: { id: string; token: string } | undefined;
  for (const text of texts) {
    const res = await app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(conversation ? { authorization: `Bearer ${conversation.token}` } : {}) },
      body: JSON.stringify(conversation ? { text, conversationId: conversation.id } : { text }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversationId: string; token?: string; reply: { kind: string } };
    conversation ??= { id: body.conversationId, token: body.token! };
    kinds.push(body.reply.kind);
  }
  return kinds;
}

async function admin(url: string, init: { method?: string; body?: unknown; cookie?: string } = {}): Promise<Response> {
  return app.request(url, {
    method: init.method ?? 'GET',
    headers: { origin: ORIGIN, cookie: init.cookie ?? adminCookie, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

async function inbox(query = ''): Promise<Group[]> {
  const res = await admin(`/api/admin/unanswered${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { questions: Group[] }).questions;
}

const groupWith = (groups: Group[], fragment: string) => groups.find((g) => g.variants.some((v) => v.includes(fragment)));

beforeAll(async () => {
  ({ db, app } = wired.service);
  adminCookie = await signIn(ADMIN);
  const created = await admin('/api/admin/agents', { method: 'POST', body: { ...AGENT, displayName: 'Alice', role: 'agent', groups: ['mobile'], capacity: 2 } });
  expect(created.status).toBe(201);
  agentCookie = await signIn(AGENT);

  // Three visitors ask the same thing differently punctuated and worded; the bot has no entry for it.
  expect(await chat('宽带猫的灯一直闪红色')).toEqual(['fallback']);
  expect(await chat('宽带猫的灯，一直闪红色！')).toEqual(['fallback']);
  expect(await chat('宽带猫的灯一直在闪红色呢')).toEqual(['fallback']);
  // Shares only 宽带 with the above: its own group.
  expect(await chat('宽带的网线是什么颜色')).toEqual(['fallback']);
  expect(await chat(`我这个号码${PHONE}是哪年开始有的`)).toEqual(['fallback']);
  // Too short to tell which data entry: a clarify.
  expect(await chat('流量?')).toEqual(['clarify']);
  // Two misses in a row: the second is a handoff for lack of an answer (low_confidence).
  expect(await chat('我家的狗会不会说话', '我家的猫会不会唱歌')).toEqual(['fallback', 'handoff']);
  // Not unanswered: an answer, and a visitor who simply asks for a person.
  expect(await chat('充值卡密码几位')).toEqual(['answer']);
  expect(await chat('转人工')).toEqual(['handoff']);
  expect(await chat('can my dog use the phone')).toEqual(['fallback']);
}, 60_000);

describe('logging', () => {
  it('stores each missed turn once, masked, with language, candidates and the kind of miss', () => {
    const rows = db.prepare('SELECT * FROM unanswered_questions ORDER BY id').all() as Record<string, string>[];
    expect(rows.map((r) => `${r.kind}:${r.reason ?? ''}`)).toEqual([
      'fallback:no_match', 'fallback:no_match', 'fallback:no_match', 'fallback:no_match', 'fallback:no_match',
      'clarify:', 'fallback:no_match', 'handoff:low_confidence', 'fallback:no_match',
    ]);
    expect(JSON.stringify(rows)).not.toContain(PHONE);
    expect(rows[4]!.text).toBe('我这个号码138****5678是哪年开始有的');
    expect(rows.at(-1)!.lang).toBe('en');
    for (const r of rows) {
      expect(r.conversation_id).toMatch(/\S/);
      expect(Date.parse(r.asked_at!)).not.toBeNaN();
    }
  });
});

describe('GET /api/admin/unanswered', () => {
  it('groups near-identical questions with count, variants, candidates and last time, most asked first', async () => {
    const groups = await inbox();
    expect(groups[0]!.count).toBe(3);
    expect(new Set(groups[0]!.variants)).toEqual(new Set(['宽带猫的灯一直闪红色', '宽带猫的灯，一直闪红色！', '宽带猫的灯一直在闪红色呢']));
    expect(groups[0]!.lang).toBe('zh');
    expect(groups[0]!.candidates.length).toBeGreaterThan(0);
    for (const c of groups[0]!.candidates) {
      expect(c.entryId).toMatch(/^[a-z]+\./);
      expect(c.score).toBeGreaterThan(0);
      expect(c.score).toBeLessThanOrEqual(1);
    }
    // 宽带 alone does not make two questions one.
    expect(groupWith(groups, '网线')!.count).toBe(1);
    expect(groupWith(groups, '网线')).not.toBe(groups[0]);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(9);
    // Equal counts: the most recent first.
    const singles = groups.slice(1).map((g) => g.lastAskedAt);
    expect(singles).toEqual([...singles].sort().reverse());
  });

  it('shows the phone number masked', async () => {
    const groups = await inbox();
    expect(JSON.stringify(groups)).not.toContain(PHONE);
    expect(groupWith(groups, '哪年')!.text).toBe('我这个号码138****5678是哪年开始有的');
  });

  it('filters by language, period and limit, and refuses bad parameters with 400', async () => {
    expect((await inbox('?lang=en')).map((g) => g.text)).toEqual(['can my dog use the phone']);
    expect(await inbox('?to=2000-01-01')).toEqual([]);
    expect((await inbox('?from=2000-01-01&limit=2')).length).toBe(2);
    for (const q of ['?lang=fr', '?limit=0', '?limit=abc', '?from=yesterday']) {
      const res = await admin(`/api/admin/unanswered${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^invalid_/);
    }
  });

  it('is for admins: a plain agent gets 403, no session 401', async () => {
    expect((await admin('/api/admin/unanswered', { cookie: agentCookie })).status).toBe(403);
    expect((await app.request('/api/admin/unanswered')).status).toBe(401);
    expect((await admin('/api/admin/unanswered/dismiss', { method: 'POST', cookie: agentCookie, body: { groupKey: 'x' } })).status).toBe(403);
    expect((await admin('/api/admin/unanswered/change', { method: 'POST', cookie: agentCookie, body: { changes: [] } })).status).toBe(403);
  });
});

describe('POST /api/admin/unanswered/change', () => {
  const addQuestions = (entry: string) => ({ addQuestions: { entry, lang: 'zh', questions: ['宽带猫的灯一直闪红色'] } });

  it('refuses an entry id the live knowledge base does not have', async () => {
    const res = await admin('/api/admin/unanswered/change', { method: 'POST', body: { changes: [addQuestions('bundle.no-such-entry')] } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'unknown_entry', message: expect.stringContaining('bundle.no-such-entry'), field: 'changes.0.addQuestions.entry' } });
  });

  it('refuses a new entry whose id is taken, and a malformed change', async () => {
    const taken = (await inbox())[0]!.candidates[0]!.entryId;
    const newEntry = { newEntry: { file: 'faq/bundle.yaml', entry: { id: taken, questions: { zh: ['猫灯红'], en: ['Modem light red'] }, answer: { zh: '重启光猫。', en: 'Restart the modem.' } } } };
    const res = await admin('/api/admin/unanswered/change', { method: 'POST', body: { changes: [newEntry] } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('entry_exists');
    const bad = await admin('/api/admin/unanswered/change', { method: 'POST', body: { changes: [{ addQuestions: { entry: 'Not An Id', lang: 'zh', questions: [] } }] } });
    expect(bad.status).toBe(400);
  });

  it('returns the change as a YAML download, both kinds of item', async () => {
    const top = (await inbox())[0]!.candidates[0]!.entryId;
    const change = {
      changes: [
        addQuestions(top),
        { newEntry: { file: 'faq/bundle.yaml', entry: { id: 'bundle.modem-red-light', questions: { zh: ['宽带猫的灯一直闪红色'], en: ['The modem light keeps flashing red'] }, answer: { zh: '请重启光猫；仍闪红灯请报修。', en: 'Restart the modem; if it still flashes red, report a fault.' } } } },
      ],
    };
    const res = await admin('/api/admin/unanswered/change', { method: 'POST', body: change });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="kb-change-\d{4}-\d{2}-\d{2}\.yaml"$/);
    const text = await res.text();
    expect(parse(text)).toEqual(change);
    // The format `npm run kb -- apply` reads (knowledge/kb-change.ts).
    expect(parseKbChange('kb-change.yaml', text)).toMatchObject({ ok: true });
  });
});

describe('POST /api/admin/unanswered/dismiss', () => {
  it('marks the whole group handled so the inbox shrinks, and leaves other groups', async () => {
    const before = await inbox();
    const res = await admin('/api/admin/unanswered/dismiss', { method: 'POST', body: { groupKey: before[0]!.groupKey } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ dismissed: 3 });
    const after = await inbox();
    expect(after).toHaveLength(before.length - 1);
    expect(groupWith(after, '猫的灯')).toBeUndefined();
    expect(groupWith(after, '网线')).toBeDefined();
    const again = await admin('/api/admin/unanswered/dismiss', { method: 'POST', body: { groupKey: before[0]!.groupKey } });
    expect(await again.json()).toEqual({ dismissed: 0 });
  });
});
