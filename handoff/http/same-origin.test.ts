// The Origin guard on a bare Hono app: which change requests pass and which get 403.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './error-handler.ts';
import { silentLog } from '../testing/silent-log.ts';
import { normalizeOrigin, parseAllowedOrigins, sameOrigin } from './same-origin.ts';

function app(allowed: string[] = []) {
  const a = new Hono();
  a.use(sameOrigin(allowed));
  a.all('/x', (c) => c.text('ok'));
  a.onError(createErrorHandler(silentLog));
  return a;
}

async function status(a: Hono, method: string, headers: Record<string, string>, base = 'http://localhost') {
  return (await a.request(`${base}/x`, { method, headers })).status;
}

describe('sameOrigin', () => {
  it('lets safe methods through whatever the Origin', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(await status(app(), method, { origin: 'https://evil.example' })).toBe(200);
    }
  });

  it('refuses a change from a foreign or opaque Origin with 403', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(await status(app(), method, { origin: 'https://evil.example' })).toBe(403);
    }
    expect(await status(app(), 'POST', { origin: 'null' })).toBe(403);
    expect(await status(app(), 'POST', { origin: 'garbage' })).toBe(403);
    // Same host, other scheme or port: another origin.
    expect(await status(app(), 'POST', { origin: 'https://localhost' })).toBe(403);
    expect(await status(app(), 'POST', { origin: 'http://localhost:8080' })).toBe(403);
    expect(await status(app(), 'POST', { origin: 'http://localhost.evil.example' })).toBe(403);
  });

  it('lets a change from its own origin or an allowed one through', async () => {
    expect(await status(app(), 'POST', { origin: 'http://localhost' })).toBe(200);
    expect(await status(app(), 'POST', { origin: 'https://cs.example.com' }, 'https://cs.example.com')).toBe(200);
    expect(await status(app(['https://cs.example.com']), 'POST', { origin: 'https://CS.example.com:443' })).toBe(200);
  });

  it('without an Origin header: refuses what Sec-Fetch-Site marks as another site, lets non-browsers through', async () => {
    expect(await status(app(), 'POST', {})).toBe(200);
    expect(await status(app(), 'POST', { 'sec-fetch-site': 'same-origin' })).toBe(200);
    expect(await status(app(), 'POST', { 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await status(app(), 'POST', { 'sec-fetch-site': 'same-site' })).toBe(403);
  });
});

describe('origins', () => {
  it('normalizes origins and rejects what is not one', () => {
    expect(normalizeOrigin('HTTPS://Example.COM:443/')).toBe('https://example.com');
    expect(normalizeOrigin('ftp://example.com')).toBeUndefined();
    expect(normalizeOrigin('null')).toBeUndefined();
  });

  it('parses AGENT_ALLOWED_ORIGINS, naming a bad entry', () => {
    expect(parseAllowedOrigins('https://cs.example.com, http://10.0.0.5:3000/')).toEqual(['https://cs.example.com', 'http://10.0.0.5:3000']);
    expect(parseAllowedOrigins('')).toEqual([]);
    expect(() => parseAllowedOrigins('https://cs.example.com/console')).toThrow(/"https:\/\/cs.example.com\/console" is not an origin/);
    expect(() => parseAllowedOrigins('cs.example.com')).toThrow(/not an origin/);
  });
});
