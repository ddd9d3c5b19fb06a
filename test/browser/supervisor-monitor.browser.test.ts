// The supervisors' monitor in a real Chromium: an admin keeps Monitor open while an agent takes a chat and
// goes online (the row updates live, no reload), then follows the chat read-only and sees the visitor's
// next message arrive; there is no composer and the visitor's page shows nothing of it.
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ADMIN, KEEP_PRESENCE, browserSuite, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentConsole, message, signedInConsole, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 90_000;

browserSuite('supervisors monitor in Chromium', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'alice', displayName: '客服小李', capacity: 4 }] });

  it('an admin watches an agent take a chat live, then follows the chat read-only', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const { page, seen } = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1360, height: 900 });
    // The admin watches; they are not here to get chats (online, an admin is offered every group's).
    await setAgentStatus(page, live.stack.url, 'away');
    const visitor = await visitorWaiting(live.browser, live.stack.url, '宽带一直掉线，号码13812345678');
    await page.getByTestId('nav-monitor').click();
    const row = page.locator(`[data-testid="monitor-agent-row"][data-agent-id="${live.agents.alice.id}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-status')).toBe('away');
    expect(await row.getAttribute('data-load')).toBe('0');
    await expect.poll(() => page.getByTestId('monitor-queue').textContent()).toMatch(/^\s*1/);

    // The agent takes the chat and goes online: the open monitor follows without a reload.
    await take(agent.page, '宽带一直掉线');
    await setAgentStatus(agent.page, live.stack.url, 'online');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('online');
    await expect.poll(() => row.getAttribute('data-load'), { timeout: 10_000 }).toBe('1');
    expect(await row.getByTestId('monitor-load').textContent()).toBe('1/4');

    const chat = page.getByTestId('monitor-chat').first();
    await chat.waitFor();
    // The preview is masked: the phone number is not on the supervisor's screen.
    expect(await chat.textContent()).toContain('138****5678');
    expect(await chat.textContent()).not.toContain('13812345678');
    await chat.click();
    const transcript = page.getByTestId('monitor-transcript');
    await message(page, 'visitor', '宽带一直掉线').first().waitFor();
    await page.getByTestId('monitor-readonly').waitFor();
    // Read-only: no composer anywhere on the page.
    expect(await page.getByTestId('agent-input').count()).toBe(0);
    expect(await page.getByTestId('agent-send').count()).toBe(0);

    // The visitor writes again; the agent answers: both appear live in the monitor.
    await visitor.page.getByTestId('input').fill('还是连不上，路由器灯一直闪');
    await visitor.page.getByTestId('send').click();
    await transcript.locator('[data-testid="message"][data-author="visitor"]', { hasText: '路由器灯一直闪' }).waitFor({ timeout: 10_000 });
    await agent.page.getByTestId('agent-input').fill('好的，我帮您远程重置一下端口。');
    await agent.page.getByTestId('agent-send').click();
    await transcript.locator('[data-testid="message"][data-author="agent"]', { hasText: '远程重置' }).waitFor({ timeout: 10_000 });

    // The visitor sees the agent's reply and nothing about the supervisor.
    await message(visitor.page, 'agent', '远程重置').waitFor();
    expect(await visitor.page.locator('body').innerText()).not.toMatch(/监控|monitor/i);

    mkdirSync('/tmp/shots', { recursive: true });
    await page.screenshot({ path: '/tmp/shots/monitor.png', fullPage: true });
    expect(seen.errors).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    await Promise.all([agent.context.close(), visitor.context.close()]);
  }, TIMEOUT);
});
