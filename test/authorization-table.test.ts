// The authorization table against the real router (real SQLite file, real sessions, app.request()):
// every /api route is listed; every session level answers 401 without a session; the role matrix holds
// (agent routes 403 to an editor, content routes 403 to an agent and open to an editor, admin routes 403
// to both); cookie changes 403 from a foreign Origin; visitor routes 401 without a token and 404 with
// another conversation's. A control app with deliberately broken routes proves each sweep can fail.
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../bot/server/app.ts';
import type { AppEnv } from '../handoff/http/app-env.ts';
import type { HandoffServices } from '../handoff/compose.ts';
import { authorizationTable, type AuthorizedRoute } from '../handoff/http/authorization-table.ts';
import { overApp, signInCookie, startChat as startChatVia } from './http-kit.ts';
import { ADMIN, useWiredService } from './service-kit.ts';

const AGENT = { username: 'alice', password: 'alice-pass-123' };
const EDITOR = { username: 'erin', password: 'erin-edits-faq-1' };
const SESSION_LEVELS = new Set<string>(['signed-in', 'agent', 'content', 'admin']);
/** app.request() builds requests for http://localhost: this is their own origin. */
const OWN_ORIGIN = 'http://localhost';
const FOREIGN_ORIGIN = 'https://evil.example';

type App = Hono<AppEnv>;
interface Visitor {
  id: string;
  token: string;
}
interface Fixture {
  app: App;
  adminCookie: string;
  agentCookie: string;
  editorCookie: string;
  /** The conversation whose routes are called, and another one whose token is presented. */
  target: Visitor;
  other: Visitor;
}

const wired = useWiredService('authorization-table-');
let handoff: HandoffServices;
let real: Fixture;
let control: Fixture;

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const isMutation = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** Every /api route the router knows, once per method and path (a route with middleware is several entries). */
function registeredApiRoutes(app: App): Array<{ method: string; path: string }> {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of app.routes) {
    if (!r.path.startsWith('/api/')) continue;
    // app.use('/api/*', ...) middleware: not an endpoint.
    if (r.method === 'ALL' && r.path.endsWith('*')) continue;
    seen.set(key(r), { method: r.method, path: r.path });
  }
  return [...seen.values()];
}

interface CallOptions {
  cookie?: string;
  token?: string;
  origin?: string;
  /** The conversation the path (and /api/chat's body) names. */
  conversationId?: string;
}

async function call(app: App, route: AuthorizedRoute | { method: string; path: string }, opts: CallOptions = {}) {
  const id = opts.conversationId ?? randomUUID();
  const url = route.path.replace(/:[A-Za-z_]+/g, id);
  const headers: Record<string, string> = { origin: opts.origin ?? OWN_ORIGIN };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (isMutation(route.method)) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(route.path === '/api/chat' ? { text: 'hello', conversationId: id } : {});
  }
  const res = await app.request(url, { method: route.method, headers, ...(body === undefined ? {} : { body }) });
  // Never leave a stream open: only the status matters here.
  await res.body?.cancel();
  return res.status;
}

const signIn = (app: App, who: { username: string; password: string }): Promise<string> => signInCookie(overApp(app), OWN_ORIGIN, who);

const startChat = (app: App): Promise<Visitor> => startChatVia(overApp(app));

// The sweeps: each returns what is wrong, so the control app can show that each one catches its fault.

function tableMismatches(app: App, table: readonly AuthorizedRoute[]): string[] {
  const registered = new Set(registeredApiRoutes(app).map(key));
  const listed = new Set(table.map(key));
  return [
    ...[...registered].filter((k) => !listed.has(k)).map((k) => `${k}: registered but not in the authorization table`),
    ...[...listed].filter((k) => !registered.has(k)).map((k) => `${k}: in the authorization table but not registered`),
  ];
}

