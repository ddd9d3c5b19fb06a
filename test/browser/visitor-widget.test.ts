// The visitor's side in a real Chromium on the demo page: an answer, the queue, a reload, a message left outside hours.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AGENT_PASSWORD, browserSuite, closePagesAfterEachTest, launchBrowser, newPage, startStack, watch, type Stack } from './browser-kit.ts';

const TIMEOUT = 60_000;

function message(page: Page, author: 'visitor' | 'bot' | 'agent' | 'system', text: string | RegExp) {
  return page.locator(`[data-testid="message"][data-author="${author}"]`, { hasText: text });
}

async function openWidget(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByTestId('launcher').click();
  await page.getByTestId('input').waitFor({ state: 'visible' });
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  await message(page, 'visitor', text).waitFor();
}

browserSuite('visitor widget in Chromium', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({}, ['widget.js']), launchBrowser()]);
  }, TIMEOUT);
  closePagesAfterEachTest();
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, TIMEOUT);

  it('answers a question from the knowledge base, keeping the answer\'s line breaks', async () => {
    const { context, page } = await newPage(browser);
    const seen = watch(page);
    await openWidget(page, stack.url);
    // Opening moves focus into the chat.
    await expect.poll(() => page.getByTestId('input').evaluate((el) => el.matches(':focus'))).toBe(true);
    await ask(page, '网厅充值有折扣吗');
    const answer = message(page, 'bot', '9.85折');
    await answer.waitFor();
    // The answer's two lines stay two lines (no HTML, no collapsing).
    const lines = await answer.evaluate((el) => (el as HTMLElement).innerText);
    expect(lines).toMatch(/9\.85折[\s\S]*\n[\s\S]*98\.5/);
    expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    await context.close();
  }, TIMEOUT);

  it('asks for a person and shows the place in the queue', async () => {
    // An agent who is there but away: the group is open, nobody takes chats automatically, so the chat waits.
    const agent = await stack.createAgent({ username: 'queue-watcher', displayName: '小王' });
    const login = await fetch(`${stack.url}/api/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: agent.username, password: AGENT_PASSWORD }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const away = await fetch(`${stack.url}/api/agent/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: stack.url },
      body: JSON.stringify({ status: 'away' }),
    });
    expect(away.status).toBe(200);

    const { context, page } = await newPage(browser);
    await openWidget(page, stack.url);
    await ask(page, '网厅充值有折扣吗');
    await message(page, 'bot', '9.85折').waitFor();
    await page.getByTestId('handoff-button').click();
    const queue = page.getByTestId('queue-status');
    await queue.waitFor({ state: 'visible' });
    // First in line (the chat-widget says 排在第 1 位 in Chinese), with an estimated wait.
    await expect.poll(() => queue.innerText()).toMatch(/第\s*1\s*位/);
    await context.close();
    await fetch(`${stack.url}/api/agent/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: stack.url },
      body: JSON.stringify({ status: 'offline' }),
    });
  }, TIMEOUT);

  it('keeps the conversation across a reload and across pages of the site', async () => {
    const { context, page } = await newPage(browser);
    await openWidget(page, stack.url);
    await ask(page, '网厅充值有折扣吗');
    await message(page, 'bot', '9.85折').waitFor();
    await ask(page, '发票怎么开');
    await expect.poll(() => page.locator('[data-testid="message"][data-author="bot"]').count()).toBeGreaterThanOrEqual(2);

    await page.reload();
    // The panel may come back open (it was open); open it if it did not.
    const input = page.getByTestId('input');
    await Promise.race([input.waitFor({ state: 'visible' }), page.getByTestId('launcher').waitFor({ state: 'visible' })]);
    if (!(await input.isVisible())) await page.getByTestId('launcher').click();
    await message(page, 'visitor', '网厅充值有折扣吗').waitFor();
    await message(page, 'visitor', '发票怎么开').waitFor();
    // The first answer names 9.85折; the invoice answer after it may too (the online hall's invoice amount).
    await message(page, 'bot', '9.85折').first().waitFor();
    // Each message once: the history is restored, not appended again.
    expect(await message(page, 'visitor', '网厅充值有折扣吗').count()).toBe(1);

    // Another page of the same site (same localStorage) shows the same chat.
    const other = await context.newPage();
    await other.goto(`${stack.url}/`);
    const otherInput = other.getByTestId('input');
    await Promise.race([otherInput.waitFor({ state: 'visible' }), other.getByTestId('launcher').waitFor({ state: 'visible' })]);
    if (!(await otherInput.isVisible())) await other.getByTestId('launcher').click();
    await message(other, 'visitor', '发票怎么开').waitFor();
    await context.close();
  }, TIMEOUT);

  it('sends a message again after a lost response, the first one too: shown once, stored once, one clientMessageId', async () => {
    const { context, page } = await newPage(browser);
    const seen = watch(page);
    await openWidget(page, stack.url);

    // The first POST of each message reaches the server (and is stored), but its response is lost; the retry goes through.
    const bodies: Array<{ clientMessageId?: unknown; visitorId?: unknown; conversationId?: unknown }> = [];
    await page.route(`${stack.url}/api/chat`, async (route) => {
      bodies.push(route.request().postDataJSON() as (typeof bodies)[number]);
      if (bodies.length === 1 || bodies.length === 3) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    // The first message: no conversation yet, so the retry is matched by visitorId + clientMessageId.
    await ask(page, '网厅充值有折扣吗');
    await message(page, 'bot', '9.85折').waitFor();
    expect(bodies).toHaveLength(2);
    expect(bodies[0]!.conversationId).toBeUndefined();
    expect(bodies[0]!.clientMessageId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(bodies[0]!.visitorId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(bodies[1]).toMatchObject({ clientMessageId: bodies[0]!.clientMessageId, visitorId: bodies[0]!.visitorId });

    await page.getByTestId('input').fill('发票怎么开');
    await page.getByTestId('send').click();
    await expect.poll(() => bodies.length, { timeout: 10_000 }).toBe(4);
    const ids = bodies.slice(2).map((b) => b.clientMessageId);
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(ids[0]).not.toBe(bodies[0]!.clientMessageId);
    expect(ids[1]).toBe(ids[0]);
    // Settled: the stored copy, no failure, and only one of it.
    await expect.poll(() => page.locator('[data-testid="message"][data-author="visitor"][data-state]').count()).toBe(0);
    await expect.poll(() => message(page, 'visitor', '发票怎么开').count()).toBe(1);
    await expect(page.getByTestId('retry').count()).resolves.toBe(0);

    const { id, token } = await page.evaluate(() => {
      for (let i = 0; i < localStorage.length; i++) {
        // The chat's own key (the widget also keeps a presence token under chat-presence:).
        if (!localStorage.key(i)!.startsWith('chat-widget:')) continue;
        const saved = JSON.parse(localStorage.getItem(localStorage.key(i)!) ?? '{}') as { conversationId?: string; token?: string };
        if (saved.conversationId) return { id: saved.conversationId, token: saved.token! };
      }
      throw new Error('no conversation saved');
    });
    const res = await fetch(`${stack.url}/api/conversations/${id}/messages?after=0`, { headers: { authorization: `Bearer ${token}` } });
    const { messages } = (await res.json()) as { messages: Array<{ author: string; text: string }> };
    expect(messages.filter((m) => m.author === 'visitor' && m.text === '发票怎么开')).toHaveLength(1);
    // One conversation (the saved token, from the retry's response, opens it) with the first message once.
    expect(messages.filter((m) => m.author === 'visitor' && m.text === '网厅充值有折扣吗')).toHaveLength(1);
    expect(seen.errors).toEqual([]);
    await context.close();
  }, TIMEOUT);

  it('says "reconnecting" calmly on server_restarting and resumes from the last message', async () => {
    const { context, page } = await newPage(browser);
    await openWidget(page, stack.url);
    await ask(page, '网厅充值有折扣吗');
    await message(page, 'bot', '9.85折').waitFor();

    // The next stream says the server is restarting and ends; the one after is the real server again.
    const resumedFrom: Array<string | undefined> = [];
    await page.route(/\/api\/conversations\/[^/]+\/events$/, async (route) => {
      resumedFrom.push(route.request().headers()['last-event-id']);
      if (resumedFrom.length === 1) {
        await route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          body: 'retry: 1000\n\nevent: server_restarting\ndata: {"retryMs":1000}\n\n',
        });
      } else await route.continue();
    });
    // Drop the open stream: the widget reconnects (through the route) on its own.
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    const notice = page.getByTestId('reconnecting');
    await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toContain('正在重新连接…');
    expect(await notice.textContent()).not.toContain('中断');
    await notice.waitFor({ state: 'detached', timeout: 10_000 });
    expect(resumedFrom.length).toBeGreaterThanOrEqual(2);
    // Both streams resume after the newest message the widget holds: nothing missed, nothing repeated.
    expect(Number(resumedFrom[1])).toBeGreaterThan(0);
    expect(resumedFrom[1]).toBe(resumedFrom[0]);
    expect(await message(page, 'bot', '9.85折').count()).toBe(1);
    await context.close();
  }, TIMEOUT);
}, ['widget.js']);

browserSuite('visitor widget outside business hours', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    // Configured hours (not BUSINESS_HOURS=always), with every group's shift set to start two hours from now.
    [stack, browser] = await Promise.all([startStack({ BUSINESS_HOURS: 'default' }, ['widget.js']), launchBrowser()]);
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(new Date()));
    const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    const { groups } = await stack.admin('GET', '/api/admin/groups');
    for (const g of groups as Array<{ id: string; name: string }>) {
      await stack.admin('PUT', `/api/admin/groups/${g.id}`, { name: g.name, hours: { open: hh(hour + 2), close: hh(hour + 3) } });
    }
  }, TIMEOUT);
  closePagesAfterEachTest();
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, TIMEOUT);

  it('offers the leave-a-message form and stores the message for the next shift', async () => {
    const { context, page } = await newPage(browser);
    const seen = watch(page);
    await openWidget(page, stack.url);
    await ask(page, '网厅充值有折扣吗');
    await message(page, 'bot', '9.85折').waitFor();
    await page.getByTestId('handoff-button').click();
    await page.getByTestId('ticket-contact').fill('13800138000');
    await page.getByTestId('ticket-text').fill('请明天上午回电，宽带一直掉线');
    await page.getByTestId('ticket-submit').click();
    await page.getByTestId('ticket-contact').waitFor({ state: 'detached' });

    await expect
      .poll(async () => ((await stack.admin('GET', '/api/agent/tickets')).tickets as Array<{ text: string }>).map((t) => t.text))
      .toContain('请明天上午回电，宽带一直掉线');
    expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    await context.close();
  }, TIMEOUT);
}, ['widget.js']);
