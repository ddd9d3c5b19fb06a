// Hostile JSON bodies against every body route of the authorization table (real SQLite file, real sessions,
// app.request()): not an object, each field with the wrong type ({"$gt": ""}, arrays, numbers for strings,
// huge numbers, "NaN"), unknown fields, __proto__ and constructor keys, control characters and bidi
// overrides, oversize strings, invalid UTF-8. Each must get an honest 4xx with `{ error: { code, message,
// field? } }` naming the bad field, never a 500 or a 2xx for a wrong type, and must change nothing stored.
import { contentLimits } from '../knowledge/schema.ts';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../handoff/http/app-env.ts';
import { authorizationTable, type AuthorizedRoute } from '../handoff/http/authorization-table.ts';
import { overApp, signInCookie } from './http-kit.ts';
import { ADMIN, useWiredService } from './service-kit.ts';

const AGENT = { username: 'alice', password: 'alice-pass-123' };
const OWN_ORIGIN = 'http://localhost';
/** Far past any field's limit, still under the 16 KiB body limit: the field's own check must answer. */
const LONG = 'x'.repeat(12_000);
/** Past every body limit: 413 (or 400) before anything is parsed. */
const HUGE = 'y'.repeat(2_000_000);
/** NUL, BEL, ESC, DEL, a C1 control, RIGHT-TO-LEFT OVERRIDE, an isolate, a lone surrogate, around visible text. */
const DIRTY = 'ok\u0000\u0007\u001b\u007f\u0085 \u202Egnp.exe\u2066x\u2069\uD800 end';
/** What must never be stored or echoed in a field people read. */
const FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type App = Hono<AppEnv>;
type Caller = 'admin' | 'agent' | 'visitor' | 'anonymous';

/** What a field holds, so the battery knows which values are the wrong type for it. */
type Field =
  | {
      type: 'string';
      /** Longest accepted, in characters (undefined: cut to size, never refused for length). */
      max?: number;
      /** Never shown to anyone (passwords): stored as typed, so control characters are not stripped. */
      secret?: true;
      /** Optional fields may be null. */
      nullable?: true;
    }
  | { type: 'integer'; nullable?: true }
  | { type: 'boolean' }
  | { type: 'enum'; nullable?: true }
  | { type: 'string[]' }
  | { type: 'object[]' }
  | { type: 'object' };

interface BodyRoute {
  as: Caller;
  /** The path with its parameters filled with real ids. */
  url: () => string;
  /** A body that passes validation (fresh per call: unique names); the battery spoils one thing in it. */
  valid: () => Record<string, unknown>;
  fields: Record<string, Field>;
}

/** A POST that reads no body at all: hostile bodies must still never reach a 500 or change anything. */
interface BodylessRoute {
  as: Caller;
  body: 'none';
  url: () => string;
}

interface Fixture {
  app: App;
  adminCookie: string;
  agentCookie: string;
  /** A visitor chat the admin holds (replies, transfer, typing, block). */
  held: { id: string; token: string };
  /** A closed chat (rating). */
  closed: { id: string; token: string };
  ticketId: number;
  /** An agent account the admin PATCH battery aims at. */
  victimId: string;
}

const wired = useWiredService('input-validation-');
let f: Fixture;
let serial = 0;
const openStreams: Response[] = [];
const unique = () => `${Date.now().toString(36)}${++serial}`;

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Every POST/PUT/PATCH of the authorization table (streams aside) must be described here: its fields and
 * a body that passes validation. A route added later without an entry fails the first test below.
 */
