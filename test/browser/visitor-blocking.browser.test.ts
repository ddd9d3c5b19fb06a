// Visitor blocking end to end in a real Chromium: an agent blocks a visitor by visitor id, the visitor's next
// message meets the calm notice, the toolbar counter counts the refusal, an admin lifts the block and the
// visitor chats again in a new conversation.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ADMIN, KEEP_PRESENCE, browserSuite, useStackAndBrowser, type Watched } from './browser-kit.ts';
import { agentConsole, conversationIdOf, message, signedInConsole, take, visitorIdOf, visitorWaiting } from './flows.ts';

const TIMEOUT = 120_000;
const CLEAN: Watched = { errors: [], dialogs: [], cspViolations: [] };
/** Where the dialog and the counter are photographed for a person to look at. */
const SHOTS = '/tmp/shots';
mkdirSync(SHOTS, { recursive: true });

/** The number in "已阻止 N" after asking the server again (pressing the counter refreshes it). */
async function counterValue(page: Page): Promise<number> {
  const counter = page.getByTestId('blocked-counter');
  await counter.click();
  const m = /(\d+)/.exec(await counter.innerText());
  return m ? Number(m[1]) : -1;
}

browserSuite('visitor blocking in Chromium', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'alice', displayName: '客服小李', capacity: 10 }] });

  it('an agent blocks a visitor by visitor id; the visitor is refused calmly, counted, and back after an admin lifts it', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const visitor = await visitorWaiting(live.browser, live.stack.url, '你们就是骗子！订单号 K-4004');
    const visitorId = await visitorIdOf(visitor.page);
    expect(visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const firstConversation = await conversationIdOf(visitor.page);
    await take(agent.page, '订单号 K-4004');

    // The counter is in the toolbar from sign-in on, at 0 on a fresh server.
    const counter = agent.page.getByTestId('blocked-counter');
    await expect.poll(() => counter.innerText()).toMatch(/已阻止\s*0/);

    // Keyboard: the block button opens the dialog with focus inside it; the visitor id is chosen and shown.
    const blockButton = agent.page.getByTestId('block-visitor');
    await blockButton.focus();
    await agent.page.keyboard.press('Enter');
    const dialog = agent.page.getByTestId('block-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await agent.page.getByTestId('block-by-visitor').isChecked()).toBe(true);
    await expect.poll(() => dialog.innerText()).toContain(visitorId!);
    expect(await agent.page.getByTestId('block-duration').inputValue()).toBe('24');
    // Escape closes it without blocking; it opens again with the same choices.
    await agent.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await blockButton.click();
    await dialog.waitFor({ state: 'visible' });
    await agent.page.getByTestId('block-reason').fill('辱骂客服');
    await agent.page.getByTestId('block-duration').selectOption('');
    await agent.page.screenshot({ path: `${SHOTS}/block-dialog.png` });
    await agent.page.getByTestId('block-confirm').click();
    await dialog.waitFor({ state: 'hidden' });

    // The chat shows as ended, and the block is stored by visitor id, until lifted.
    await agent.page.getByTestId('chat-ended').filter({ hasText: '访客已被阻止' }).waitFor();
    expect(await agent.page.getByTestId('block-visitor').count()).toBe(0);
    // Focus lands on the ended bar's button, not on the page (the block button is gone).
    await expect
      .poll(() => agent.page.getByTestId('dismiss').evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el))
      .toBe(true);
    const { blocks } = await live.stack.admin('GET', '/api/admin/blocks');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ by: 'visitor', value: visitorId, reason: '辱骂客服', active: true, expiresAt: null });

    // The visitor's next message is refused: the calm notice, input and send disabled.
    const input = visitor.page.getByTestId('input');
    if (await input.isEnabled()) {
      await input.fill('还在吗？');
      await visitor.page.getByTestId('send').click();
    }
    const notice = visitor.page.getByTestId('blocked-notice');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.innerText()).toContain('10010');
    expect(await input.isDisabled()).toBe(true);
    expect(await visitor.page.getByTestId('send').isDisabled()).toBe(true);
    expect(await visitor.page.getByTestId('retry').count()).toBe(0);
    await visitor.page.screenshot({ path: `${SHOTS}/visitor-blocked.png` });

    // The refusal counts: the counter shows it (pressing it asks now instead of waiting for the 30 s poll).
    await expect.poll(() => counterValue(agent.page), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await counter.getAttribute('title')).toMatch(/今日已拒绝 \d+ 次访问，生效中的阻止 1 条/);
    await agent.page.locator('header.top').screenshot({ path: `${SHOTS}/blocked-counter.png` });

    // An admin lifts it in the admin screen.
    const { context: adminContext, page: admin, seen: adminSeen } = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1440, height: 900 });
    await admin.getByTestId('nav-admin').click();
    const row = admin.getByTestId('block-row').filter({ hasText: visitorId! });
    await row.waitFor();
    expect(await row.getAttribute('data-active')).toBe('true');
    expect(await row.innerText()).toContain('客服小李');
    await admin.getByTestId('blocks').screenshot({ path: `${SHOTS}/blocks-admin.png` });
    await row.getByTestId('block-lift').click();
    await expect.poll(() => row.getAttribute('data-active')).toBe('false');
    expect(await row.getByTestId('block-lift').count()).toBe(0);
    // The same in English (the console's language switch).
    await admin.getByTestId('lang-switch').click();
    await admin.getByTestId('blocks').filter({ hasText: 'Blocked visitors' }).waitFor();
    expect(await row.innerText()).toContain('Lifted');
    await admin.getByTestId('blocks').screenshot({ path: `${SHOTS}/blocks-admin-lifted-en.png` });
    await agent.page.getByTestId('lang-switch').click();
    await expect.poll(() => counter.innerText()).toMatch(/^Blocked \d+$/);
    // The lift happened in another browser: the agent's counter learns it on its next poll (pressed here).
    await expect
      .poll(async () => (await counterValue(agent.page), await counter.getAttribute('title')))
      .toMatch(/^\d+ attempts? refused today, 0 active blocks$/);

    // The visitor comes back (a reload) and chats again: a new conversation, the same visitor id.
    await visitor.page.reload();
    if (!(await visitor.page.getByTestId('input').isVisible())) await visitor.page.getByTestId('launcher').click();
    await visitor.page.getByTestId('input').fill('宽带怎么办理');
    await visitor.page.getByTestId('send').click();
    await message(visitor.page, 'visitor', '宽带怎么办理').waitFor();
    await message(visitor.page, 'bot', /./).last().waitFor();
    expect(await visitor.page.getByTestId('blocked-notice').count()).toBe(0);
    const secondConversation = await conversationIdOf(visitor.page);
    expect(secondConversation).not.toBe(firstConversation);
    expect(await visitorIdOf(visitor.page)).toBe(visitorId);
    const view = await live.stack.admin('GET', `/api/agent/conversations/${secondConversation}`);
    expect(view.visitor.visitorId).toBe(visitorId);

    expect(visitor.seen).toEqual(CLEAN);
    expect(agent.seen).toEqual(CLEAN);
    expect(adminSeen).toEqual(CLEAN);
    await Promise.all([visitor.context.close(), agent.context.close(), adminContext.close()]);
  }, TIMEOUT);
});
