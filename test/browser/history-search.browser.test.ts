// The console's history search in a real browser: each result shows its date in the console's time format (always with
// the date), the agent who served the chat by name (from the server: here an account since disabled, which the
// console's own colleague list no longer names) and opens the chat read-only, in Chinese and English.
import { expect, it } from 'vitest';
import { ADMIN, browserSuite, KEEP_PRESENCE, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentConsole, agentSays, message, signedInConsole, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 180_000;
const CLEAN = { errors: [], dialogs: [], cspViolations: [] };

browserSuite('history search results', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'xiaozhao', displayName: '客服小赵' }] });

  it('show date, agent and a way to open the chat read-only', async () => {
    const { url } = live.stack;
    const agent = await agentConsole(live.browser, url, 'xiaozhao', 'away');
    const visitor = await visitorWaiting(live.browser, url, '宽带报修单号 QX7781 一直没人处理');
    try {
      await take(agent.page, 'QX7781');
      await agentSays(agent.page, '您好，报修单 QX7781 已经派给师傅了');
      await message(visitor.page, 'agent', '派给师傅').waitFor();
      await agent.page.getByTestId('close').click();
      await agent.page.getByTestId('chat-ended').waitFor();
    } finally {
      await setAgentStatus(agent.page, url, 'offline');
      await Promise.all([agent.context.close(), visitor.context.close()]);
    }
    // The agent leaves: disabled, they are no colleague any more, so only the search itself can still name them.
    await live.stack.admin('PATCH', `/api/admin/agents/${live.agents.xiaozhao.id}`, { disabled: true });

    const admin = await signedInConsole(live.browser, url, ADMIN, { width: 1280, height: 800 });
    const page = admin.page;
    try {
      await setAgentStatus(page, url, 'offline');
      await page.getByTestId('nav-history').click();
      await page.getByTestId('search-input').fill('QX7781');
      // The index may take a moment to hold the new messages: search again until both are found.
      await expect
        .poll(async () => {
          await page.getByTestId('search-submit').click();
          await page.waitForTimeout(200);
          return page.getByTestId('search-result').count();
        }, { timeout: 20_000 })
        .toBe(2);
      const results = page.getByTestId('search-result');
      const visitorHit = results.filter({ hasText: '一直没人处理' });
      // The date in full, in the console's one format (YYYY-MM-DD HH:MM, the browser's time zone) and its instant.
      const date = visitorHit.getByTestId('search-result-date');
      expect(await date.innerText()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      const instant = await date.getAttribute('datetime');
      expect(await date.innerText()).toBe(
        await page.evaluate((iso) => {
          const d = new Date(iso!);
          const p = (n: number) => String(n).padStart(2, '0');
          return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
        }, instant),
      );
      // The agent by display name, never an id, and the chat's status; who wrote the line found before it.
      expect(await visitorHit.getByTestId('search-result-agent').innerText()).toBe('客服：客服小赵');
      const meta = await visitorHit.getByTestId('search-result-meta').innerText();
      expect(meta).toContain('已结束');
      expect(await visitorHit.getByTestId('search-result-author').innerText()).toBe('访客:');
      expect(meta).not.toContain(live.agents.xiaozhao.id);
      expect(await visitorHit.getByTestId('search-result-open').innerText()).toContain('查看会话');

      // Opening it: the whole chat, read-only (no composer, nothing to send), with when and who; back to the results.
      await visitorHit.click();
      const opened = page.getByTestId('history-opened');
      await opened.waitFor();
      expect(await page.getByTestId('history-readonly').innerText()).toBe('只读');
      expect(await opened.innerText()).toContain('客服：客服小赵');
      expect(await opened.innerText()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      await message(page, 'visitor', '一直没人处理').waitFor();
      // The transcript names the agent too, though the console's colleague list no longer does.
      expect(await message(page, 'agent', '派给师傅').innerText()).toContain('客服小赵');
      expect(await page.getByTestId('agent-input').count()).toBe(0);
      expect(await page.getByTestId('history-back').evaluate((el) => el.matches(':focus'))).toBe(true);
      await page.screenshot({ path: '/tmp/shots/history-opened-zh.png' });
      await page.getByTestId('history-back').click();
      await results.first().waitFor();

      // English: the same words in the other table.
      await page.getByTestId('lang-switch').click();
      await page.waitForFunction(() => document.querySelector('agent-console')?.getAttribute('lang') === 'en');
      expect(await visitorHit.getByTestId('search-result-agent').innerText()).toBe('Agent: 客服小赵');
      expect(await visitorHit.getByTestId('search-result-open').innerText()).toContain('Open chat');
      expect(await visitorHit.getByTestId('search-result-meta').innerText()).toContain('Closed');
      expect(await visitorHit.getByTestId('search-result-author').innerText()).toBe('Visitor:');
      await page.screenshot({ path: '/tmp/shots/history-results-en.png' });
      await visitorHit.click();
      expect(await page.getByTestId('history-readonly').innerText()).toBe('Read-only');
      await page.getByTestId('history-back').click();
      await page.getByTestId('lang-switch').click();
      expect(admin.seen).toEqual(CLEAN);
    } finally {
      await admin.context.close();
    }
  }, TIMEOUT);
});
