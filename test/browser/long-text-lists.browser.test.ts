// Long text in the admin's other lists is cut as the Messages list cuts it (issue 17): a spam question in the
// unanswered inbox, and an audit row naming many erased chats; each shows whole on demand and folds again, and a
// short one shows whole with no button. (The visitors list's long titles: visitor-filter.browser.test.ts.)
import { expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { overFetch, startChat } from '../http-kit.ts';
import { ADMIN, browserSuite, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { signedInConsole } from './flows.ts';

const TIMEOUT = 90_000;

/** The cut text shows without its end; the button shows it whole and folds it again. */
async function cutThenWhole(item: Locator, end: string): Promise<void> {
  expect(await item.innerText()).not.toContain(end);
  const toggle = item.getByTestId('clip-toggle').first();
  expect(await toggle.getAttribute('aria-expanded')).toBe('false');
  await toggle.click();
  await expect.poll(() => item.innerText()).toContain(end);
  await toggle.click();
  await expect.poll(() => item.innerText()).not.toContain(end);
}

browserSuite('long text in the admin lists', () => {
  const live = useStackAndBrowser({ timeoutMs: TIMEOUT });

  it('cuts a spam question in the unanswered inbox and a long audit row, whole on demand', async () => {
    const base = live.stack.url;
    const spam = `加微信领流量 ${'点击链接领取免费流量 '.repeat(60)}END-OF-SPAM`;
    const spamChat = await startChat(overFetch(base), spam);
    const shortChat = await startChat(overFetch(base), '火星上能办宽带吗');
    const { page, seen } = await signedInConsole(live.browser, base, ADMIN, { width: 1280, height: 900 });
    await setAgentStatus(page, base, 'offline');

    await page.getByTestId('nav-unanswered').click();
    const long = page.getByTestId('unanswered-group').filter({ hasText: '加微信领流量' });
    await long.waitFor();
    await cutThenWhole(long.locator('.head'), 'END-OF-SPAM');
    const short = page.getByTestId('unanswered-group').filter({ hasText: '火星上能办宽带吗' });
    expect(await short.getByTestId('clip-toggle').count()).toBe(0);

    // Erasing several chats at once writes an audit row naming each: cut in the log, whole on demand.
    const ids = [spamChat.id, shortChat.id];
    for (let i = 0; i < 4; i++) ids.push((await startChat(overFetch(base), `你好 ${i}`)).id);
    expect((await live.stack.admin('DELETE', `/api/admin/visitors/${ids.join(',')}/transcripts`)).deleted).toBeTruthy();
    await page.getByTestId('nav-admin').click();
    const row = page.getByTestId('audit-row').filter({ hasText: ids[0]!.slice(0, 8) }).first();
    await row.waitFor();
    await cutThenWhole(row.getByTestId('audit-sentence'), ids.at(-1)!);
    expect(seen.errors).toEqual([]);
  }, TIMEOUT);
});
