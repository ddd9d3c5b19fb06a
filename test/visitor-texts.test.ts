// The widget's admin-edited texts over the real app (real SQLite file, real sessions, app.request()): the public read
// the widget makes (knowledge-base welcome by default, ETag and 304, an admin's change at the next read), who may
// change them (admins; agents 403, nobody 401, a foreign Origin 403), bad input refused with a 4xx that names it and
// stores nothing, the logo judged by its bytes (raster only, size-limited, served with its own URL), and audit rows.
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../handoff/http/app-env.ts';
import type { AuditEntry } from '../handoff/supervision/audit-log.ts';
import { overApp, signInCookie } from './http-kit.ts';
import { ADMIN, useWiredService } from './service-kit.ts';

const ORIGIN = 'http://localhost';
const AGENT = { username: 'amy', password: 'amy-answers-chats-1' };
/** A 2x2 red PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IaAHRAwQCgAfHgQZ2PY+qQAAAABJRU5ErkJggg==', 'base64');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="8" height="8"/></svg>');
const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;
const TEXTS = {
  welcome: { zh: '您好，欢迎来到联通网上营业厅！', en: 'Hello and welcome to the online hall!' },
  banner: { zh: '谨防诈骗：客服不会向您索要验证码或服务密码。', en: '' },
};

type App = Hono<AppEnv>;
const wired = useWiredService('visitor-texts-');
let app: App;
let adminCookie: string;
let agentCookie: string;

async function req(method: string, url: string, opts: { cookie?: string; body?: unknown; raw?: string; origin?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { origin: opts.origin ?? ORIGIN, ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  const body = opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await app.request(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const buffer = Buffer.from(await res.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(buffer.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, buffer };
}

/** What the widget reads (no cookie, no Origin: a page on this site). */
const publicTexts = (headers: Record<string, string> = {}) => app.request('/api/visitor/texts', { headers });

async function auditSince(id: number): Promise<AuditEntry[]> {
  const res = await req('GET', '/api/admin/audit?limit=50', { cookie: adminCookie });
  expect(res.status).toBe(200);
  return (res.json.entries as AuditEntry[]).filter((e) => e.id > id).reverse();
}

async function lastAuditId(): Promise<number> {
  const res = await req('GET', '/api/admin/audit?limit=1', { cookie: adminCookie });
  return (res.json.entries as AuditEntry[])[0]?.id ?? 0;
}

beforeAll(async () => {
  app = wired.service.app;
  adminCookie = await signInCookie(overApp(app), ORIGIN, ADMIN);
  const created = await req('POST', '/api/admin/agents', {
    cookie: adminCookie,
    body: { ...AGENT, displayName: 'Amy', role: 'agent', groups: ['mobile'], capacity: 2 },
  });
  expect(created.status).toBe(201);
  agentCookie = await signInCookie(overApp(app), ORIGIN, AGENT);
});

