// The invitation in the browser (real Chromium, real server): the visitor on the demo page is listed in the agent's
// Visitors screen with the page; the agent invites, the bubble appears, dismissing hides it; a second invitation
// accepted opens the chat with the invitation as the first line and the visitor's first message reaches that
// agent; an admin's automatic rule with a short dwell fires on a matching page.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { KEEP_PRESENCE, browserSuite, newPage, useStackAndBrowser, watch } from './browser-kit.ts';
import { agentConsole, message } from './flows.ts';

const TIMEOUT = 120_000;
const SHOTS = '/tmp/shots';
mkdirSync(SHOTS, { recursive: true });

/** The agent's Visitors screen, waiting for a row whose page is the demo hall. */
async function visitorsScreen(agent: Page): Promise<void> {
  await agent.getByTestId('nav-visitors').click();
  // Polled every 5 s: the visitor's first report lands within one poll.
  await agent.getByTestId('visitor-row').first().waitFor({ timeout: 15_000 });
}

async function invite(agent: Page, text: string): Promise<void> {
  const row = agent.getByTestId('visitor-row').first();
  await row.getByTestId('visitor-invite').click();
  await row.getByTestId('visitor-invite-text').fill(text);
  await row.getByTestId('visitor-invite-send').click();
}

browserSuite('the invitation in the browser', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'alice', displayName: '客服小李', capacity: 5 }] });

  it('an agent sees the visitor, invites; dismissing hides the bubble; an accepted invitation opens the chat with that agent', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'online');
    const { page: visitor } = await newPage(live.browser, { width: 1280, height: 800 });
    const seen = watch(visitor);
    await visitor.goto(`${live.stack.url}/?order=K-7788#top`);
    const title = await visitor.title();

    await visitorsScreen(agent.page);
    const row = agent.page.getByTestId('visitor-row').first();
    await expect.poll(() => row.innerText()).toContain(title);
    // The query string (personal data) never reaches the console.
    expect(await agent.page.getByTestId('visitor-path').first().innerText()).toBe('/');
    expect(await agent.page.locator('console-visitors').innerText()).not.toContain('K-7788');

    await invite(agent.page, '您好，看宽带套餐吗？我可以帮您');
    const bubble = visitor.getByTestId('invitation');
    await bubble.waitFor({ timeout: 15_000 });
    await expect.poll(() => bubble.innerText()).toContain('您好，看宽带套餐吗？我可以帮您');
    expect(await bubble.innerText()).toContain('客服小李');
    await visitor.waitForFunction(() => document.fonts.status === 'loaded');
    await visitor.screenshot({ path: `${SHOTS}/invitation.png` });
    // Escape dismisses (keyboard users), like the × button.
    await bubble.getByTestId('invitation-accept').focus();
    await visitor.keyboard.press('Escape');
    await bubble.waitFor({ state: 'hidden' });

    await invite(agent.page, '还在吗？可以直接和我聊');
    await bubble.waitFor({ timeout: 15_000 });
    await agent.page.getByTestId('visitor-row').first().getByRole('button', { name: /浏览轨迹/ }).click();
    await agent.page.getByTestId('visitor-trail').waitFor();
    await agent.page.screenshot({ path: `${SHOTS}/visitors.png` });
    await bubble.getByTestId('invitation-accept').click();
    await visitor.getByTestId('input').waitFor();
    // The invitation is the chat's first line, from the agent.
    await message(visitor, 'agent', '还在吗？可以直接和我聊').waitFor();
    await visitor.getByTestId('input').fill('我想办个宽带，订单号 K-7788');
    await visitor.getByTestId('send').click();
    await message(visitor, 'visitor', '我想办个宽带').waitFor();

    // Straight to the inviting agent (online with room): the chat is theirs, no queue, no bot answer.
    await agent.page.getByTestId('nav-chats').click();
    await message(agent.page, 'visitor', '我想办个宽带').first().waitFor({ timeout: 15_000 });
    expect(await visitor.locator('[data-testid="message"][data-author="bot"]').count()).toBe(0);
    expect(seen.errors).toEqual([]);
  }, TIMEOUT);

  it('an automatic rule with a short dwell fires on a matching page', async () => {
    await live.stack.admin('PUT', '/api/admin/invitation-rules', {
      rules: [{ urlPattern: '/**', dwellSeconds: 5, text: { zh: '需要帮您选套餐吗？', en: 'Need help choosing a plan?' }, enabled: true }],
    });
    const { page: visitor } = await newPage(live.browser, { width: 1280, height: 800 });
    await visitor.goto(`${live.stack.url}/`);
    const bubble = visitor.getByTestId('invitation');
    await bubble.waitFor({ timeout: 20_000 });
    expect(await bubble.innerText()).toContain('需要帮您选套餐吗？');
    await bubble.getByTestId('invitation-dismiss').click();
    await bubble.waitFor({ state: 'hidden' });
  }, TIMEOUT);
});
