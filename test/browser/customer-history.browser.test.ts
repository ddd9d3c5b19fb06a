// The customer history in a real Chromium: a visitor's first chat, closed, is listed beside their second chat
// (date, agent, status) and opens read-only in the side panel; canned replies grouped by category; the invisible
// status in the switch. Photographed at desktop and tablet width.
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ADMIN, KEEP_PRESENCE, browserSuite, setAgentStatus, useStackAndBrowser, type Watched } from './browser-kit.ts';
import { conversationIdOf, message, signedInConsole, take, visitorIdOf, visitorWaiting } from './flows.ts';

const TIMEOUT = 120_000;
const CLEAN: Watched = { errors: [], dialogs: [], cspViolations: [] };
const SHOTS = '/tmp/shots';
mkdirSync(SHOTS, { recursive: true });

browserSuite('customer history in Chromium', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT });

  it('lists the visitor’s earlier chat beside the new one and opens it read-only', async () => {
    const admin = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1440, height: 900 });
    await setAgentStatus(admin.page, live.stack.url, 'away');
    try {
      const visitor = await visitorWaiting(live.browser, live.stack.url, '第一次咨询 宽带报装 H-1');
      const first = await conversationIdOf(visitor.page);
      const visitorId = await visitorIdOf(visitor.page);
      await take(admin.page, '宽带报装 H-1');
      await live.stack.admin('POST', `/api/agent/conversations/${first}/close`);
      await admin.page.getByTestId('chat-ended').waitFor();
      await admin.page.getByTestId('dismiss').click();

      // The same browser (visitor id) comes back another day: the widget no longer holds the old chat (as after
      // it is gone), only the visitor id, so the next question starts a new conversation.
      await visitor.page.evaluate(() => {
        for (let i = 0; i < localStorage.length; i++) {
          const key = localStorage.key(i)!;
          if (!key.startsWith('chat-widget')) continue;
          const state = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, unknown>;
          const visitorId = state.visitorId;
          localStorage.setItem(key, JSON.stringify(visitorId ? { visitorId } : {}));
        }
      });
      await visitor.page.reload();
      if (!(await visitor.page.getByTestId('input').isVisible())) await visitor.page.getByTestId('launcher').click();
      await visitor.page.getByTestId('input').fill('第二次来 话费查询 H-2');
      await visitor.page.getByTestId('send').click();
      await message(visitor.page, 'visitor', '话费查询 H-2').waitFor();
      const queued = visitor.page.getByTestId('queue-status');
      await queued.or(visitor.page.getByTestId('handoff-button')).first().waitFor({ state: 'visible' });
      // The button hides once the chat is queued, which may happen between seeing it and pressing it.
      if (!(await queued.isVisible())) await visitor.page.getByTestId('handoff-button').click({ timeout: 2_000 }).catch(() => undefined);
      await queued.waitFor({ state: 'visible' });
      expect(await visitorIdOf(visitor.page)).toBe(visitorId);
      expect(await conversationIdOf(visitor.page)).not.toBe(first);

      await take(admin.page, '话费查询 H-2');
      const second = await conversationIdOf(visitor.page);
      const panel = admin.page.getByTestId('customer-history');
      const item = panel.getByTestId('customer-history-item');
      await expect.poll(() => item.count()).toBe(1);
      const text = await item.innerText();
      expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      expect(text).toContain('已结束');
      await panel.scrollIntoViewIfNeeded();
      await admin.page.screenshot({ path: `${SHOTS}/customer-history-1440.png` });

      await item.click();
      const transcript = panel.getByTestId('customer-history-transcript');
      await transcript.waitFor();
      await transcript.locator('[data-testid="message"][data-author="visitor"]', { hasText: '宽带报装 H-1' }).waitFor();
      // Read-only: the open chat's composer stays the only one.
      expect(await admin.page.getByTestId('agent-input').count()).toBe(1);
      await panel.scrollIntoViewIfNeeded();
      await admin.page.screenshot({ path: `${SHOTS}/customer-history-open-1440.png` });
      await admin.page.setViewportSize({ width: 820, height: 1180 });
      await panel.scrollIntoViewIfNeeded();
      await admin.page.screenshot({ path: `${SHOTS}/customer-history-open-820.png` });
      await panel.getByTestId('customer-history-back').click();
      await item.waitFor();
      await panel.scrollIntoViewIfNeeded();
      await admin.page.screenshot({ path: `${SHOTS}/customer-history-820.png` });

      expect(admin.seen).toEqual(CLEAN);
      expect(visitor.seen).toEqual(CLEAN);
      // Closed, so it does not wait in the queue for the next test.
      await live.stack.admin('POST', `/api/agent/conversations/${second}/close`);
      await visitor.context.close();
    } finally {
      await setAgentStatus(admin.page, live.stack.url, 'offline');
      await admin.context.close();
    }
  }, TIMEOUT);

  it('groups canned replies by category on the canned screen and in the composer’s "/" picker; links render as links', async () => {
    for (const [shortcut, title, text, category] of [
      ['/bill', '账单查询', '您可以在“账单查询”页面查看本月账单。', '账单'],
      ['/invoice', '电子发票', '电子发票可在“我的账户 - 发票管理”中下载。', '账单'],
      ['/app', '营业厅 App', '下载营业厅 App：https://example.com/app', '链接'],
      ['/hello', '问候', '您好，很高兴为您服务。', null],
    ] as const) {
      await live.stack.admin('POST', '/api/agent/canned', { shortcut, title, text, category, shared: true });
    }
    const admin = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1440, height: 900 });
    await setAgentStatus(admin.page, live.stack.url, 'invisible');
    try {
      await expect.poll(() => admin.page.getByTestId('status-select').inputValue()).toBe('invisible');
      await admin.page.getByTestId('nav-canned').click();
      const headers = admin.page.getByTestId('canned-category');
      await expect.poll(() => headers.allInnerTexts()).toEqual(['链接 (1)', '账单 (2)', '未分类 (1)']);
      const link = admin.page.locator('console-canned a[href="https://example.com/app"]');
      expect(await link.getAttribute('rel')).toContain('noopener');
      await admin.page.screenshot({ path: `${SHOTS}/canned-categories-1440.png` });
      await admin.page.getByTestId('canned-filter').selectOption('链接');
      await expect.poll(() => admin.page.getByTestId('canned-row').count()).toBe(1);
      await admin.page.setViewportSize({ width: 820, height: 1180 });
      await admin.page.screenshot({ path: `${SHOTS}/canned-categories-820.png` });
      await admin.page.getByTestId('canned-filter').selectOption('');

      // The composer's picker: "/" lists the replies under their categories, each where its best match ranks (here by
      // shortcut: /app first), the uncategorized last; headers are no options.
      await admin.page.setViewportSize({ width: 1440, height: 900 });
      const visitor = await visitorWaiting(live.browser, live.stack.url, '快捷回复分类 C-1');
      await admin.page.getByTestId('nav-chats').click();
      await take(admin.page, '快捷回复分类 C-1');
      await admin.page.getByTestId('agent-input').fill('/');
      const list = admin.page.getByTestId('canned-list');
      await list.waitFor();
      await expect.poll(() => list.getByTestId('canned-category').allInnerTexts()).toEqual(['链接', '账单', '未分类']);
      expect(await list.getByRole('option').count()).toBe(4);
      await admin.page.screenshot({ path: `${SHOTS}/canned-picker-1440.png` });
      await admin.page.getByTestId('agent-input').fill('');
      expect(admin.seen).toEqual(CLEAN);
      expect(visitor.seen).toEqual(CLEAN);
      await visitor.context.close();
    } finally {
      await setAgentStatus(admin.page, live.stack.url, 'offline');
      await admin.context.close();
    }
  }, TIMEOUT);
});