const bodyRoutes = (): Record<string, BodyRoute | BodylessRoute> => ({
  'POST /api/chat': {
    as: 'visitor',
    url: () => '/api/chat',
    valid: () => ({ text: 'hello', conversationId: f.held.id }),
    fields: {
      text: { type: 'string', max: 2000 },
      conversationId: { type: 'string', max: 128, nullable: true },
      lang: { type: 'enum', nullable: true },
      clientMessageId: { type: 'string', max: 64, nullable: true },
      visitor: { type: 'object' },
      visitorId: { type: 'string', max: 64, nullable: true },
    },
  },
  'POST /api/conversations/:id/typing': {
    as: 'visitor',
    url: () => `/api/conversations/${f.held.id}/typing`,
    valid: () => ({ typing: true }),
    fields: { typing: { type: 'boolean' } },
  },
  'POST /api/conversations/:id/handoff': { as: 'visitor', body: 'none', url: () => `/api/conversations/${f.held.id}/handoff` },
  'POST /api/conversations/:id/close': { as: 'visitor', body: 'none', url: () => `/api/conversations/${NO_SUCH_ID}/close` },
  // Multipart, never JSON: any JSON body is 415 unchanged; hostile files and multipart are test/attachments.test.ts.
  'POST /api/conversations/:id/attachments': { as: 'visitor', body: 'none', url: () => `/api/conversations/${f.held.id}/attachments` },
  'POST /api/agent/conversations/:id/attachments': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${f.held.id}/attachments` },
  'POST /api/conversations/:id/rating': {
    as: 'visitor',
    url: () => `/api/conversations/${f.closed.id}/rating`,
    valid: () => ({ score: 4, comment: 'fine' }),
    fields: { score: { type: 'integer' }, comment: { type: 'string', max: 500, nullable: true } },
  },
  'POST /api/conversations/:id/ticket': {
    as: 'visitor',
    url: () => `/api/conversations/${f.held.id}/ticket`,
    valid: () => ({ contact: 'a@example.com', text: 'please call me' }),
    fields: { contact: { type: 'string', max: 200 }, text: { type: 'string', max: 1000 } },
  },
  'POST /api/agent/login': {
    as: 'anonymous',
    url: () => '/api/agent/login',
    // A wrong password: the battery must never sign anyone in.
    valid: () => ({ username: ADMIN.username, password: 'not-the-password' }),
    fields: { username: { type: 'string', max: 256 }, password: { type: 'string', max: 1024, secret: true } },
  },
  'POST /api/agent/logout': { as: 'anonymous', body: 'none', url: () => '/api/agent/logout' },
  'POST /api/agent/password': {
    as: 'agent',
    url: () => '/api/agent/password',
    // A wrong current password: the battery must never change it.
    valid: () => ({ current: 'not-the-password', next: 'another-long-pass-1' }),
    fields: { current: { type: 'string', max: 1024, secret: true }, next: { type: 'string', max: 1024, secret: true } },
  },
  'POST /api/agent/status': {
    as: 'admin',
    url: () => '/api/agent/status',
    valid: () => ({ status: 'away' }),
    fields: { status: { type: 'enum' } },
  },
  'POST /api/agent/conversations/:id/take': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${NO_SUCH_ID}/take` },
  'POST /api/agent/conversations/:id/messages': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/messages`,
    valid: () => ({ text: 'hello from the agent' }),
    fields: { text: { type: 'string', max: 2000 }, clientMessageId: { type: 'string', max: 64, nullable: true } },
  },
  'POST /api/agent/conversations/:id/transfer': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/transfer`,
    // No such agent: the chat stays with the admin.
    valid: () => ({ agent: NO_SUCH_ID, note: 'over to you' }),
    fields: {
      agent: { type: 'string', max: 128, nullable: true },
      group: { type: 'string', max: 64, nullable: true },
      note: { type: 'string', max: 500, nullable: true },
    },
  },
  'POST /api/agent/conversations/:id/close': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${NO_SUCH_ID}/close` },
  // Working together (handoff/collaboration/): no such colleague, so nobody is invited; the answers name no chat.
  'POST /api/agent/conversations/:id/invite': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/invite`,
    valid: () => ({ agent: NO_SUCH_ID, note: 'please help with this one' }),
    fields: { agent: { type: 'string', max: 128 }, note: { type: 'string', max: 500, nullable: true } },
  },
  // Read receipts: a marker only moves forward to a message of the chat; the battery's bodies name none.
  'POST /api/conversations/:id/read': {
    as: 'visitor',
    url: () => `/api/conversations/${f.held.id}/read`,
    valid: () => ({ upTo: 1 }),
    fields: { upTo: { type: 'integer' } },
  },
  'POST /api/agent/conversations/:id/read': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/read`,
    valid: () => ({ upTo: 1 }),
    fields: { upTo: { type: 'integer' } },
  },
  // Multipart, never JSON (hostile files are test/canned-library.test.ts); sending names no library entry.
  'POST /api/admin/canned/files': { as: 'admin', body: 'none', url: () => '/api/admin/canned/files' },
  'POST /api/agent/conversations/:id/canned-files/:cannedId': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${f.held.id}/canned-files/${NO_SUCH_ID}` },
  'POST /api/agent/conversations/:id/accept': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${NO_SUCH_ID}/accept` },
  'POST /api/agent/conversations/:id/decline': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${NO_SUCH_ID}/decline` },
  'POST /api/agent/conversations/:id/leave': { as: 'admin', body: 'none', url: () => `/api/agent/conversations/${NO_SUCH_ID}/leave` },
  // A private note in the held chat: stored beside it, never among its messages (which the battery's world compares).
  'POST /api/agent/conversations/:id/consult': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/consult`,
    valid: () => ({ text: 'a private note' }),
    fields: { text: { type: 'string', max: 2000 }, to: { type: 'string', max: 128, nullable: true } },
  },
  'POST /api/agent/conversations/:id/typing': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/typing`,
    valid: () => ({ typing: false }),
    fields: { typing: { type: 'boolean' } },
  },
  'POST /api/agent/conversations/:id/block': {
    as: 'admin',
    url: () => `/api/agent/conversations/${f.held.id}/block`,
    // The held chat has no visitor id: 409, nobody is blocked.
    valid: () => ({ by: 'visitor', reason: 'spam', durationHours: 24 }),
    fields: { by: { type: 'enum' }, reason: { type: 'string', max: 200, nullable: true }, durationHours: { type: 'integer', nullable: true } },
  },
  'POST /api/admin/blocks': {
    as: 'admin',
    url: () => '/api/admin/blocks',
    // A documentation range (RFC 5737) nobody in this test sends from (app.request has no socket address).
    valid: () => ({ by: 'ip', value: '198.51.100.0/24', reason: 'spam', durationHours: 1 }),
    fields: {
      by: { type: 'enum' },
      value: { type: 'string', max: 100 },
      reason: { type: 'string', max: 200, nullable: true },
      durationHours: { type: 'integer', nullable: true },
    },
  },
  'POST /api/agent/tickets/:id/answer': {
    as: 'admin',
    url: () => `/api/agent/tickets/${f.ticketId}/answer`,
    valid: () => ({ text: 'we will call you' }),
    fields: { text: { type: 'string', max: 2000 } },
  },
  'POST /api/agent/canned': {
    as: 'agent',
    url: () => '/api/agent/canned',
    valid: () => ({ shortcut: `/s${unique()}`, title: 'Title', text: 'Body', lang: 'en' }),
    fields: {
      shortcut: { type: 'string', max: 33 },
      title: { type: 'string', max: 100 },
      text: { type: 'string', max: 4000 },
      lang: { type: 'enum', nullable: true },
      shared: { type: 'boolean' },
    },
  },
  'PATCH /api/agent/canned/:id': {
    as: 'agent',
    // Validation comes first: a reply that does not exist answers 404 only once the body is fine.
    url: () => `/api/agent/canned/${NO_SUCH_ID}`,
    valid: () => ({ title: 'New title' }),
    fields: {
      shortcut: { type: 'string', max: 33 },
      title: { type: 'string', max: 100 },
      text: { type: 'string', max: 4000 },
      lang: { type: 'enum', nullable: true },
    },
  },
  'POST /api/admin/agents': {
    as: 'admin',
    url: () => '/api/admin/agents',
    valid: () => ({ username: `u${unique()}`, displayName: 'New One', password: 'new-one-pass-123', role: 'agent', groups: ['mobile'], capacity: 2 }),
    fields: {
      username: { type: 'string', max: 64 },
      displayName: { type: 'string', max: 64 },
      role: { type: 'enum' },
      groups: { type: 'string[]' },
      capacity: { type: 'integer' },
      password: { type: 'string', max: 1024, secret: true },
    },
  },
  'PATCH /api/admin/agents/:id': {
    as: 'admin',
    url: () => `/api/admin/agents/${f.victimId}`,
    valid: () => ({ displayName: 'Victim' }),
    fields: {
      displayName: { type: 'string', max: 64 },
      role: { type: 'enum' },
      groups: { type: 'string[]' },
      capacity: { type: 'integer' },
      disabled: { type: 'boolean' },
      password: { type: 'string', max: 1024, secret: true },
    },
  },
  'PUT /api/admin/groups/:id': {
    as: 'admin',
    url: () => '/api/admin/groups/hostile-test',
    valid: () => ({ name: 'Hostile test', hours: { open: '08:00', close: '20:00' } }),
    fields: { name: { type: 'string', max: 100 }, hours: { type: 'object' } },
  },
  'POST /api/admin/unanswered/dismiss': {
    as: 'admin',
    url: () => '/api/admin/unanswered/dismiss',
    valid: () => ({ groupKey: 'no-such-group' }),
    fields: { groupKey: { type: 'string', max: 64 } },
  },
  'POST /api/admin/unanswered/change': {
    as: 'admin',
    url: () => '/api/admin/unanswered/change',
    valid: () => ({ changes: [{ addQuestions: { entry: 'billing.detail-period', lang: 'en', questions: ['how long is a bill?'] } }] }),
    fields: { changes: { type: 'object[]' } },
  },
  'POST /api/visitor/pageview': {
    as: 'anonymous',
    url: () => '/api/visitor/pageview',
    valid: () => ({ url: 'https://shop.example/broadband/fiber', title: 'Fiber broadband' }),
    fields: {
      url: { type: 'string', max: 2048 },
      title: { type: 'string', max: 200, nullable: true },
      visitorId: { type: 'string', max: 64, nullable: true },
      token: { type: 'string', max: 128, nullable: true },
    },
  },
  'POST /api/visitor/pageleave': {
    as: 'anonymous',
    url: () => '/api/visitor/pageleave',
    // No such presence: a valid body gets 401, nothing changes.
    valid: () => ({ token: 'x'.repeat(43) }),
    fields: { token: { type: 'string', max: 128 } },
  },
  'POST /api/visitor/invitations/:id/dismiss': { as: 'anonymous', body: 'none', url: () => `/api/visitor/invitations/${NO_SUCH_ID}/dismiss` },
  'POST /api/visitor/invitations/:id/accept': { as: 'anonymous', body: 'none', url: () => `/api/visitor/invitations/${NO_SUCH_ID}/accept` },
  'POST /api/agent/visitors/:id/invite': {
    as: 'agent',
    url: () => `/api/agent/visitors/${NO_SUCH_ID}/invite`,
    valid: () => ({ text: 'Can I help you choose a plan?' }),
    fields: { text: { type: 'string', max: 300, nullable: true } },
  },
  'PUT /api/admin/invitation-rules': {
    as: 'admin',
    url: () => '/api/admin/invitation-rules',
    valid: () => ({ rules: [] }),
    fields: { rules: { type: 'object[]' } },
  },
  'PUT /api/admin/visitor-texts': {
    as: 'admin',
    url: () => '/api/admin/visitor-texts',
    valid: () => ({ welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } }),
    fields: { welcome: { type: 'object' }, banner: { type: 'object' } },
  },
  'PUT /api/admin/visitor-texts/logo': {
    as: 'admin',
    url: () => '/api/admin/visitor-texts/logo',
    // A 2x2 PNG as the console sends it (a data: URL); the battery spoils it, so nothing is ever kept.
    valid: () => ({ image: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IaAHRAwQCgAfHgQZ2PY+qQAAAABJRU5ErkJggg==' }),
    fields: { image: { type: 'string', max: 350_000 } },
  },
  'POST /api/admin/monitor/:id/watch': { as: 'admin', body: 'none', url: () => `/api/admin/monitor/${NO_SUCH_ID}/watch` },
  'POST /api/agent/conversations/:id/faq-drafts': {
    as: 'admin',
    // The held chat was never handed off by the bot: a valid body gets 409, nothing is stored.
    url: () => `/api/agent/conversations/${f.held.id}/faq-drafts`,
    valid: () => ({ messageId: 1, question: 'how do I pay?', answer: 'like this', lang: 'en' }),
    fields: {
      messageId: { type: 'integer' },
      question: { type: 'string', max: contentLimits.maxQuestionChars },
      answer: { type: 'string', max: contentLimits.maxAnswerChars },
      lang: { type: 'enum' },
    },
  },
  'POST /api/admin/faq-drafts/:id/dismiss': { as: 'admin', body: 'none', url: () => '/api/admin/faq-drafts/999999/dismiss' },
  'POST /api/admin/faq-drafts/:id/change': {
    as: 'admin',
    url: () => '/api/admin/faq-drafts/999999/change',
    valid: () => ({}),
    fields: { change: { type: 'object' } },
  },
});