describe('GET /api/visitor/texts (public)', () => {
  it('gives the knowledge base welcome (messages.yaml) until an admin sets one, no banner, no logo; ETag answers 304', async () => {
    const kbWelcome = wired.service.runtime.engine.kb.messages.welcome!;
    const res = await publicTexts();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ welcome: kbWelcome, banner: { zh: '', en: '' }, logo: null });
    // Asked again at every widget load, and answered from the browser's copy when unchanged.
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await publicTexts({ 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});

describe('PUT /api/admin/visitor-texts', () => {
  it('is for admins only: nobody 401, an agent 403, a foreign Origin 403; nothing changes', async () => {
    const before = await (await publicTexts()).text();
    expect((await req('PUT', '/api/admin/visitor-texts', { body: TEXTS })).status).toBe(401);
    expect((await req('PUT', '/api/admin/visitor-texts', { cookie: agentCookie, body: TEXTS })).status).toBe(403);
    expect((await req('GET', '/api/admin/visitor-texts', { cookie: agentCookie })).status).toBe(403);
    expect((await req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, body: TEXTS, origin: 'https://evil.example' })).status).toBe(403);
    expect((await req('PUT', '/api/admin/visitor-texts/logo', { cookie: agentCookie, body: { image: dataUrl(PNG) } })).status).toBe(403);
    expect((await req('DELETE', '/api/admin/visitor-texts/logo', { cookie: agentCookie })).status).toBe(403);
    expect(await (await publicTexts()).text()).toBe(before);
  });

  it("saves an admin's texts: the next widget read has them (new ETag), with an audit row naming what changed, never the words", async () => {
    const first = await publicTexts();
    const oldTag = first.headers.get('etag')!;
    const since = await lastAuditId();
    const saved = await req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, body: { ...TEXTS, welcome: { ...TEXTS.welcome, zh: `  ${TEXTS.welcome.zh}\r\n` } } });
    expect(saved.status).toBe(200);
    expect(saved.json.texts).toMatchObject({ ...TEXTS, logo: null });
    expect(saved.json.defaults.welcome).toEqual(wired.service.runtime.engine.kb.messages.welcome);

    // The old tag no longer matches: the widget gets the new texts at its next load, no restart.
    const next = await publicTexts({ 'if-none-match': oldTag });
    expect(next.status).toBe(200);
    expect(next.headers.get('etag')).not.toBe(oldTag);
    // The banner written in Chinese only is shown to English visitors too.
    expect(await next.json()).toEqual({ welcome: TEXTS.welcome, banner: { zh: TEXTS.banner.zh, en: TEXTS.banner.zh }, logo: null });

    const rows = await auditSince(since);
    expect(rows.map((r) => [r.action, r.actor.displayName, r.target])).toEqual([['visitor_texts.saved', expect.any(String), { type: 'visitor_texts', id: 'widget' }]]);
    expect(rows[0]!.details).toEqual({ changed: ['welcome.zh', 'welcome.en', 'banner.zh'] });
    expect(JSON.stringify(rows)).not.toContain('诈骗');

    // Cleared again: the knowledge base's welcome is back.
    const cleared = await req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, body: { welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } } });
    expect(cleared.status).toBe(200);
    expect((await (await publicTexts()).json()).welcome).toEqual(wired.service.runtime.engine.kb.messages.welcome);
  });

  it('refuses bad input with a 4xx naming the field, and stores nothing', async () => {
    const before = await (await publicTexts()).text();
    const put = (body: unknown) => req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, body });
    const cases: Array<[unknown, number, string, string?]> = [
      [{ welcome: TEXTS.welcome }, 400, 'missing_field', 'banner'],
      [{ ...TEXTS, welcome: { zh: 42, en: '' } }, 400, 'invalid_welcome_zh', 'welcome.zh'],
      [{ ...TEXTS, welcome: 'hi' }, 400, 'invalid_welcome', 'welcome'],
      [{ ...TEXTS, extra: true }, 400, 'unknown_field', 'extra'],
      [{ ...TEXTS, banner: { zh: 'a', en: 'b', fr: 'c' } }, 400, 'unknown_field', 'banner.fr'],
      [{ ...TEXTS, banner: { zh: '注意\u0007安全', en: '' } }, 400, 'control_characters', 'banner.zh'],
      [{ ...TEXTS, banner: { zh: '\u202Eevil', en: '' } }, 400, 'control_characters', 'banner.zh'],
      [{ ...TEXTS, welcome: { zh: '<script>alert(1)</script>', en: '' } }, 400, 'markup_not_allowed', 'welcome.zh'],
      [{ ...TEXTS, banner: { zh: '', en: 'see <a href="x">here</a>' } }, 400, 'markup_not_allowed', 'banner.en'],
      [{ ...TEXTS, banner: { zh: '险'.repeat(301), en: '' } }, 400, 'too_long', 'banner.zh'],
      [[TEXTS], 400, 'invalid_body'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await put(body);
      expect([JSON.stringify(body).slice(0, 60), res.status, res.json?.error?.code, res.json?.error?.field]).toEqual([JSON.stringify(body).slice(0, 60), status, code, field]);
    }
    expect((await req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, raw: '{"welcome":' })).json.error.code).toBe('malformed_json');
    expect((await req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, raw: JSON.stringify(TEXTS), headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await req('PUT', '/api/admin/visitor-texts', { cookie: adminCookie, raw: JSON.stringify({ ...TEXTS, pad: 'x'.repeat(40_000) }) })).status).toBe(413);
    // "a < b" is text, not markup.
    expect((await put({ ...TEXTS, banner: { zh: '', en: 'if 1 < 2 call 10010' } })).status).toBe(200);
    expect((await put({ welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } })).status).toBe(200);
    expect(await (await publicTexts()).text()).toBe(before);
  });
});