async function sessionMismatches(f: Fixture, table: readonly AuthorizedRoute[]): Promise<string[]> {
  const wrong: string[] = [];
  /** 401/403 mean the session check stopped the role; anything else (200, or the route's own 400/404/409) let it through. */
  const refused = (status: number) => status === 401 || status === 403;
  const expect403 = async (route: AuthorizedRoute, cookie: string, who: string) => {
    const status = await call(f.app, route, { cookie });
    if (status !== 403) wrong.push(`${key(route)}: ${status} to a signed-in ${who}, expected 403`);
  };
  const expectThrough = async (route: AuthorizedRoute, cookie: string, who: string) => {
    if (route.stream) return;
    const status = await call(f.app, route, { cookie });
    if (refused(status)) wrong.push(`${key(route)}: ${status} to ${who}`);
    // A read open to the role answers it outright (a change may still be a 400 for the empty body).
    else if (route.method === 'GET' && !route.path.includes(':') && status !== 200) wrong.push(`${key(route)}: ${status} to ${who}, expected 200`);
  };
  for (const route of table) {
    if (SESSION_LEVELS.has(route.access)) {
      const anonymous = await call(f.app, route);
      if (anonymous !== 401) wrong.push(`${key(route)}: ${anonymous} without a session, expected 401`);
    }
    switch (route.access) {
      case 'admin':
        await expect403(route, f.agentCookie, 'agent');
        await expect403(route, f.editorCookie, 'editor');
        await expectThrough(route, f.adminCookie, 'an admin');
        break;
      case 'content':
        await expect403(route, f.agentCookie, 'agent');
        await expectThrough(route, f.editorCookie, 'an editor');
        await expectThrough(route, f.adminCookie, 'an admin');
        break;
      case 'agent': {
        await expect403(route, f.editorCookie, 'editor');
        // Listed for any agent: a signed-in agent gets past the session check (404/400/409 of the route itself
        // are fine; a 403 from the route's own rule, such as "only the holder", is told apart by its message).
        if (!route.stream) {
          const asAgent = await call(f.app, route, { cookie: f.agentCookie });
          if (asAgent === 401) wrong.push(`${key(route)}: 401 to a signed-in agent`);
        }
        break;
      }
      case 'signed-in':
        await expectThrough(route, f.agentCookie, 'an agent');
        await expectThrough(route, f.editorCookie, 'an editor');
        await expectThrough(route, f.adminCookie, 'an admin');
        break;
      case 'public':
        if (!route.stream) {
          const anonymous = await call(f.app, route);
          if (anonymous === 401) wrong.push(`${key(route)}: listed as public but answers 401 without a session`);
        }
        break;
      default:
        break;
    }
    // Bearer-token routes carry no cookie to forge (the widget may run on another origin than the server).
    if (route.access !== 'visitor-token' && route.access !== 'visitor-presence' && isMutation(route.method)) {
      // Cookies ride along on cross-site requests: a change from a foreign Origin is refused before anything else.
      const forged = await call(f.app, route, { cookie: f.adminCookie, origin: FOREIGN_ORIGIN });
      if (forged !== 403) wrong.push(`${key(route)}: ${forged} to a cookie change from a foreign Origin, expected 403`);
    }
  }
  return wrong;
}

async function tokenMismatches(f: Fixture, table: readonly AuthorizedRoute[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const route of table.filter((r) => r.access === 'visitor-token')) {
    const none = await call(f.app, route, { conversationId: f.target.id });
    if (none !== 401) wrong.push(`${key(route)}: ${none} without a token, expected 401`);
    const others = await call(f.app, route, { conversationId: f.target.id, token: f.other.token });
    if (others !== 404) wrong.push(`${key(route)}: ${others} with another conversation's token, expected 404`);
    // An agent's cookie is no visitor credential either.
    const cookie = await call(f.app, route, { conversationId: f.target.id, cookie: f.adminCookie });
    if (cookie !== 401) wrong.push(`${key(route)}: ${cookie} with an agent cookie and no token, expected 401`);
  }
  return wrong;
}

async function fixture(app: App, cookies?: { agent: string; editor: string }): Promise<Fixture> {
  const adminCookie = await signIn(app, ADMIN);
  return {
    app,
    adminCookie,
    agentCookie: cookies?.agent ?? (await signIn(app, AGENT)),
    editorCookie: cookies?.editor ?? (await signIn(app, EDITOR)),
    target: await startChat(app),
    other: await startChat(app),
  };
}

