// The admin screen in Chromium: an agent's groups are ticked from the groups that exist (no typed ids), when the agent
// is created and when edited, and what was ticked is what the server stores; the audit log says each change in words
// with display names, refreshed as the change is made.
import { expect, it } from 'vitest';
import { ADMIN, browserSuite, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { signedInConsole } from './flows.ts';

const TIMEOUT = 90_000;

browserSuite('group picker in the admin screen', () => {
  const live = useStackAndBrowser({ timeoutMs: TIMEOUT });

  it('creates and edits an agent with groups picked from the list', async () => {
    const { page, seen } = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1280, height: 1000 });
    await setAgentStatus(page, live.stack.url, 'offline');
    await page.getByTestId('nav-admin').click();
    const form = page.getByTestId('agent-create');
    const boxes = form.getByTestId('agent-groups').locator('input[type="checkbox"]');
    await expect.poll(() => boxes.count()).toBeGreaterThanOrEqual(2);
    // Every choice is labelled with a group's name, not only its id.
    const groups = (await page.evaluate(async () => (await (await fetch('/api/admin/groups')).json()) as { groups: Array<{ id: string; name: string }> })).groups;
    expect(await form.getByTestId('agent-groups').getByText(groups[0]!.name, { exact: true }).count()).toBeGreaterThan(0);
    const picked = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')];
    await form.locator('input[name="username"]').fill('gina');
    await form.locator('input[name="displayName"]').fill('Gina');
    await form.locator('input[name="password"]').fill('gina-password-123');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await form.locator('button[type="submit"]').click();
    const stored = async () =>
      ((await page.evaluate(async () => (await (await fetch('/api/admin/agents')).json()) as { agents: Array<{ username: string; groups: string[] }> }))
        .agents.find((a) => a.username === 'gina')?.groups ?? null);
    await expect.poll(stored).toEqual(picked);
    // The audit log says it in words, with display names, at once (no reopening of the screen).
    const sentences = page.getByTestId('audit-sentence');
    await expect.poll(() => sentences.first().innerText()).toContain('值班经理 创建了账号 Gina');

    // Edit: the ticks show the stored groups; untick the first and save.
    const row = page.getByTestId('admin-agent').filter({ hasText: 'gina' });
    await row.getByRole('button', { name: /编辑|Edit/ }).click();
    const editBoxes = page.getByTestId('agent-save').locator('xpath=..').getByTestId('agent-groups').locator('input[type="checkbox"]');
    expect(await editBoxes.nth(0).isChecked()).toBe(true);
    expect(await editBoxes.nth(1).isChecked()).toBe(true);
    await editBoxes.nth(0).uncheck();
    await page.getByTestId('agent-save').click();
    await expect.poll(stored).toEqual([picked[1]]);
    await expect.poll(() => sentences.first().innerText()).toContain('值班经理 修改了 Gina 的资料');
    expect(await page.locator('console-audit').innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await page.screenshot({ path: '/tmp/shots/admin-audit-words.png', fullPage: true });
    expect(seen.errors).toEqual([]);
  }, TIMEOUT);
});