/** Values of the wrong type for a field, as JSON text (so 1e400, which JSON.parse makes Infinity, can be sent). */
function wrongValues(field: Field): string[] {
  const operator = ['{"$gt":""}', '{"$ne":null}', '{"$where":"1"}', '{"a":{"b":{"c":{"d":{}}}}}'];
  switch (field.type) {
    case 'string':
      return [...operator, '["x"]', '12345', '1e400', 'true', ...(field.nullable ? [] : ['null'])];
    case 'integer':
      return [...operator, '["1"]', '"5"', '"NaN"', '"Infinity"', '1e400', '-1e400', '1e20', '2.5', '-7', 'true', ...(field.nullable ? [] : ['null'])];
    case 'boolean':
      return [...operator, '["true"]', '"true"', '1', '0', 'null'];
    case 'enum':
      return [...operator, '["admin"]', '1', 'true', '"ADMIN "', '"admin\\u0000"', '"__proto__"', ...(field.nullable ? [] : ['null'])];
    case 'string[]':
      return [...operator, '"mobile"', '1', 'true', 'null', '[{"$gt":""}]', '[1]', '[["mobile"]]', `[${Array.from({ length: 50 }, (_, i) => `"g${i}"`).join(',')}]`];
    case 'object[]':
      return ['"x"', '1', 'true', 'null', '{"$gt":""}', '[1]', '["x"]', '[{"$gt":""}]', '[[{}]]'];
    case 'object':
      return ['"x"', '1', 'true', '[]', '["x"]', '{"$gt":""}'];
  }
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function send(route: BodyRoute | BodylessRoute, body: string | ArrayBuffer): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: OWN_ORIGIN };
  if (route.as === 'admin') headers.cookie = f.adminCookie;
  if (route.as === 'agent') headers.cookie = f.agentCookie;
  if (route.as === 'visitor') headers.authorization = `Bearer ${(route.url().includes(f.closed.id) ? f.closed : f.held).token}`;
  const res = await f.app.request(route.url(), { method: methodOf(route), headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const methodOf = (route: BodyRoute | BodylessRoute) => routeMethods.get(route)!;
const routeMethods = new Map<BodyRoute | BodylessRoute, string>();

/** Everything stored that the battery could touch, as the API shows it (time-dependent counters left out). */
async function world(): Promise<string> {
  const get = async (url: string, cookie?: string, token?: string) => {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await f.app.request(url, { headers });
    expect(res.status, url).toBe(200);
    return res.json();
  };
  const parts = {
    agents: await get('/api/admin/agents', f.adminCookie),
    groups: await get('/api/admin/groups', f.adminCookie),
    canned: await get('/api/agent/canned', f.agentCookie),
    tickets: await get('/api/agent/tickets', f.adminCookie),
    status: await get('/api/agent/status', f.adminCookie),
    held: await get(`/api/conversations/${f.held.id}/messages`, undefined, f.held.token),
    closed: await get(`/api/conversations/${f.closed.id}/messages`, undefined, f.closed.token),
  };
  return JSON.stringify(parts, (k, v) => (/Seconds$|^opensAt$|^open$/.test(k) ? undefined : v));
}

/** Strings in a JSON value (keys included) that carry a control character, a bidi override or a lone surrogate. */
function dirtyStrings(value: unknown, secretKeys: Set<string>, out: string[] = [], keyName = ''): string[] {
  if (typeof value === 'string') {
    if (!secretKeys.has(keyName) && FORBIDDEN.test(value)) out.push(`${keyName}: ${JSON.stringify(value)}`);
  } else if (Array.isArray(value)) {
    for (const v of value) dirtyStrings(v, secretKeys, out, keyName);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN.test(k)) out.push(`key ${JSON.stringify(k)}`);
      dirtyStrings(v, secretKeys, out, k);
    }
  }
  return out;
}

