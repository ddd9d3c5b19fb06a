// What the real-browser tests share: Debian's Chromium through playwright-core, the real server on a free port, agents.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../bot/server/config.ts';
import { createLogger } from '../../bot/server/logger.ts';
import { startServer, type RunningServer } from '../../bot/server/start-server.ts';
import { buildWidgets, defaultBuildOptions, type BundleName } from '../../widget/build.ts';
import { findChromium, launchChromium } from './chromium.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export const chromiumPath: string | undefined = findChromium().path;

const MISSING =
  `Chromium not found (${process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : '/usr/bin/chromium'}): ` +
  'install it with `apt-get install -y chromium` or point CHROMIUM_PATH at a Chromium binary';

/** CI must run the browser tests; a laptop without Chromium skips them and says why. */
const mustRun = /^(1|true|yes)$/i.test(process.env.CI ?? '');

const ENTRY: Record<BundleName, string> = { 'widget.js': defaultBuildOptions.widgetEntry, 'agent.js': defaultBuildOptions.consoleEntry };

/**
 * `describe` for tests that need Chromium and the front end (`needs`: the bundles they load): skipped
 * with a message locally, a clear failure in CI.
 */
export function browserSuite(name: string, body: () => void, needs: BundleName[] = ['widget.js', 'agent.js']): void {
  const missingEntry = needs.map((b) => ENTRY[b]).find((e) => !existsSync(e));
  const missing = !chromiumPath ? MISSING : missingEntry ? `${path.relative(ROOT, missingEntry)} is missing` : undefined;
  if (!missing) {
    describe(name, body);
    return;
  }
  if (mustRun) {
    describe(name, () => {
      it('needs Chromium and the front end', () => {
        throw new Error(`${missing} (CI is set, so the browser tests may not be skipped)`);
      });
    });
    return;
  }
  process.stderr.write(`[browser tests] skipped "${name}": ${missing}\n`);
  describe.skip(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return launchChromium(chromiumPath!);
}

const built = new Map<string, Promise<unknown>>();
/** The bundles the server serves (dist/public), rebuilt when a widget source is newer. Once per test file. */
export function ensureBuilt(bundles: BundleName[]): Promise<unknown> {
  const key = bundles.join();
  if (!built.has(key)) built.set(key, buildWidgets({ ifStale: true, bundles }));
  return built.get(key)!;
}

export const ADMIN = { username: 'admin', password: 'browser-test-admin-pw' };
/** Shared by every agent the tests create. */
export const AGENT_PASSWORD = 'browser-test-agent-pw';

/** An agent account for createAgent: every group unless told, capacity 5, AGENT_PASSWORD. */
export interface NewAgent {
  username: string;
  displayName: string;
  groups?: string[];
  capacity?: number;
  role?: 'agent' | 'admin';
}

export interface Stack {
  server: RunningServer;
  url: string;
  /** The admin's API, signed in (cookie kept here): create agents, change groups. */
  admin(method: string, path: string, body?: unknown): Promise<any>;
  createAgent(a: NewAgent): Promise<any>;
  close(): Promise<void>;
}

/**
 * The whole service on a free port with its own data folder; `env` overrides (e.g. BUSINESS_HOURS=default);
 * `bundles`: what the pages will load, built first if stale.
 */
export async function startStack(env: Record<string, string> = {}, bundles: BundleName[] = ['widget.js', 'agent.js']): Promise<Stack> {
  await ensureBuilt(bundles);
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-browser-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: path.join(dir, 'data'),
    KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'),
    BUSINESS_HOURS: 'always',
    RATE_LIMITS: 'off',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer(config, createLogger({ level: 'silent' }), 500);
  const url = server.url;
  let cookie = '';

  async function admin(method: string, p: string, body?: unknown): Promise<any> {
    if (!cookie) {
      const res = await fetch(`${url}/api/agent/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      if (!res.ok) throw new Error(`admin login: ${res.status} ${await res.text()}`);
      cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, origin: url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  return {
    server,
    url,
    admin,
    async createAgent(a) {
      const groups = a.groups ?? ((await admin('GET', '/api/admin/groups')).groups as Array<{ id: string }>).map((g) => g.id);
      return (await admin('POST', '/api/admin/agents', { capacity: 5, role: 'agent', ...a, groups, password: AGENT_PASSWORD })).agent;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StackAndBrowser {
  /** Set by the file's beforeAll. */
  readonly stack: Stack;
  readonly browser: Browser;
  /** The `agents` created before the file, by username (the API's agent: id, displayName, ...). */
  readonly agents: Record<string, any>;
}

/**
 * A long presence grace: closing a test's console page must not send its chats back to the queue mid-file.
 * For startStack's / useStackAndBrowser's `env`.
 */
export const KEEP_PRESENCE = { PRESENCE_GRACE_SECONDS: '300' };

/**
 * Call once in a browserSuite body: before the file, the stack (`env`: startStack's overrides) and Chromium
 * side by side, then the `agents` the tests need; pages closed after each test (photographed when it
 * failed); both shut down after the file.
 */
export function useStackAndBrowser(opts: { env?: Record<string, string>; timeoutMs: number; agents?: NewAgent[] }): StackAndBrowser {
  const live = { agents: {} } as { stack: Stack; browser: Browser; agents: Record<string, any> };
  beforeAll(async () => {
    [live.stack, live.browser] = await Promise.all([startStack(opts.env), launchBrowser()]);
    for (const a of opts.agents ?? []) live.agents[a.username] = await live.stack.createAgent(a);
  }, opts.timeoutMs);
  closePagesAfterEachTest();
  afterAll(async () => {
    await live.browser?.close();
    await live.stack?.close();
  }, opts.timeoutMs);
  return live;
}

export interface Watched {
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** alert/confirm/prompt opened by the page (dismissed at once). */
  dialogs: string[];
  /** Console messages mentioning the Content Security Policy: markup that tried to run. */
  cspViolations: string[];
}

/** Records what must never happen in a page: script errors, dialogs, CSP refusals. */
export function watch(page: Page): Watched {
  const w: Watched = { errors: [], dialogs: [], cspViolations: [] };
  page.on('pageerror', (err) => w.errors.push(String(err)));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) w.cspViolations.push(m.text());
  });
  return w;
}

/** Contexts opened by the running test: closed after it, and photographed first when it failed. */
const openContexts = new Set<BrowserContext>();
/** Console errors and uncaught exceptions per page, for the failure report. */
const pageLog = new WeakMap<Page, string[]>();

/**
 * Call once per test file: after a failed test, every page still open is saved as a PNG with what
 * its console said (the path is printed), then every context of the test is closed so the next
 * test starts clean.
 */
export function closePagesAfterEachTest(): void {
  afterEach(async (ctx) => {
    const contexts = [...openContexts];
    openContexts.clear();
    if (ctx.task.result?.state === 'fail') {
      const dir = path.join(tmpdir(), 'chat-browser-failures');
      mkdirSync(dir, { recursive: true });
      const slug = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      let n = 0;
      for (const context of contexts) {
        for (const page of context.pages()) {
          const file = path.join(dir, `${slug}-${++n}.png`);
          await page.screenshot({ path: file, fullPage: true }).catch(() => {});
          process.stderr.write(`[browser tests] ${ctx.task.name}: ${page.url()} -> ${file}\n${(pageLog.get(page) ?? []).map((l) => `  ${l}\n`).join('')}`);
        }
      }
    }
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  });
}

/** A fresh visitor or agent: own cookies and localStorage, Chinese UI, a desktop window unless told otherwise. */
export async function newPage(browser: Browser, opts: { width?: number; height?: number; mobile?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(opts.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  context.setDefaultTimeout(15_000);
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  context.on('page', (page) => {
    const log: string[] = [];
    pageLog.set(page, log);
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => log.push(`uncaught: ${String(err)}`));
  });
  const page = await context.newPage();
  return { context, page };
}

/** Signs an agent in through the console's login form and waits until the console shows its workspace. */
export async function consoleLogin(page: Page, url: string, username: string, password = AGENT_PASSWORD): Promise<void> {
  await page.goto(`${url}/agent`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-submit').waitFor({ state: 'detached' });
}

/**
 * The agent's status through the console's own session (the page's cookies): `away` keeps an agent
 * present (the group is open, chats queue) without auto-assignment, so the test can press take.
 */
export async function setAgentStatus(page: Page, url: string, status: 'online' | 'away' | 'busy' | 'invisible' | 'offline'): Promise<void> {
  const res = await page.request.post(`${url}/api/agent/status`, { data: { status }, headers: { origin: url } });
  if (!res.ok()) throw new Error(`status ${status}: ${res.status()} ${await res.text()}`);
}

/** Counts elements matching `selector` in the document and every open shadow root under it. */
export function deepCount(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    let n = 0;
    const visit = (root: Document | ShadowRoot) => {
      n += root.querySelectorAll(sel).length;
      root.querySelectorAll('*').forEach((el) => {
        if (el.shadowRoot) visit(el.shadowRoot);
      });
    };
    visit(document);
    return n;
  }, selector);
}