beforeAll(async () => {
  ({ handoff } = wired.service);

  // The control app: the same services, plus routes that each break one rule. Registered before any request.
  const broken = wired.service.app;
  broken.get('/api/admin/unguarded', (c) => c.json({ ok: true }));
  broken.get('/api/admin/agents-may-pass', handoff.requireAgent(), (c) => c.json({ ok: true }));
  broken.get('/api/conversations/:id/unchecked', (c) => c.json({ ok: true }));
  broken.get('/api/agent/unlisted', handoff.requireAgent(), (c) => c.json({ ok: true }));
  // Role mix-ups: a content route guarded as chat work, one guarded as admin-only, an admin route open to editors,
  // a chat route open to every role.
  broken.get('/api/admin/content-as-agent', handoff.requireAgent(), (c) => c.json({ ok: true }));
  broken.get('/api/admin/content-as-admin', handoff.requireAgent('admin'), (c) => c.json({ ok: true }));
  broken.get('/api/admin/admin-as-content', handoff.requireAgent('content'), (c) => c.json({ ok: true }));
  broken.get('/api/agent/agent-as-signed-in', handoff.requireAgent('signed-in'), (c) => c.json({ ok: true }));
  // A session check that forgets the Origin: 401 without a cookie, but a forged cross-site change goes through.
  broken.post('/api/agent/no-origin-check', (c) => (c.req.header('cookie') ? c.json({ ok: true }) : c.json({ error: { code: 'unauthorized' } }, 401)));

  const app = createApp({ config: wired.config, store: wired.service.store, runtime: wired.service.runtime, logger: wired.service.logger, handoff });
  const adminCookie = await signIn(app, ADMIN);
  const created = await app.request('/api/admin/agents', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: OWN_ORIGIN, cookie: adminCookie },
    body: JSON.stringify({ ...AGENT, displayName: 'Alice', role: 'agent', groups: ['mobile'], capacity: 2 }),
  });
  expect(created.status).toBe(201);
  const editor = await app.request('/api/admin/agents', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: OWN_ORIGIN, cookie: adminCookie },
    body: JSON.stringify({ ...EDITOR, displayName: 'Erin', role: 'editor' }),
  });
  expect(editor.status).toBe(201);
  real = await fixture(app);
  control = await fixture(broken, { agent: real.agentCookie, editor: real.editorCookie });
}, 60_000);