/** `{ error: { code, message, field? } }` and nothing else; the problems found, if any. */
function errorShapeProblems(answer: Answer): string[] {
  const body = answer.json as { error?: Record<string, unknown> } | undefined;
  if (!body || typeof body !== 'object' || !body.error || typeof body.error !== 'object') return [`body is not { error }: ${answer.text.slice(0, 200)}`];
  const problems: string[] = [];
  const { code, message, field, ...rest } = body.error;
  if (typeof code !== 'string' || code === '') problems.push('error.code is not a string');
  if (typeof message !== 'string' || message === '') problems.push('error.message is not a string');
  if (field !== undefined && typeof field !== 'string') problems.push('error.field is not a string');
  if (Object.keys(body).length !== 1 || Object.keys(rest).length > 0) problems.push(`unexpected keys: ${answer.text.slice(0, 200)}`);
  return problems;
}

const fieldOf = (a: Answer) => (a.json as { error?: { field?: string } } | undefined)?.error?.field;
const codeOf = (a: Answer) => (a.json as { error?: { code?: string } } | undefined)?.error?.code;

/** Statuses that can be honest for a hostile but well-typed body: refused, not allowed, not found, conflicting, too big, limited. */
const HONEST_REFUSALS = [400, 401, 403, 404, 409, 413, 429];

