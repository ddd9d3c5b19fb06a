// The agents' Visitors screen in Chromium: visitors on three pages are listed; the page search narrows the list to
// the matching one (title or path), the time-on-site filter to none (all just arrived), the source filter (from the
// tracker's referrer: a search engine, another site, direct) to those who came that way, and the filter holds
// across the 5 s refresh. A long page title is cut, whole on demand. The screen does not overflow sideways at 1440
// and 820 px (screenshots in /tmp/shots).
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { KEEP_PRESENCE, browserSuite, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentConsole } from './flows.ts';

const TIMEOUT = 90_000;
mkdirSync('/tmp/shots', { recursive: true });

browserSuite('visitor search and filters in Chromium', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'vera', displayName: '客服小维', capacity: 5 }] });

  it('searches pages and filters by time on site and by source', async () => {
    const longTitle = `5G 套餐 - 网上营业厅 ${'限时优惠'.repeat(30)}`;
    const pages = [
      ['/broadband/repair', '宽带报修 - 网上营业厅', 'https://www.baidu.com/s'],
      ['/bill/query', '话费查询 - 网上营业厅', 'https://weibo.com/u/1'],
      ['/5g/plans', longTitle, ''],
    ];
    for (const [path, title, referrer] of pages) {
      const res = await fetch(`${live.stack.url}/api/visitor/pageview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${live.stack.url}${path}`, title, referrer }),
      });
      expect(res.status).toBe(200);
    }
    const agent = await agentConsole(live.browser, live.stack.url, 'vera', 'away');
    const page = agent.page;
    await page.getByTestId('nav-visitors').click();
    await expect.poll(() => page.getByTestId('visitor-row').count(), { timeout: 15_000 }).toBe(3);

    await page.getByTestId('visitor-search').fill('宽带');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(1);
    expect(await page.getByTestId('visitor-row').innerText()).toContain('宽带报修');
    expect(await page.getByTestId('visitor-shown').innerText()).toContain('1 / 3');
    await page.getByTestId('visitor-search').fill('/bill');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(1);
    expect(await page.getByTestId('visitor-row').innerText()).toContain('话费查询');
    // A refresh (every 5 s) keeps the filter.
    await page.waitForTimeout(5_500);
    expect(await page.getByTestId('visitor-row').count()).toBe(1);

    await page.getByTestId('visitor-search').fill('');
    await page.getByTestId('visitor-min-online').selectOption('5');
    await page.getByTestId('visitor-no-match').waitFor();
    await page.getByTestId('visitor-min-online').selectOption('0');
    await page.getByTestId('visitor-state').selectOption('idle');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(3);

    // Where they came from: each row says it, and the menu lists the kinds and the engines and sites seen.
    expect(await page.getByTestId('visitor-row').filter({ hasText: '宽带报修' }).getByTestId('visitor-source-tag').innerText()).toContain('百度');
    await page.getByTestId('visitor-source').selectOption('search');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(1);
    expect(await page.getByTestId('visitor-row').innerText()).toContain('宽带报修');
    await page.getByTestId('visitor-source').selectOption('site:weibo.com');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(1);
    expect(await page.getByTestId('visitor-row').innerText()).toContain('话费查询');
    await page.getByTestId('visitor-source').selectOption('direct');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(1);
    // The long title is cut in the list; the whole of it is a click away.
    const row = page.getByTestId('visitor-row');
    expect(await row.innerText()).not.toContain(longTitle);
    await row.getByTestId('clip-toggle').first().click();
    expect(await row.innerText()).toContain(longTitle);
    await page.getByTestId('visitor-source').selectOption('');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(3);

    await page.waitForFunction(() => document.fonts.status === 'loaded');
    for (const width of [1440, 820]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
      await page.screenshot({ path: `/tmp/shots/visitors-${width}.png`, fullPage: true });
    }
    await setAgentStatus(page, live.stack.url, 'offline');
  }, TIMEOUT);
});
