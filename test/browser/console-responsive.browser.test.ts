// The admin console at tablet (768x1024) and laptop (1366x768) size, in Chinese and English, and at the mid widths
// where English ran out of room (1024, 1280): every screen, opened through the navigation (folded behind the menu
// button at 1180 px and below), has no sideways overflow; the header's tools stay together in one row; wider
// (1280, 1680 px) the names stand in one row, never wrapped, in both languages. On a phone (390x844) with a chat open
// the transcript has at least half the screen, the queue and the side panel a tap away, in both languages.
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ADMIN, AGENT_PASSWORD, browserSuite, consoleLogin, newPage, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentSays, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 180_000;
mkdirSync('/tmp/shots', { recursive: true });

browserSuite('the console fits tablet and laptop screens', () => {
  const live = useStackAndBrowser({ timeoutMs: TIMEOUT });

  it('has no horizontal overflow on any screen at 768x1024 and 1366x768 in zh and en, and at 1024 and 1280 in en', async () => {
    const { context, page } = await newPage(live.browser, { width: 1366, height: 768 });
    await consoleLogin(page, live.stack.url, ADMIN.username, ADMIN.password);
    // Offline at once: an admin serves every group, and a present admin would be given other tests' chats.
    await setAgentStatus(page, live.stack.url, 'offline');
    const ids = await page.locator('nav [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!));
    expect(ids.length).toBeGreaterThanOrEqual(10);
    const overflows: string[] = [];
    for (const lang of ['zh', 'en'] as const) {
      const other = page.getByTestId('lang-switch');
      if ((await other.getAttribute('lang')) === lang) await other.click();
      await page.waitForFunction((l) => document.querySelector('agent-console')?.getAttribute('lang') === l, lang);
      const sizes = [{ width: 768, height: 1024 }, { width: 1366, height: 768 }, ...(lang === 'en' ? [{ width: 1024, height: 768 }, { width: 1280, height: 800 }] : [])];
      for (const size of sizes) {
        await page.setViewportSize(size);
        const folded = await page.getByTestId('nav-menu').isVisible();
        expect(folded, `menu button at ${size.width} px`).toBe(size.width <= 1180);
        // The tools (status, counters, switches, sign-out) never split over rows: one unit, in one row.
        const toolRows = await page.getByTestId('header-tools').evaluate((el) =>
          new Set(Array.from(el.children).filter((c) => (c as HTMLElement).offsetParent !== null).map((c) => Math.round(c.getBoundingClientRect().top + c.getBoundingClientRect().height / 2))).size,
        );
        expect(toolRows, `header tool rows at ${size.width} px in ${lang}`).toBe(1);
        for (const id of ids) {
          if (folded) await page.getByTestId('nav-menu').click();
          await page.getByTestId(id).click();
          // Let the screen load what it shows (lists, reports) before measuring.
          await page.waitForTimeout(300);
          const wide = await page.evaluate(() => {
            const el = document.scrollingElement!;
            return el.scrollWidth > el.clientWidth ? `${el.scrollWidth} > ${el.clientWidth}` : '';
          });
          if (wide) overflows.push(`${lang} ${size.width}x${size.height} ${id}: ${wide}`);
        }
      }
    }
    expect(overflows).toEqual([]);
    // Wide: the names in one row, never wrapped into a second one, in both languages.
    for (const [width, lang] of [[1280, 'en'], [1280, 'zh'], [1680, 'en'], [1680, 'zh']] as const) {
      await page.setViewportSize({ width, height: 900 });
      const other = page.getByTestId('lang-switch');
      if ((await other.getAttribute('lang')) === lang) await other.click();
      await page.waitForFunction((l) => document.querySelector('agent-console')?.getAttribute('lang') === l, lang);
      expect(await page.getByTestId('nav-menu').isVisible()).toBe(false);
      const tops = await page.locator('nav button').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
      expect(new Set(tops).size, `nav rows at ${width} px in ${lang}`).toBe(1);
    }
    // The folded menu, open, for a person to look at.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.getByTestId('nav-menu').click();
    await page.waitForFunction(() => document.fonts.status === 'loaded');
    await page.screenshot({ path: '/tmp/shots/console-menu-768.png' });
    await context.close();
  }, TIMEOUT);

  it('gives an open chat the phone screen (390x844): transcript at least half of it, queue and side panel a tap away, zh and en', async () => {
    const { url } = live.stack;
    await live.stack.createAgent({ username: 'phone', displayName: '手机客服' });
    const { page } = await newPage(live.browser, { width: 390, height: 844, mobile: true });
    await consoleLogin(page, url, 'phone', AGENT_PASSWORD);
    await setAgentStatus(page, url, 'away');
    try {
      // No chat yet: the queue is what the phone shows.
      expect(await page.getByTestId('phone-queue').getAttribute('aria-pressed')).toBe('true');
      const first = await visitorWaiting(live.browser, url, '手机上接入的会话 P-1');
      const second = await visitorWaiting(live.browser, url, '还在排队的会话 P-2');
      await page.getByTestId('queue-item').filter({ hasText: 'P-2' }).waitFor();
      await take(page, 'P-1');
      await agentSays(page, '您好，请问有什么可以帮您？');
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') {
          // The language switch is with the other tools, behind the menu on a phone.
          expect(await page.getByTestId('lang-switch').isVisible()).toBe(false);
          await page.getByTestId('nav-menu').click();
          await page.getByTestId('lang-switch').click();
          await page.waitForFunction(() => document.querySelector('agent-console')?.getAttribute('lang') === 'en');
          await page.getByTestId('nav-menu').click();
        }
        // Taking the chat turned the phone to it: the transcript and the composer take the screen.
        expect(await page.getByTestId('phone-chats').getAttribute('aria-pressed')).toBe('true');
        expect(await page.getByTestId('queue-item').first().isVisible()).toBe(false);
        expect(await page.getByTestId('consult-panel').isVisible()).toBe(false);
        await page.getByTestId('agent-input').waitFor({ state: 'visible' });
        const transcript = await page.locator('console-transcript').boundingBox();
        expect(transcript!.height, `transcript height in ${lang}`).toBeGreaterThanOrEqual(844 / 2);
        // The header is one row: the menu and the status; sign-out and the rest wait behind the menu.
        const header = await page.locator('header.top').boundingBox();
        expect(header!.height, `header height in ${lang}`).toBeLessThan(60);
        expect(await page.getByTestId('status-select').isVisible()).toBe(true);
        expect(await page.getByTestId('logout').isVisible()).toBe(false);
        expect(await overflow(), `overflow in ${lang}`).toBeLessThanOrEqual(0);
        await page.waitForFunction(() => document.fonts.status === 'loaded');
        await page.screenshot({ path: `/tmp/shots/console-phone-chat-${lang}.png` });

        // The side panel is a sheet behind the details button: consult, why handed off, the visitor, the history.
        const details = page.getByTestId('chat-details');
        expect(await details.innerText()).toBe(lang === 'zh' ? '详情' : 'Details');
        await details.click();
        expect(await details.getAttribute('aria-expanded')).toBe('true');
        await page.getByTestId('consult-panel').waitFor({ state: 'visible' });
        await page.getByTestId('visitor-context').scrollIntoViewIfNeeded();
        expect(await page.getByTestId('visitor-context').isVisible()).toBe(true);
        await page.getByTestId('customer-history').scrollIntoViewIfNeeded();
        expect(await page.getByTestId('customer-history').isVisible()).toBe(true);
        expect(await page.getByTestId('agent-input').isVisible()).toBe(false);
        expect(await overflow(), `overflow of the sheet in ${lang}`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `/tmp/shots/console-phone-details-${lang}.png` });
        // Escape (or the back button) closes it and gives the focus back to the details button.
        await page.keyboard.press('Escape');
        await expect.poll(() => details.evaluate((el) => el.matches(':focus'))).toBe(true);
        expect(await page.getByTestId('consult-panel').isVisible()).toBe(false);
        await details.click();
        await page.getByTestId('chat-details-close').click();
        await page.getByTestId('agent-input').waitFor({ state: 'visible' });

        // The queue is the other view: the waiting chat, taken from there; back to the chat.
        await page.getByTestId('phone-queue').click();
        await page.getByTestId('queue-item').filter({ hasText: 'P-2' }).waitFor({ state: 'visible' });
        expect(await page.getByTestId('agent-input').isVisible()).toBe(false);
        expect(await overflow(), `overflow of the queue in ${lang}`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `/tmp/shots/console-phone-queue-${lang}.png` });
        await page.getByTestId('phone-chats').click();
        await page.getByTestId('agent-input').waitFor({ state: 'visible' });
      }
      // The menu open: the screens' names in a column, then the tools, all within the width.
      await page.getByTestId('nav-menu').click();
      await page.getByTestId('logout').waitFor({ state: 'visible' });
      expect(await overflow()).toBeLessThanOrEqual(0);
      await page.screenshot({ path: '/tmp/shots/console-phone-menu-en.png' });
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('nav-menu').click();
      await Promise.all([first.context.close(), second.context.close()]);
    } finally {
      await setAgentStatus(page, url, 'offline');
    }
  }, TIMEOUT);
});