describe('the launcher logo', () => {
  it('keeps a PNG judged by its bytes, serves it under its hash for any site, and removes it; each change audited', async () => {
    const since = await lastAuditId();
    // The declared type is not believed: the bytes are a PNG, so it is kept as one.
    const saved = await req('PUT', '/api/admin/visitor-texts/logo', { cookie: adminCookie, body: { image: dataUrl(PNG, 'image/gif') } });
    expect(saved.status).toBe(200);
    expect(saved.json.texts.logo).toEqual({ url: expect.stringMatching(/^\/api\/visitor\/logo\/[0-9a-f]{64}$/), type: 'image/png', size: PNG.length });
    const url = saved.json.texts.logo.url as string;
    expect((await (await publicTexts()).json()).logo).toBe(url);

    const image = await req('GET', url, { origin: 'https://shop.example' });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.buffer.equals(PNG)).toBe(true);
    expect(image.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(image.headers.get('cache-control')).toContain('immutable');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await req('GET', url, { headers: { 'if-none-match': image.headers.get('etag')! } })).status).toBe(304);
    expect((await req('GET', `/api/visitor/logo/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await req('GET', '/api/visitor/logo/..%2F..%2Fetc')).status).toBe(404);

    const removed = await req('DELETE', '/api/admin/visitor-texts/logo', { cookie: adminCookie });
    expect(removed.status).toBe(200);
    expect(removed.json.texts.logo).toBeNull();
    expect((await req('GET', url)).status).toBe(404);
    expect((await (await publicTexts()).json()).logo).toBeNull();

    const rows = await auditSince(since);
    expect(rows.map((r) => r.action)).toEqual(['visitor_texts.logo_saved', 'visitor_texts.logo_removed']);
    expect(rows[0]!.details).toMatchObject({ type: 'image/png', bytes: PNG.length });
  });

  it('refuses SVG and anything not a raster image (415), too big (413), and what is not a data: URL (400)', async () => {
    const put = (body: unknown) => req('PUT', '/api/admin/visitor-texts/logo', { cookie: adminCookie, body });
    expect((await put({ image: dataUrl(SVG, 'image/svg+xml') })).status).toBe(415);
    // A script named as a PNG is still not one.
    expect((await put({ image: dataUrl(Buffer.from('<script>alert(1)</script>'), 'image/png') })).status).toBe(415);
    const big = Buffer.concat([PNG, Buffer.alloc(300 * 1024)]);
    expect((await put({ image: dataUrl(big) })).status).toBe(413);
    for (const image of ['x', 'http://example.com/a.png', 'data:image/png;base64,@@@', 'data:image/png;base64,', 42, null]) {
      const res = await put({ image });
      expect([image, res.status, res.json?.error?.field]).toEqual([image, 400, 'image']);
    }
    expect((await put({ image: dataUrl(PNG), extra: 1 })).status).toBe(400);
    expect((await (await publicTexts()).json()).logo).toBeNull();
  });
});