/** Sends one hostile body; returns what is wrong with the answer (empty when all is well). */
async function check(
  route: BodyRoute | BodylessRoute,
  label: string,
  body: string | ArrayBuffer,
  expect: { refused: true; field?: string; code?: string } | { refused: false; secretKeys: Set<string> },
): Promise<string[]> {
  const before = await world();
  const answer = await send(route, body);
  const what = `${label}: ${answer.status}`;
  const wrong: string[] = [];
  if (answer.status >= 500) return [`${what} (never a 5xx) ${answer.text.slice(0, 200)}`];
  if (expect.refused) {
    if (answer.status !== 400 && answer.status !== 413) wrong.push(`${what}, expected 400`);
    if (answer.status >= 400) wrong.push(...errorShapeProblems(answer).map((p) => `${what}: ${p}`));
    if (expect.field !== undefined && answer.status === 400) {
      const field = fieldOf(answer);
      if (field !== expect.field && !field?.startsWith(`${expect.field}.`)) wrong.push(`${what}: error.field ${JSON.stringify(field)}, expected ${JSON.stringify(expect.field)}`);
    }
    if (expect.code !== undefined && answer.status === 400 && codeOf(answer) !== expect.code) {
      wrong.push(`${what}: error.code ${JSON.stringify(codeOf(answer))}, expected ${JSON.stringify(expect.code)}`);
    }
    const after = await world();
    if (after !== before) wrong.push(`${what}: stored state changed by a refused request`);
  } else {
    if (answer.status >= 300 && !HONEST_REFUSALS.includes(answer.status)) wrong.push(`${what}, not an honest answer`);
    if (answer.status >= 400) wrong.push(...errorShapeProblems(answer).map((p) => `${what}: ${p}`));
    // What was stored (error messages may quote the bad value back, JSON-escaped; they are not stored).
    if (answer.status < 300) wrong.push(...dirtyStrings(answer.json, expect.secretKeys).map((s) => `${what}: echoed unclean ${s}`));
    const dirtBefore = new Set(dirtyStrings(JSON.parse(before), expect.secretKeys));
    const dirtAfter = dirtyStrings(JSON.parse(await world()), expect.secretKeys).filter((s) => !dirtBefore.has(s));
    wrong.push(...dirtAfter.map((s) => `${what}: stored unclean ${s}`));
  }
  if (({} as Record<string, unknown>).admin !== undefined || Object.prototype.hasOwnProperty.call(Object.prototype, 'admin')) {
    wrong.push(`${what}: Object.prototype was polluted`);
  }
  return wrong;
}

