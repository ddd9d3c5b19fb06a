// The editor role and the audit log in a real Chromium: an admin creates an editor in the console's admin screen
// and sees it in the audit log there; the editor signs in and gets the content screens only (no chats, status,
// queue or admin), and the unanswered inbox answers them.
import { expect, it } from 'vitest';
import { postChat } from '../http-kit.ts';
import { ADMIN, browserSuite, useStackAndBrowser } from './browser-kit.ts';
import { signedInConsole } from './flows.ts';

const TIMEOUT = 90_000;
const EDITOR = { username: 'erin', password: 'erin-edits-the-faq' };

browserSuite('editor role and audit log in Chromium', () => {
  const live = useStackAndBrowser({ timeoutMs: TIMEOUT });

  it('an admin creates an editor and sees the row in the audit log; the editor sees only Unanswered and Drafts', async () => {
    // A question the bot cannot answer, for the editor's inbox.
    await postChat(live.stack.url, 'xyzzy qwerty plugh');

    const { page: admin, seen: adminSeen } = await signedInConsole(live.browser, live.stack.url, ADMIN, { width: 1280, height: 1000 });
    await admin.getByTestId('nav-admin').click();
    const form = admin.getByTestId('agent-create');
    await form.locator('input[name="username"]').fill(EDITOR.username);
    await form.locator('input[name="displayName"]').fill('Erin');
    await form.locator('input[name="password"]').fill(EDITOR.password);
    await admin.getByTestId('new-agent-role').selectOption('editor');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => admin.locator('td', { hasText: /^editor$/ }).count()).toBeGreaterThan(0);
    // The audit section loads when the screen opens: reopen it to see the new row.
    await admin.getByTestId('nav-chats').click();
    await admin.getByTestId('nav-admin').click();
    const created = admin.locator('[data-testid="audit-row"][data-action="agent.created"]');
    await expect.poll(() => created.count()).toBe(1);
    expect(await created.textContent()).toContain('"role":"editor"');
    expect(await created.textContent()).not.toContain(EDITOR.password);
    await admin.screenshot({ path: '/tmp/shots/admin-audit-log.png', fullPage: true });
    expect(adminSeen.errors).toEqual([]);

    const { page, seen } = await signedInConsole(live.browser, live.stack.url, EDITOR, { width: 1280, height: 900 });
    await page.getByTestId('editor-note').waitFor();
    const nav = await page.locator('nav [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(nav).toEqual(['nav-unanswered', 'nav-drafts']);
    expect(await page.getByTestId('status-select').count()).toBe(0);
    expect(await page.getByTestId('sound-toggle').count()).toBe(0);
    expect(await page.getByTestId('queue-item').count()).toBe(0);
    // The inbox is the first screen and shows the missed question.
    await page.locator('console-unanswered').getByText(/xyzzy/).first().waitFor();
    await page.getByTestId('nav-drafts').click();
    await page.locator('console-drafts').waitFor();

    await page.screenshot({ path: '/tmp/shots/editor-console.png', fullPage: true });

    // The admin disables the editor: with no live stream, the editor's console learns it from the next call's
    // 401 and goes back to the sign-in form instead of showing raw errors.
    const editorId = await page.evaluate(async () => ((await (await fetch('/api/agent/me')).json()) as { agent: { id: string } }).agent.id);
    const disabled = await admin.evaluate(async (id) => (await fetch(`/api/admin/agents/${id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }),
    })).status, editorId);
    expect(disabled).toBe(200);
    await page.getByTestId('nav-unanswered').click();
    await page.getByTestId('login-username').waitFor();
    expect(seen.errors).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
  }, TIMEOUT);
});
