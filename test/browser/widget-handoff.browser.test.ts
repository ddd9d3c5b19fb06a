// The human side of the widget and console as a first user met it (issue 13): after a handoff the button
// goes and nothing is said twice; a clarify keeps its choices; the leave-a-message form opens in view on a
// phone; the province question is answered with a chip; two groups' first chats are not both "#1"; the
// first admin is shown to visitors by a display name, never the sign-in name.
// `SCREENSHOTS=<dir>` also saves each scene at desktop, tablet and phone width there, to look at.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, browserSuite, closePagesAfterEachTest, consoleLogin, launchBrowser, newPage, setAgentStatus, startStack, watch, type Stack } from './browser-kit.ts';
import { message } from './flows.ts';

const TIMEOUT = 90_000;
const SIZES = { desktop: { width: 1280, height: 800 }, tablet: { width: 820, height: 1000 }, phone: { width: 390, height: 664, mobile: true } } as const;
const shots = process.env.SCREENSHOTS;

async function snap(page: Page, name: string): Promise<void> {
  if (!shots) return;
  await page.waitForFunction(() => document.fonts.status === 'loaded');
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
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

/** Whether the element's top and bottom are inside the chat log's visible box (not below the fold). */
function inView(page: Page, testid: string): Promise<boolean> {
  return page.getByTestId(testid).evaluate((el) => {
    const log = el.closest('.log')!;
    const box = el.getBoundingClientRect();
    const view = log.getBoundingClientRect();
    return box.top >= view.top - 1 && Math.min(box.bottom, box.top + view.height) <= view.bottom + 1;
  });
}

browserSuite('the widget around a handoff', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({}), launchBrowser()]);
  }, TIMEOUT);
  closePagesAfterEachTest();
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, TIMEOUT);

  it('drops the person button once queued, says it once, and opens the leave-a-message form in view', async () => {
    for (const [size, viewport] of Object.entries(SIZES)) {
      const { context, page } = await newPage(browser, viewport);
      const seen = watch(page);
      await openWidget(page, stack.url);
      await ask(page, '网厅充值有折扣吗');
      await message(page, 'bot', '9.85折').waitFor();
      await page.getByTestId('handoff-button').click();
      await page.getByTestId('queue-status').waitFor();
      // Nobody is online: queued, told so once, with the form offered, and no second button to press.
      expect(await page.getByTestId('handoff-button').count()).toBe(0);
      expect(await message(page, 'bot', '排队').count()).toBe(1);
      await page.getByTestId('ticket-form').waitFor();
      await expect.poll(() => inView(page, 'ticket-form')).toBe(true);
      await snap(page, `handoff-queued-${size}`);
      expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      // Ended, so the later tests' queue holds only their own chats.
      await page.getByTestId('end-chat').click();
      await page.getByTestId('queue-status').waitFor({ state: 'detached' });
      await context.close();
    }
  }, TIMEOUT);

  it('keeps a clarify\'s choices with its question after the visitor asks for a person', async () => {
    const { context, page } = await newPage(browser, SIZES.phone);
    await openWidget(page, stack.url);
    await ask(page, '密码');
    const clarify = message(page, 'bot', '您是想问');
    await clarify.waitFor();
    const chips = clarify.getByTestId('suggestion');
    const offered = await chips.count();
    expect(offered).toBeGreaterThan(1);
    await page.getByTestId('handoff-button').click();
    await page.getByTestId('queue-status').waitFor();
    // The question still shows what it offered, no longer to be chosen (a person has the chat now).
    expect(await chips.count()).toBe(offered);
    for (let i = 0; i < offered; i++) expect(await chips.nth(i).isDisabled()).toBe(true);
    await snap(page, 'clarify-then-handoff-phone');
    await page.getByTestId('end-chat').click();
    await page.getByTestId('queue-status').waitFor({ state: 'detached' });
    await context.close();
  }, TIMEOUT);

  it('asks a visitor of unknown province with chips, and the console shows province, group and one order', async () => {
    const hours = { open: '00:00', close: '24:00' };
    await stack.admin('PUT', '/api/admin/groups/guangdong', { name: '广东客服', hours, provinces: ['guangdong'] });
    const admin = await newPage(browser, SIZES.desktop);
    const adminSeen = watch(admin.page);
    await consoleLogin(admin.page, stack.url, ADMIN.username, ADMIN.password);
    // Present but away: chats wait in the queue where the console lists them.
    await setAgentStatus(admin.page, stack.url, 'away');

    const { context, page } = await newPage(browser, SIZES.phone);
    await openWidget(page, stack.url);
    await ask(page, '你好');
    await page.getByTestId('handoff-button').click();
    const province = message(page, 'bot', '哪个省');
    await province.waitFor();
    await snap(page, 'province-question-phone');
    await province.getByTestId('suggestion').filter({ hasText: '广东' }).click();
    await page.getByTestId('queue-status').waitFor();
    // A second visitor waiting in another group (a broadband fault goes to a person at once, nationally).
    const other = await newPage(browser, SIZES.phone);
    await openWidget(other.page, stack.url);
    await ask(other.page, '宽带怎么办理');
    await other.page.getByTestId('handoff-button').click();
    await message(other.page, 'bot', '哪个省').waitFor();
    await other.page.getByTestId('suggestion').filter({ hasText: '其他省份' }).last().click();
    await other.page.getByTestId('queue-status').waitFor();

    await admin.page.reload();
    const gd = admin.page.getByTestId('queue-item').filter({ has: admin.page.getByTestId('queue-province') });
    await gd.waitFor();
    // Every waiting chat has its own number, in the order they are served, whatever their group.
    await admin.page.getByTestId('queue-item').nth(1).waitFor();
    // Two groups' first chats: numbered in the order they are served, not both "#1".
    expect(await admin.page.getByTestId('queue-order').allInnerTexts()).toEqual(['#1', '#2']);
    const groups = await admin.page.getByTestId('queue-group').allInnerTexts();
    expect(new Set(groups).size).toBe(2);
    expect(await gd.getByTestId('queue-province').innerText()).toBe('广东');
    expect(await gd.getByTestId('queue-group').innerText()).toBe('广东客服');
    for (const [size, viewport] of Object.entries(SIZES)) {
      await admin.page.setViewportSize({ width: viewport.width, height: viewport.height });
      await snap(admin.page, `console-queue-${size}`);
    }

    // The admin takes the chat: the visitor sees a display name, never the sign-in name.
    await gd.getByTestId('take').click();
    await page.getByTestId('agent-status').waitFor();
    const status = await page.getByTestId('agent-status').innerText();
    expect(status).toContain('值班经理');
    expect(status).not.toContain(ADMIN.username);
    await admin.page.getByTestId('chat-province').waitFor();
    expect(await admin.page.getByTestId('chat-group').innerText()).toBe('广东客服');
    await snap(admin.page, 'console-chat-province-phone');
    expect(adminSeen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    await setAgentStatus(admin.page, stack.url, 'away');
    await context.close();
    await other.context.close();
    await admin.context.close();
  }, TIMEOUT);
});