/** A JSON object text: the valid body with `name` replaced by raw JSON `value` (or added, for unknown keys). */
function withRaw(valid: Record<string, unknown>, name: string, value: string): string {
  const rest = Object.entries(valid).filter(([k]) => k !== name).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${[...rest, `${JSON.stringify(name)}:${value}`].join(',')}}`;
}

async function battery(route: BodyRoute | BodylessRoute): Promise<string[]> {
  const wrong: string[] = [];
  const notObjects = ['[]', '[{"text":"hi"}]', '"text"', '42', 'null', 'true'];
  const protoBodies = ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}'];
  const invalidUtf8 = new Uint8Array([...new TextEncoder().encode('{"text":"a'), 0xff, 0xfe, 0xc3, ...new TextEncoder().encode('"}')]).buffer;
  if ('body' in route) {
    // Bodyless: whatever is sent is ignored; the id names nothing (or a chat already queued), so nothing changes.
    for (const body of [...notObjects, ...protoBodies, '{"$gt":""}', '{"id":{"$ne":null}}']) {
      const answer = await send(route, body);
      if (answer.status >= 500) wrong.push(`${body}: ${answer.status}`);
      if (answer.status >= 400) wrong.push(...errorShapeProblems(answer).map((p) => `${body}: ${p}`));
    }
    return wrong;
  }
  for (const body of notObjects) wrong.push(...(await check(route, `body ${body}`, body, { refused: true, code: 'invalid_body' })));
  wrong.push(...(await check(route, 'invalid UTF-8', invalidUtf8, { refused: true, code: 'invalid_encoding' })));
  wrong.push(...(await check(route, 'a body over the limit', JSON.stringify({ ...route.valid(), padding: HUGE }), { refused: true })));
  for (const body of protoBodies) wrong.push(...(await check(route, body, body, { refused: true })));
  const secretKeys = new Set(Object.entries(route.fields).filter(([, spec]) => spec.type === 'string' && spec.secret).map(([k]) => k));
  for (const [name, value] of [
    ['__proto__', '{"admin":true,"role":"admin"}'],
    ['constructor', '{"prototype":{"admin":true}}'],
    ['isAdmin', 'true'],
    ['$where', '"1"'],
  ] as const) {
    wrong.push(...(await check(route, `valid body + ${name}`, withRaw(route.valid(), name, value), { refused: true, field: name, code: 'unknown_field' })));
  }
  for (const [name, spec] of Object.entries(route.fields)) {
    for (const value of wrongValues(spec)) {
      wrong.push(...(await check(route, `${name}=${value.slice(0, 60)}`, withRaw(route.valid(), name, value), { refused: true, field: name })));
    }
    if (spec.type === 'string') {
      if (spec.max !== undefined) {
        const over = JSON.stringify(LONG.slice(0, Math.max(spec.max + 1, 10_000)));
        wrong.push(...(await check(route, `${name} oversize`, withRaw(route.valid(), name, over), { refused: true, field: name })));
      }
      if (!spec.secret) {
        const base = route.valid();
        const dirty = typeof base[name] === 'string' ? `${DIRTY} ${base[name] as string}` : DIRTY;
        wrong.push(...(await check(route, `${name} with controls and bidi`, withRaw(base, name, JSON.stringify(dirty)), { refused: false, secretKeys })));
      }
    }
  }
  return wrong;
}

const signIn = (app: App, who: { username: string; password: string }): Promise<string> => signInCookie(overApp(app), OWN_ORIGIN, who);

async function json(app: App, method: string, url: string, body: unknown, auth: { cookie?: string; token?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: OWN_ORIGIN };
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  const res = await app.request(url, { method, headers, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, any> };
}

beforeAll(async () => {
  const app = wired.service.app;

  const adminCookie = await signIn(app, ADMIN);
  const add = async (username: string, password: string) => {
    const res = await json(app, 'POST', '/api/admin/agents', { username, password, displayName: username, role: 'agent', groups: ['mobile'], capacity: 2 }, { cookie: adminCookie });
    expect(res.status).toBe(201);
    return res.json.agent.id as string;
  };
  await add(AGENT.username, AGENT.password);
  const victimId = await add('victim', 'victim-pass-123');
  const agentCookie = await signIn(app, AGENT);

  const startChat = async () => {
    const res = await json(app, 'POST', '/api/chat', { text: '充值卡密码几位' });
    expect(res.status).toBe(200);
    return { id: res.json.conversationId as string, token: res.json.token as string };
  };
  // A chat the admin holds: queued by asking for a person (the admin is connected but away, so present
  // and not given it automatically), then taken.
  const me = await json(app, 'GET', '/api/agent/me', undefined, { cookie: adminCookie });
  const ownGroups = await json(app, 'PATCH', `/api/admin/agents/${me.json.agent.id}`, { groups: ['mobile', 'broadband', 'billing'] }, { cookie: adminCookie });
  expect(ownGroups.status).toBe(200);
  const stream = await app.request('/api/agent/events', { headers: { cookie: adminCookie, origin: OWN_ORIGIN } });
  expect(stream.status).toBe(200);
  openStreams.push(stream);
  // The connection counts once the stream has started (its first event).
  await stream.body!.getReader().read();
  for (const cookie of [adminCookie, agentCookie]) expect((await json(app, 'POST', '/api/agent/status', { status: 'away' }, { cookie })).status).toBe(200);
  const held = await startChat();
  expect((await json(app, 'POST', '/api/chat', { text: '转人工', conversationId: held.id }, { token: held.token })).json.reply?.kind).toBe('handoff');
  const taken = await json(app, 'POST', `/api/agent/conversations/${held.id}/take`, {}, { cookie: adminCookie });
  expect(taken.status, JSON.stringify(taken.json)).toBe(200);
  const closed = await startChat();
  expect((await json(app, 'POST', `/api/conversations/${closed.id}/close`, {}, { token: closed.token })).status).toBe(200);
  const ticket = await json(app, 'POST', `/api/conversations/${closed.id}/ticket`, { contact: 'b@example.com', text: 'call me' }, { token: closed.token });
  expect(ticket.status).toBe(201);
  f = { app, adminCookie, agentCookie, held, closed, ticketId: ticket.json.ticket.id as number, victimId };
}, 60_000);

afterAll(async () => {
  for (const stream of openStreams) await stream.body?.cancel().catch(() => undefined);
});

/**
 * Defects found by this battery in files owned elsewhere, reported and awaiting their fix. Each entry
 * tolerates only the problems its pattern matches, and fails once they are gone so the entry is removed.
 */
/**
 * Findings a route accepts on purpose. The public chat API ignores keys it does not know, at the top level and
 * in `visitor`, so a widget older or newer than the server keeps working; such values are never stored or echoed.
 * Every typed field of it is still checked by the battery.
 */
const TOLERATED: Record<string, { why: string; pattern: RegExp }> = {
  'POST /api/chat': {
    why: 'unknown keys ignored for compatibility between widget and server versions',
    pattern: /^(valid body \+ |visitor=\{"\$gt":""\})/,
  },
};

const takesBody = (r: AuthorizedRoute) => ['POST', 'PUT', 'PATCH'].includes(r.method) && !r.stream;

describe('hostile JSON bodies on every body route of the authorization table', () => {
  it('every POST, PUT and PATCH route has an entry in the field list', () => {
    const routes = bodyRoutes();
    const missing = authorizationTable.filter(takesBody).map(key).filter((k) => !(k in routes));
    expect(missing, 'describe these routes\' fields in bodyRoutes() of test/input-validation.test.ts').toEqual([]);
  });

  const listed = authorizationTable.filter(takesBody);
  it.each(listed.map((r) => [key(r), r] as const))('%s', async (name, route) => {
    const spec = bodyRoutes()[name];
    if (!spec) throw new Error(`${name}: no entry in bodyRoutes()`);
    routeMethods.set(spec, route.method);
    const wrong = await battery(spec);
    const tolerated = TOLERATED[name];
    expect(wrong.filter((w) => !tolerated?.pattern.test(w)).join('\n')).toBe('');
  }, 120_000);

  it('left the admin PATCH target as it was before the battery, and Object.prototype clean', async () => {
    const res = await json(f.app, 'GET', `/api/admin/agents/${f.victimId}`, undefined, { cookie: f.adminCookie });
    // Only the control-character displayName may have gone through (cleaned): role, groups, capacity, flags stay.
    expect(res.json.agent).toMatchObject({ username: 'victim', role: 'agent', groups: ['mobile'], capacity: 2, disabled: false });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await signIn(f.app, { username: 'victim', password: 'victim-pass-123' })).toContain('=');
  });
});
