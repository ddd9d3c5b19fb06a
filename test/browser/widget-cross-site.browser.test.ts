// The README's embed snippet on a page of another site, in a real Chromium (issue 13): a listed origin
// (WIDGET_ALLOWED_ORIGINS) loads widget.js from the service and chats, live stream included; a page from an
// unlisted origin gets no answer, and the service answers it no 5xx.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, closePagesAfterEachTest, launchBrowser, newPage, startStack, watch, type Stack } from './browser-kit.ts';
import { message } from './flows.ts';

const TIMEOUT = 60_000;

/** A site of its own (another port: another origin) whose page embeds the widget with the README's snippet. */
async function embeddingSite(service: () => string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>省公司网站</title></head>
<body><h1>联通广东网上营业厅</h1>
<script src="${service()}/widget.js" async data-lang="zh" data-title="在线客服" data-primary-color="#c8102e" data-position="right" data-province="guangdong"></script>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByTestId('launcher').click();
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  await message(page, 'visitor', text).waitFor();
}

browserSuite('the widget embedded on another site', () => {
  let stack: Stack;
  let browser: Browser;
  let listed: { server: Server; port: number };
  let unlisted: { server: Server; port: number };

  beforeAll(async () => {
    listed = await embeddingSite(() => stack.url);
    unlisted = await embeddingSite(() => stack.url);
    // Only the first site is listed; the second differs by port alone, so by origin.
    [stack, browser] = await Promise.all([
      startStack({ WIDGET_ALLOWED_ORIGINS: `http://127.0.0.1:${listed.port}` }, ['widget.js']),
      launchBrowser(),
    ]);
  }, TIMEOUT);
  closePagesAfterEachTest();
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    listed?.server.close();
    unlisted?.server.close();
  }, TIMEOUT);

  it('chats from a listed site: the answer, then the queue status over the live stream', async () => {
    const { context, page } = await newPage(browser);
    const seen = watch(page);
    await page.goto(`http://127.0.0.1:${listed.port}/`);
    await ask(page, '网厅充值有折扣吗');
    await message(page, 'bot', '9.85折').waitFor();
    await page.getByTestId('handoff-button').click();
    await page.getByTestId('queue-status').waitFor();
    // The province the embedding page gave reached the service with the chat.
    const { conversations } = await stack.admin('GET', '/api/agent/queue');
    expect(conversations).toContainEqual(expect.objectContaining({ province: 'guangdong' }));
    expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    await context.close();
  }, TIMEOUT);

  it('gets no answer on an unlisted site, and the service answers it no 5xx', async () => {
    const { context, page } = await newPage(browser);
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(stack.url)) statuses.push(r.status());
    });
    await page.goto(`http://127.0.0.1:${unlisted.port}/`);
    await ask(page, '网厅充值有折扣吗');
    await page.locator('[data-testid="message"][data-author="visitor"][data-state="failed"]').waitFor();
    expect(await message(page, 'bot', '9.85折').count()).toBe(0);
    // widget.js itself loads (it is public); the API's preflight was refused (403, not shown to the page).
    expect(statuses).toContain(200);
    expect(statuses.every((s) => s < 500)).toBe(true);
    await context.close();
  }, TIMEOUT);
}, ['widget.js']);
