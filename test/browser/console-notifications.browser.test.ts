// The console's attention features in a real Chromium with notifications granted: the permission asked on the
// first sign-in only, desktop notifications for a new chat and visitor messages while the tab is hidden (none
// while the agent looks at that chat), one per chat, a click that opens the chat; unread badges and the title
// count; closing asks first only while the visitor waits for a reply (Esc cancels), else one click closes; a
// closed chat looks closed. Headless Chromium shows no notification, so an init script wraps window.Notification
// and records each one; "hidden" is emulated in the page.
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { KEEP_PRESENCE, browserSuite, consoleLogin, newPage, setAgentStatus, useStackAndBrowser, watch, type Watched } from './browser-kit.ts';
import { agentConsole, agentSays, conversationIdOf, message, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 150_000;
const CLEAN: Watched = { errors: [], dialogs: [], cspViolations: [] };
const SHOTS = '/tmp/shots';
mkdirSync(SHOTS, { recursive: true });

/**
 * Runs before the console's own script in every page of the context: Notification is replaced by a recorder
 * (which still makes the real one, so a bad option would show as an error) whose permission reads "default"
 * until requestPermission is called (counted in localStorage, so a reload keeps the count); __setHidden
 * emulates the tab going to the background and back.
 */
const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification;
  const log = { created: [], closed: [], errors: [] };
  const made = [];
  const KEY = 'test.notify.requests';
  class RecordedNotification extends EventTarget {
    constructor(title, options = {}) {
      super();
      this.title = title; this.body = options.body || ''; this.tag = options.tag || '';
      this.onclick = null; this.onclose = null;
      log.created.push({ title, body: this.body, tag: this.tag, hidden: document.visibilityState === 'hidden' });
      made.push(this);
      try { this.real = new Real(title, options); } catch (e) { log.errors.push(String(e)); }
    }
    close() { log.closed.push(this.tag); if (this.real) this.real.close(); if (this.onclose) this.onclose(new Event('close')); }
    static get permission() { return localStorage.getItem(KEY) === null ? 'default' : Real.permission; }
    static async requestPermission() {
      localStorage.setItem(KEY, String(Number(localStorage.getItem(KEY) || 0) + 1));
      return Real.requestPermission();
    }
  }
  window.Notification = RecordedNotification;
  window.__notifications = log;
  window.__clickNotification = (tag) => {
    const n = [...made].reverse().find((x) => x.tag === tag);
    if (n && n.onclick) n.onclick(new Event('click'));
  };
  window.__setHidden = (hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  };
})();`;

interface Recorded {
  created: Array<{ title: string; body: string; tag: string; hidden: boolean }>;
  closed: string[];
  errors: string[];
}

const notes = (page: Page) => page.evaluate(() => (window as unknown as { __notifications: Recorded }).__notifications);
const setHidden = (page: Page, hidden: boolean) => page.evaluate((h) => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(h), hidden);
const requests = (page: Page) => page.evaluate(() => localStorage.getItem('test.notify.requests'));
/** Notifications of a chat still up (made minus closed). */
const openCount = (rec: Recorded, tag: string) => rec.created.filter((n) => n.tag === tag).length - rec.closed.filter((t) => t === tag).length;
const tab = (page: Page, id: string) => page.locator(`[data-testid="chat-tab"][data-conversation-id="${id}"]`);

/** An agent's console in a context where the site may notify, with the recorder installed. */
async function notifyingConsole(browser: Parameters<typeof newPage>[0], url: string, username: string): Promise<{ context: BrowserContext; page: Page; seen: Watched }> {
  const { context, page } = await newPage(browser, { width: 1440, height: 900 });
  await context.grantPermissions(['notifications'], { origin: url });
  await context.addInitScript({ content: RECORD_NOTIFICATIONS });
  const seen = watch(page);
  await consoleLogin(page, url, username);
  return { context, page, seen };
}

/** A visitor asking for a person; with an online agent the chat may be theirs at once (no queue line then). */
async function visitorToPerson(browser: Parameters<typeof newPage>[0], url: string, text: string) {
  const { context, page } = await newPage(browser);
  const seen = watch(page);
  await page.goto(`${url}/`);
  await page.getByTestId('launcher').click();
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  await message(page, 'visitor', text).waitFor();
  const person = page.getByTestId('queue-status').or(page.getByTestId('agent-status'));
  const handoff = page.getByTestId('handoff-button');
  await person.or(handoff).first().waitFor({ state: 'visible' });
  // The button hides once the chat is handed over, which may happen between seeing it and pressing it (a rule
  // hands "宽带断网了" over at once, and an online agent takes it): a press that finds no button is not a
  // failure, a person who never shows is.
  if (!(await person.first().isVisible())) await handoff.click({ timeout: 2_000 }).catch(() => undefined);
  await person.first().waitFor({ state: 'visible' });
  return { context, page, seen };
}

async function visitorSays(page: Page, text: string) {
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  await message(page, 'visitor', text).waitFor();
}

browserSuite('console notifications, unread markers and closing in Chromium', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'nora', displayName: '客服小诺', capacity: 5 }, { username: 'carl', displayName: '客服小凯', capacity: 5 }] });

  it('asks once on the first sign-in; notifies while hidden only, one per chat; a click opens the chat; badges and the title count', async () => {
    const agent = await notifyingConsole(live.browser, live.stack.url, 'nora');
    const page = agent.page;
    const visitors: Array<Awaited<ReturnType<typeof visitorToPerson>>> = [];
    try {
      // The first sign-in in this browser asks for the permission; the switch shows notifications on.
      await expect.poll(() => requests(page)).toBe('1');
      await expect.poll(() => page.getByTestId('notify-toggle').innerText()).toBe('桌面通知: 开');
      expect(await page.evaluate(() => localStorage.getItem('agent-console.notify-asked'))).toBe('granted');

      // Hidden, online: a chat routed to the agent is announced, tagged by its chat.
      await setAgentStatus(page, live.stack.url, 'online');
      await setHidden(page, true);
      const v1 = await visitorToPerson(live.browser, live.stack.url, '宽带断网了 N-1');
      visitors.push(v1);
      const id1 = await conversationIdOf(v1.page);
      await tab(page, id1).waitFor();
      await expect.poll(async () => (await notes(page)).created.filter((n) => n.tag === `chat-${id1}` && n.title === '您有一个新会话').length).toBe(1);
      expect((await notes(page)).created.find((n) => n.title === '您有一个新会话')!.body).toContain('N-1');

      // Visible and on that chat: a visitor message is read on screen; no notification, no badge, no count.
      await setHidden(page, false);
      await page.getByTestId('agent-input').waitFor();
      const before = (await notes(page)).created.length;
      await visitorSays(v1.page, '看得见的消息 N-1b');
      await message(page, 'visitor', 'N-1b').waitFor();
      expect((await notes(page)).created.length).toBe(before);
      expect(await tab(page, id1).getByTestId('unread').count()).toBe(0);
      expect(await page.title()).toBe('客服工作台');

      // A second chat, not on screen: its visitor messages count on its tab and in the title, and no
      // notification while the page is visible.
      const v2 = await visitorToPerson(live.browser, live.stack.url, '话费查询 N-2');
      visitors.push(v2);
      const id2 = await conversationIdOf(v2.page);
      await tab(page, id2).waitFor();
      await visitorSays(v2.page, '第二条 N-2b');
      await visitorSays(v2.page, '第三条 N-2c');
      await expect.poll(() => tab(page, id2).getByTestId('unread').innerText()).toBe('2');
      await expect.poll(() => page.title()).toBe('(2) 客服工作台');
      expect((await notes(page)).created.length).toBe(before);
      for (const [w, h] of [[1440, 900], [820, 1180], [390, 844]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await tab(page, id2).getByTestId('unread').waitFor();
        await page.screenshot({ path: `${SHOTS}/notify-unread-${w}.png` });
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      }
      await page.setViewportSize({ width: 1440, height: 900 });

      // Hidden: each visitor message notifies, one notification per chat at a time (the older one is closed
      // first); the open chat counts too now.
      await setHidden(page, true);
      await visitorSays(v1.page, '后台消息一 N-1c');
      await expect.poll(async () => (await notes(page)).created.at(-1)).toEqual({ title: '访客发来新消息', body: '后台消息一 N-1c', tag: `chat-${id1}`, hidden: true });
      await visitorSays(v1.page, '后台消息二 N-1d');
      await expect.poll(async () => (await notes(page)).created.at(-1)?.body).toBe('后台消息二 N-1d');
      await visitorSays(v2.page, '后台消息 N-2d');
      await expect.poll(async () => (await notes(page)).created.at(-1)?.tag).toBe(`chat-${id2}`);
      const rec = await notes(page);
      expect(openCount(rec, `chat-${id1}`)).toBe(1);
      expect(openCount(rec, `chat-${id2}`)).toBe(1);
      expect(rec.errors).toEqual([]);
      await expect.poll(() => tab(page, id1).getByTestId('unread').innerText()).toBe('2');
      await expect.poll(() => page.title()).toMatch(/\(5\) 客服工作台$/);

      // The agent's own message never notifies.
      const count = rec.created.length;
      await agentSays(page, '我这边在处理');
      await message(v1.page, 'agent', '我这边在处理').waitFor();
      expect((await notes(page)).created.length).toBe(count);

      // A click on the second chat's notification opens that chat: its badge clears, its notification closes.
      await page.evaluate((tag) => (window as unknown as { __clickNotification(t: string): void }).__clickNotification(tag), `chat-${id2}`);
      await expect.poll(() => tab(page, id2).getAttribute('aria-selected')).toBe('true');
      await message(page, 'visitor', 'N-2d').first().waitFor();
      expect(await tab(page, id2).getByTestId('unread').count()).toBe(0);
      await setHidden(page, false);
      await expect.poll(() => page.title()).toBe('(2) 客服工作台');
      expect(openCount(await notes(page), `chat-${id2}`)).toBe(0);

      // Opening the first chat clears its badge and the title.
      await tab(page, id1).click();
      await expect.poll(() => tab(page, id1).getByTestId('unread').count()).toBe(0);
      await expect.poll(() => page.title()).toBe('客服工作台');
      // Its notification, still up, has said what it had to: closed.
      expect(openCount(await notes(page), `chat-${id1}`)).toBe(0);

      // The switch turns them off (kept): nothing while hidden then.
      await page.getByTestId('notify-toggle').click();
      await expect.poll(() => page.getByTestId('notify-toggle').innerText()).toBe('桌面通知: 关');
      await setHidden(page, true);
      const quiet = (await notes(page)).created.length;
      await visitorSays(v1.page, '关掉通知后 N-1e');
      await message(page, 'visitor', 'N-1e').waitFor();
      expect((await notes(page)).created.length).toBe(quiet);
      await setHidden(page, false);
      await page.getByTestId('notify-toggle').click();
      await expect.poll(() => page.getByTestId('notify-toggle').innerText()).toBe('桌面通知: 开');

      // Signing in again (out and in, and a reload) never asks a second time.
      await setAgentStatus(page, live.stack.url, 'offline');
      await page.getByTestId('logout').click();
      await consoleLogin(page, live.stack.url, 'nora');
      await page.reload();
      await page.getByTestId('notify-toggle').waitFor();
      expect(await requests(page)).toBe('1');

      for (const v of visitors) expect(v.seen).toEqual(CLEAN);
      expect(agent.seen).toEqual(CLEAN);
    } finally {
      for (const v of visitors) {
        await live.stack.admin('POST', `/api/agent/conversations/${await conversationIdOf(v.page)}/close`).catch(() => undefined);
        await v.context.close();
      }
      await setAgentStatus(page, live.stack.url, 'offline');
      await agent.context.close();
    }
  }, TIMEOUT);

  it('a chat waiting in the queue notifies an away agent while hidden; its click shows the queue', async () => {
    const agent = await notifyingConsole(live.browser, live.stack.url, 'carl');
    const page = agent.page;
    await setAgentStatus(page, live.stack.url, 'away');
    try {
      await expect.poll(() => requests(page)).toBe('1');
      await page.getByTestId('nav-history').click();
      await setHidden(page, true);
      const v = await visitorWaiting(live.browser, live.stack.url, '宽带报装排队 Q-1');
      const id = await conversationIdOf(v.page);
      await expect.poll(async () => (await notes(page)).created.find((n) => n.tag === `chat-${id}`)?.title, { timeout: 10_000 }).toBe('有新的会话在排队');
      await page.evaluate((tag) => (window as unknown as { __clickNotification(t: string): void }).__clickNotification(tag), `chat-${id}`);
      await setHidden(page, false);
      const item = page.locator(`[data-testid="queue-item"][data-conversation-id="${id}"]`);
      await item.waitFor();
      await expect.poll(() => item.getByTestId('take').evaluate((el) => el.matches(':focus'))).toBe(true);
      expect(agent.seen).toEqual(CLEAN);
      await live.stack.admin('POST', `/api/agent/conversations/${id}/close`).catch(() => undefined);
      await v.context.close();
    } finally {
      await setAgentStatus(page, live.stack.url, 'offline');
      await agent.context.close();
    }
  }, TIMEOUT);

  it('one click closes an answered chat; a visitor waiting for a reply is asked about first (Esc cancels, keyboard confirms); closed chats look closed in both languages', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'nora', 'away');
    const page = agent.page;
    const visitors: Array<Awaited<ReturnType<typeof visitorWaiting>>> = [];
    const dialog = page.getByTestId('close-dialog');
    try {
      // Answered (take, reply, close): one click, no dialog; the contract's `close` hook that outside tests use.
      const v = await visitorWaiting(live.browser, live.stack.url, '销户咨询 X-1');
      visitors.push(v);
      await take(page, '销户咨询 X-1');
      const id = await conversationIdOf(v.page);
      await agentSays(page, '销户需要机主本人带身份证到营业厅办理。');
      await message(v.page, 'agent', '销户需要机主本人').waitFor();
      expect(await page.getByTestId('close').getAttribute('aria-haspopup')).toBeNull();
      await page.getByTestId('close').click();
      await v.page.getByTestId('rating').waitFor({ state: 'visible' });
      expect(await dialog.isVisible()).toBe(false);

      // Closed: a grey header with its label, the tab labelled too, the composer disabled with its line.
      const label = page.getByTestId('ended-label');
      await expect.poll(() => label.innerText()).toBe('已结束');
      expect(await tab(page, id).getByTestId('tab-ended').innerText()).toBe('已结束');
      expect(await page.getByTestId('chat-header').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(236, 238, 241)');
      expect(await page.getByTestId('chat-ended').innerText()).toContain('会话已结束');
      expect(await page.getByTestId('agent-input').isDisabled()).toBe(true);
      expect(await page.getByTestId('agent-input').getAttribute('placeholder')).toBe('会话已结束，不能再发送消息');
      expect(await page.getByTestId('agent-send').isDisabled()).toBe(true);
      expect(await page.getByTestId('close').count()).toBe(0);
      // The focus is on the ended bar's button, not lost to the page.
      await expect.poll(() => page.getByTestId('dismiss').evaluate((el) => el.matches(':focus'))).toBe(true);

      for (const [w, h] of [[1440, 900], [820, 1180], [390, 844]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await page.screenshot({ path: `${SHOTS}/closed-chat-${w}.png` });
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      }
      // (At tablet width: on a phone the language switch is behind the menu.)
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => label.innerText()).toBe('Closed');
      expect(await page.getByTestId('agent-input').getAttribute('placeholder')).toBe('This chat has ended; you can no longer send messages');
      await page.screenshot({ path: `${SHOTS}/closed-chat-en-820.png` });
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => label.innerText()).toBe('已结束');

      // Waiting: the visitor wrote after the agent's reply and got no answer. The dialog asks, the harmless
      // choice focused; Esc cancels and the chat stays.
      const v2 = await visitorWaiting(live.browser, live.stack.url, '改套餐 X-2');
      visitors.push(v2);
      await page.setViewportSize({ width: 1440, height: 900 });
      await take(page, '改套餐 X-2');
      await agentSays(page, '请问您想改成哪个套餐？');
      await message(v2.page, 'agent', '想改成哪个套餐').waitFor();
      await visitorSays(v2.page, '最便宜的那个 X-2b');
      await message(page, 'visitor', 'X-2b').waitFor();
      await expect.poll(() => page.getByTestId('close').getAttribute('aria-haspopup')).toBe('dialog');
      await page.getByTestId('close').click();
      await dialog.waitFor({ state: 'visible' });
      expect(await dialog.locator('h2').innerText()).toBe('访客正在等您回复。仍要结束会话吗？');
      await expect.poll(() => page.getByTestId('close-cancel').evaluate((el) => el.matches(':focus'))).toBe(true);
      await page.screenshot({ path: `${SHOTS}/close-confirm-1440.png` });
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.screenshot({ path: `${SHOTS}/close-confirm-820.png` });
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await page.getByTestId('agent-input').isEnabled()).toBe(true);
      expect(await page.getByTestId('close').count()).toBe(1);
      expect(await v2.page.getByTestId('rating').count()).toBe(0);

      // Keyboard only: open, Tab to the confirm button, Enter: closed, the visitor rates.
      await page.getByTestId('close').focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'visible' });
      await page.keyboard.press('Tab');
      await expect.poll(() => page.getByTestId('close-confirm').evaluate((el) => el.matches(':focus'))).toBe(true);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await v2.page.getByTestId('rating').waitFor({ state: 'visible' });
      await expect.poll(() => label.innerText()).toBe('已结束');
      await expect.poll(() => page.getByTestId('dismiss').evaluate((el) => el.matches(':focus'))).toBe(true);

      // In English at phone width: a visitor message after the take, none from the agent yet, asks too; once
      // the agent answers, one click closes.
      const v3 = await visitorWaiting(live.browser, live.stack.url, '第三个会话 X-3');
      visitors.push(v3);
      await page.getByTestId('lang-switch').click();
      await page.setViewportSize({ width: 390, height: 844 });
      await take(page, '第三个会话 X-3');
      await visitorSays(v3.page, '有人吗 X-3b');
      await message(page, 'visitor', 'X-3b').waitFor();
      await page.getByTestId('close').click();
      await dialog.waitFor({ state: 'visible' });
      expect(await dialog.locator('h2').innerText()).toBe('The visitor is waiting for your reply. Close anyway?');
      expect(await page.getByTestId('close-confirm').innerText()).toBe('Close chat');
      await page.screenshot({ path: `${SHOTS}/close-confirm-en-390.png` });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.getByTestId('close-cancel').click();
      await dialog.waitFor({ state: 'hidden' });
      await agentSays(page, '在的，请讲。');
      await expect.poll(() => page.getByTestId('close').getAttribute('aria-haspopup')).toBeNull();
      await page.getByTestId('close').click();
      await v3.page.getByTestId('rating').waitFor({ state: 'visible' });
      expect(await dialog.isVisible()).toBe(false);
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.screenshot({ path: `${SHOTS}/three-tabs-en-820.png` });
      await page.getByTestId('lang-switch').click();

      expect(agent.seen).toEqual(CLEAN);
      for (const visitor of visitors) expect(visitor.seen).toEqual(CLEAN);
    } finally {
      for (const visitor of visitors) {
        await live.stack.admin('POST', `/api/agent/conversations/${await conversationIdOf(visitor.page)}/close`).catch(() => undefined);
        await visitor.context.close();
      }
      await setAgentStatus(page, live.stack.url, 'offline');
      await agent.context.close();
    }
  }, TIMEOUT);
});
