// The front-end routes through app.request(): a fixed list of files, content types, caching, and a CSP without inline script.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticRoutes } from './static-routes.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'static-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>hall</title>');
  writeFileSync(path.join(dir, 'agent.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(dir, 'widget.js'), 'console.log("widget")');
  writeFileSync(path.join(dir, 'widget.js.map'), '{"version":3}');
  writeFileSync(path.join(dir, 'secret.txt'), 'not served');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('staticRoutes', () => {
  it('serves the pages with a CSP that allows only our own scripts', async () => {
    const app = staticRoutes({ dir });
    for (const [url, title] of [['/', 'hall'], ['/agent', 'console']] as const) {
      const res = await app.request(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(await res.text()).toContain(title);
    }
  });

  it('serves the bundle and its map with their types, an ETag and 304 on revalidation', async () => {
    const app = staticRoutes({ dir });
    const js = await app.request('/widget.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await js.text()).toBe('console.log("widget")');
    const etag = js.headers.get('etag')!;
    expect((await app.request('/widget.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const map = await app.request('/widget.js.map');
    expect(map.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('compresses for clients that accept gzip', async () => {
    const res = await staticRoutes({ dir }).request('/widget.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe('console.log("widget")');
  });

  it('picks up a rebuilt file without a restart', async () => {
    const app = staticRoutes({ dir });
    await app.request('/widget.js');
    writeFileSync(path.join(dir, 'widget.js'), 'console.log("widget, rebuilt")');
    expect(await (await app.request('/widget.js')).text()).toBe('console.log("widget, rebuilt")');
  });

  it('says what to do when the front end is not built, and serves nothing outside its list', async () => {
    const app = staticRoutes({ dir });
    const res = await app.request('/agent.js');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('npm run build');
    expect((await app.request('/secret.txt')).status).toBe(404);
    expect((await app.request('/..%2fpackage.json')).status).toBe(404);
  });
});
