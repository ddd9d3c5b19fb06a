// A long spam message left for agents is cut in the Messages list (the list stays readable) with a button that shows
// the whole text and folds it again; a short message is shown whole, with no button.
import { expect, it } from 'vitest';
import { overFetch, startChat } from '../http-kit.ts';
import { ADMIN, browserSuite, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { signedInConsole } from './flows.ts';

const TIMEOUT = 90_000;

async function leaveMessage(base: string, text: string): Promise<void> {
  const chat = await startChat(overFetch(base), '你好');
  const res = await fetch(`${base}/api/conversations/${chat.id}/ticket`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${chat.token}` },
    body: JSON.stringify({ contact: '13800000000', text }),
  });
  expect(res.status).toBe(201);
}

browserSuite('long messages in the Messages list', () => {
  const live = useStackAndBrowser({ timeoutMs: TIMEOUT });

  it('cuts a long message with a show-all button and shows a short one whole', async () => {
    const spam = `加微信领流量 ${'点击链接领取免费流量 '.repeat(80)}END-OF-SPAM`;
    await leaveMessage(live.stack.url, spam);
    await leaveMessage(live.stack.url, '宽带什么时候修好？');
    const { page } = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1280, height: 900 });
    await setAgentStatus(page, live.stack.url, 'offline');
    await page.getByTestId('nav-tickets').click();
    const long = page.getByTestId('ticket').filter({ hasText: '加微信领流量' });
    await long.waitFor();
    const text = long.getByTestId('ticket-text');
    expect(await text.innerText()).not.toContain('END-OF-SPAM');
    expect((await text.innerText()).length).toBeLessThan(300);
    const button = long.getByTestId('ticket-show-all');
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await button.click();
    await expect.poll(() => text.innerText()).toContain('END-OF-SPAM');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    await button.click();
    await expect.poll(() => text.innerText()).not.toContain('END-OF-SPAM');
    const short = page.getByTestId('ticket').filter({ hasText: '宽带什么时候修好' });
    expect(await short.getByTestId('ticket-show-all').count()).toBe(0);
  }, TIMEOUT);
});