describe('the authorization table', () => {
  it('lists each route once', () => {
    const keys = authorizationTable.map(key);
    expect(keys.length).toBe(new Set(keys).size);
    for (const route of authorizationTable) expect(route.reason.trim(), key(route)).not.toBe('');
  });

  it('lists every /api route the router has, and nothing else', () => {
    expect(registeredApiRoutes(real.app).length).toBeGreaterThan(30);
    expect(tableMismatches(real.app, authorizationTable)).toEqual([]);
  });

  it('covers every route under /api/agent and /api/admin with a session level or public', () => {
    for (const route of authorizationTable.filter((r) => /^\/api\/(agent|admin)\//.test(r.path))) {
      expect([...SESSION_LEVELS, 'public'], key(route)).toContain(route.access);
    }
    // Every level is in use, so the sweep below checks each of them against the real router.
    for (const level of SESSION_LEVELS) expect(authorizationTable.some((r) => r.access === level), level).toBe(true);
  });

  it('the role matrix: 401 without a session; agent routes 403 to editors, content routes 403 to agents and open to editors, admin routes 403 to both; foreign-Origin changes 403', async () => {
    expect(await sessionMismatches(real, authorizationTable)).toEqual([]);
  }, 60_000);

  it('visitor routes: 401 without a token, 404 with another conversation\'s token', async () => {
    expect(await tokenMismatches(real, authorizationTable)).toEqual([]);
  });

  it('presence routes: 401 without a presence token, with a conversation token, or with an agent cookie (the first page view excepted: it issues one)', async () => {
    const wrong: string[] = [];
    for (const route of authorizationTable.filter((r) => r.access === 'visitor-presence' && r.path !== '/api/visitor/pageview')) {
      for (const [what, opts] of [
        ['no token', {}],
        ['a conversation token', { token: real.target.token }],
        ['an agent cookie', { cookie: real.adminCookie }],
      ] as const) {
        const status = await call(real.app, route, opts);
        if (status !== 401) wrong.push(`${key(route)}: ${status} with ${what}, expected 401`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('visitor routes accept the conversation\'s own token', async () => {
    for (const route of authorizationTable.filter((r) => r.access === 'visitor-token' && !r.stream)) {
      const status = await call(real.app, route, { conversationId: real.target.id, token: real.target.token });
      expect([401, 404], key(route)).not.toContain(status);
    }
  });
});

describe('the sweeps catch a missing defence (control app with broken routes)', () => {
  const extra: AuthorizedRoute[] = [
    { method: 'GET', path: '/api/admin/unguarded', access: 'admin', reason: 'registered without requireAgent' },
    { method: 'GET', path: '/api/admin/agents-may-pass', access: 'admin', reason: 'registered with requireAgent() instead of requireAgent(\'admin\')' },
    { method: 'GET', path: '/api/conversations/:id/unchecked', access: 'visitor-token', reason: 'never reads the token' },
    { method: 'GET', path: '/api/agent/gone', access: 'agent', reason: 'listed but never registered' },
    { method: 'GET', path: '/api/admin/content-as-agent', access: 'content', reason: 'registered with requireAgent() instead of requireAgent(\'content\')' },
    { method: 'GET', path: '/api/admin/content-as-admin', access: 'content', reason: 'registered with requireAgent(\'admin\') instead of requireAgent(\'content\')' },
    { method: 'GET', path: '/api/admin/admin-as-content', access: 'admin', reason: 'registered with requireAgent(\'content\') instead of requireAgent(\'admin\')' },
    { method: 'GET', path: '/api/agent/agent-as-signed-in', access: 'agent', reason: 'registered with requireAgent(\'signed-in\') instead of requireAgent()' },
  ];

  it('finds the unlisted route and the listed one that is gone', () => {
    expect(tableMismatches(control.app, [...authorizationTable, ...extra])).toEqual([
      'GET /api/agent/unlisted: registered but not in the authorization table',
      'POST /api/agent/no-origin-check: registered but not in the authorization table',
      'GET /api/agent/gone: in the authorization table but not registered',
    ]);
  });

  it('finds the route without a session check and the admin route open to agents', async () => {
    const wrong = await sessionMismatches(control, extra.filter((r) => r.path !== '/api/agent/gone'));
    expect(wrong).toEqual([
      'GET /api/admin/unguarded: 200 without a session, expected 401',
      'GET /api/admin/unguarded: 200 to a signed-in agent, expected 403',
      'GET /api/admin/unguarded: 200 to a signed-in editor, expected 403',
      'GET /api/admin/agents-may-pass: 200 to a signed-in agent, expected 403',
      'GET /api/admin/content-as-agent: 200 to a signed-in agent, expected 403',
      'GET /api/admin/content-as-agent: 403 to an editor',
      'GET /api/admin/content-as-admin: 403 to an editor',
      'GET /api/admin/admin-as-content: 200 to a signed-in editor, expected 403',
      'GET /api/agent/agent-as-signed-in: 200 to a signed-in editor, expected 403',
    ]);
  });

  it('finds the visitor route that never checks the token', async () => {
    expect(await tokenMismatches(control, extra)).toEqual([
      'GET /api/conversations/:id/unchecked: 200 without a token, expected 401',
      'GET /api/conversations/:id/unchecked: 200 with another conversation\'s token, expected 404',
      'GET /api/conversations/:id/unchecked: 200 with an agent cookie and no token, expected 401',
    ]);
  });

  it('finds a cookie change without the same-origin check', async () => {
    const route: AuthorizedRoute = { method: 'POST', path: '/api/agent/no-origin-check', access: 'agent', reason: 'reads the cookie, skips the Origin check' };
    expect(await sessionMismatches(control, [route])).toEqual([
      // Any cookie passes it, so it lets an editor do chat work too.
      'POST /api/agent/no-origin-check: 200 to a signed-in editor, expected 403',
      'POST /api/agent/no-origin-check: 200 to a cookie change from a foreign Origin, expected 403',
    ]);
  });
});
