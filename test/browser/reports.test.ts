// The supervisors' dashboard in a real Chromium: an admin opens Reports and sees the tiles, the by-hour and
// handoff-reason charts drawn from what was just seeded, and a CSV link that downloads the same figures.
import { expect, it } from 'vitest';
import { postChat } from '../http-kit.ts';
import { ADMIN, KEEP_PRESENCE, browserSuite, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentConsole, signedInConsole, visitorWaiting } from './flows.ts';

const TIMEOUT = 90_000;

browserSuite('reports dashboard in Chromium', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'alice', displayName: '客服小李', capacity: 10 }] });

  it('an admin opens Reports and sees the tiles and the charts; the CSV link downloads the figures', async () => {
    // Seed: bot-only chats over HTTP, and one visitor asking for a person while alice is present.
    for (const text of ['怎么用短信充值', 'xyzzy qwerty plugh', '宽带怎么报修']) {
      await postChat(live.stack.url, text);
    }
    const alice = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    await visitorWaiting(live.browser, live.stack.url, '话费多扣了');

    const { page, seen } = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1280, height: 1000 });
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('reports').waitFor();
    await expect.poll(() => page.getByTestId('report-tile').count()).toBe(7);
    // Conversations: the 3 bot chats and the visitor's.
    await expect.poll(() => page.getByTestId('report-tile').first().textContent()).toContain('4');
    await page.getByTestId('report-hours').waitFor();
    expect(await page.locator('[data-testid="report-hours"] rect.bar').count()).toBe(24);
    await page.getByTestId('report-reasons').waitFor();
    // One handoff: the bot may queue "话费多扣了" itself (needs an agent) before the button would; either way one bar, labelled in words.
    expect(await page.locator('[data-testid="report-reasons"] rect.bar').count()).toBe(1);
    expect(await page.locator('[data-testid="report-reasons"]').textContent()).toMatch(/需人工办理|访客要求人工/);

    const href = await page.getByTestId('report-csv').getAttribute('href');
    expect(href).toMatch(/^\/api\/admin\/reports\.csv\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    const csv = await page.request.get(`${live.stack.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename="report-/);
    expect(await csv.text()).toContain('conversations,4');

    // Visitors: the widget's chat came from Chromium (a browser and a system by name), the bot chats from Node's
    // fetch (no browser: unknown); none had a referrer, so every source is direct.
    await page.getByTestId('report-browsers').waitFor();
    expect(await page.getByTestId('report-browsers').textContent()).toMatch(/Chrom/);
    expect(await page.getByTestId('report-browsers').textContent()).toContain('未知');
    expect(await page.getByTestId('report-systems').locator('tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('report-sources').textContent()).toContain('直接访问');

    await page.screenshot({ path: '/tmp/shots/reports.png', fullPage: true });
    for (const width of [1440, 820]) {
      await page.setViewportSize({ width, height: 1000 });
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
      await page.screenshot({ path: `/tmp/shots/reports-${width}.png`, fullPage: true });
    }
    expect(seen.errors).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    // Offline again: a present admin or agent would be given the next tests' chats.
    await setAgentStatus(page, live.stack.url, 'offline');
    await setAgentStatus(alice.page, live.stack.url, 'offline');
    await alice.context.close();
  }, TIMEOUT);
});
