// Serves the built front end from one folder: the demo hall at /, the agent console at /agent, the bundles and their maps.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { type AppEnv, errorBody } from '../../handoff/index.ts';
import { projectRoot } from './project-root.ts';

export interface StaticRoutesOptions {
  /** The folder `npm run build` writes (widget/build.ts). Default dist/public. */
  dir: string;
}

export const defaultStaticRoutesOptions: StaticRoutesOptions = {
  dir: path.join(projectRoot(), 'dist', 'public'),
};

/**
 * Pages may load only our own scripts: no inline script, no eval, nothing from elsewhere. Inline
 * style attributes stay allowed (Lit style bindings set them); shadow roots use adopted stylesheets.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // blob: the previews of files in a chat (a picked file before it is sent; the widget's downloads, fetched with
  // the visitor's token since an <img> cannot send one).
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Kind = 'page' | 'script' | 'map' | 'asset';

/** Every URL served here, and the file behind it: a fixed list, so no request path ever reaches the file system. */
const FILES: Record<string, { file: string; type: string; kind: Kind }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8', kind: 'page' },
  '/agent': { file: 'agent.html', type: 'text/html; charset=utf-8', kind: 'page' },
  '/widget.js': { file: 'widget.js', type: 'text/javascript; charset=utf-8', kind: 'script' },
  '/widget.js.map': { file: 'widget.js.map', type: 'application/json; charset=utf-8', kind: 'map' },
  '/agent.js': { file: 'agent.js', type: 'text/javascript; charset=utf-8', kind: 'script' },
  '/agent.js.map': { file: 'agent.js.map', type: 'application/json; charset=utf-8', kind: 'map' },
  '/site.css': { file: 'site.css', type: 'text/css; charset=utf-8', kind: 'asset' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml', kind: 'asset' },
};

/**
 * Names are not content-hashed, so browsers may keep a bundle a few minutes and then revalidate
 * (ETag -> 304); pages and maps revalidate every time. max-age range 0-86400 s; default 300.
 */
const CACHE_CONTROL: Record<Kind, string> = {
  page: 'no-cache',
  script: 'public, max-age=300',
  map: 'no-cache',
  asset: 'public, max-age=300',
};

interface Cached {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

export function staticRoutes(options: Partial<StaticRoutesOptions> = {}): Hono<AppEnv> {
  const { dir } = { ...defaultStaticRoutesOptions, ...options };
  const cache = new Map<string, Cached>();

  // Read once per change of the file (a rebuild while serving is picked up at the next request).
  async function load(file: string): Promise<Cached | undefined> {
    const full = path.join(dir, file);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
    const body = await readFile(full);
    const entry: Cached = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body,
      gzipped: gzipSync(body),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    };
    cache.set(file, entry);
    return entry;
  }

  async function serve(c: Context<AppEnv>, url: string): Promise<Response> {
    const spec = FILES[url]!;
    // The embed script is public code any site may include (secureHeaders' same-origin default would make
    // the browser refuse it to a page on another host); the console's script stays same-origin. Set per
    // address, built or not, so a page on another host reads even the "not built" answer.
    if (url === '/widget.js' || url === '/widget.js.map') c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    const entry = await load(spec.file);
    if (!entry) {
      c.header('Cache-Control', 'no-store');
      return c.json(errorBody('not_built', `${spec.file} is not built yet: run npm run build`), 503);
    }
    c.header('Content-Type', spec.type);
    c.header('Cache-Control', CACHE_CONTROL[spec.kind]);
    c.header('ETag', entry.etag);
    c.header('Vary', 'Accept-Encoding');
    if (spec.kind === 'page') c.header('Content-Security-Policy', PAGE_CSP);
    if (c.req.header('If-None-Match')?.split(/\s*,\s*/).includes(entry.etag)) return c.body(null, 304);
    if (/\bgzip\b/.test(c.req.header('Accept-Encoding') ?? '')) {
      c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(entry.gzipped));
    }
    return c.body(new Uint8Array(entry.body));
  }

  const app = new Hono<AppEnv>();
  for (const url of Object.keys(FILES)) app.get(url, (c) => serve(c, url));
  // The console's address as people type it.
  app.get('/agent/', (c) => c.redirect('/agent', 301));
  return app;
}
