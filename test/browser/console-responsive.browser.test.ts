// The admin console at tablet (768x1024) and laptop (1366x768) size, in Chinese and English, and at the mid widths
// where English ran out of room (1024, 1280): every screen, opened through the navigation (folded behind the menu
// button at 1180 px and below), has no sideways overflow; the header's tools stay together in one row; wider
// (1280, 1680 px) the names stand in one row, never wrapped, in both languages.
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ADMIN, browserSuite, consoleLogin, newPage, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';

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
});
