// Both faces together in a real Chromium: an agent takes a waiting chat and replies live, transfers it, closes it
// (the visitor rates), and markup typed on either side stays text.
import { expect, it } from 'vitest';
import { ADMIN, KEEP_PRESENCE, browserSuite, consoleLogin, deepCount, newPage, setAgentStatus, useStackAndBrowser, watch, type Watched } from './browser-kit.ts';
import { agentConsole, agentSays, conversationIdOf, message, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 90_000;
const CLEAN: Watched = { errors: [], dialogs: [], cspViolations: [] };

browserSuite('agent console and widget together in Chromium', () => {
  const live = useStackAndBrowser({
    env: KEEP_PRESENCE,
    timeoutMs: TIMEOUT,
    agents: [
      { username: 'alice', displayName: '客服小李', capacity: 10 },
      { username: 'bob', displayName: '客服小赵', capacity: 10 },
    ],
  });

  it('an agent signs in, takes the waiting chat and replies; the visitor sees it live with the agent\'s name', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const visitor = await visitorWaiting(live.browser, live.stack.url, '宽带一直掉线，订单号 A-1001');
    await take(agent.page, '订单号 A-1001');

    await agentSays(agent.page, '您好，我是客服小李，正在为您查询。');
    const reply = message(visitor.page, 'agent', '正在为您查询');
    await reply.waitFor();
    await visitor.page.getByText('客服小李').first().waitFor();
    // The queue notice is gone once a person has the chat.
    await visitor.page.getByTestId('queue-status').waitFor({ state: 'hidden' });

    // And back: the visitor's answer reaches the console live.
    await visitor.page.getByTestId('input').fill('好的，谢谢');
    await visitor.page.getByTestId('send').click();
    await message(agent.page, 'visitor', '好的，谢谢').waitFor();

    expect(visitor.seen).toEqual(CLEAN);
    expect(agent.seen).toEqual(CLEAN);
    await Promise.all([visitor.context.close(), agent.context.close()]);
  }, TIMEOUT);

  it('sends an agent reply again after a lost response: one clientMessageId, shown and stored once', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const visitor = await visitorWaiting(live.browser, live.stack.url, '话费扣错了，订单号 R-2002');
    await take(agent.page, '订单号 R-2002');

    // The first POST reaches the server (stored) but its response is lost; the console tries again by itself.
    const ids: unknown[] = [];
    await agent.page.route(/\/api\/agent\/conversations\/[^/]+\/messages$/, async (route) => {
      ids.push((route.request().postDataJSON() as { clientMessageId?: unknown }).clientMessageId);
      if (ids.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await agentSays(agent.page, '已为您核实，正在退款。');
    await expect.poll(() => ids.length, { timeout: 10_000 }).toBe(2);
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(ids[1]).toBe(ids[0]);
    await message(visitor.page, 'agent', '正在退款').waitFor();
    // Sent: the box is empty, no error, and the reply is there once on both sides and in the store.
    await expect.poll(() => agent.page.getByTestId('agent-input').inputValue()).toBe('');
    expect(await message(agent.page, 'agent', '正在退款').count()).toBe(1);
    expect(await message(visitor.page, 'agent', '正在退款').count()).toBe(1);
    const id = await conversationIdOf(visitor.page);
    const view = await live.stack.admin('GET', `/api/agent/conversations/${id}`);
    const texts = JSON.stringify(view).match(/已为您核实，正在退款。/g) ?? [];
    expect(texts).toHaveLength(1);
    expect(agent.seen).toEqual(CLEAN);
    await Promise.all([visitor.context.close(), agent.context.close()]);
  }, TIMEOUT);

  it('transfers a chat to a colleague, who carries on with the visitor', async () => {
    const alice = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const visitor = await visitorWaiting(live.browser, live.stack.url, '发票抬头开错了，订单号 B-2002');
    await take(alice.page, '订单号 B-2002');
    const bobConsole = await agentConsole(live.browser, live.stack.url, 'bob', 'online');

    await alice.page.getByTestId('transfer-button').click();
    await alice.page.getByTestId('transfer-dialog').waitFor({ state: 'visible' });
    await alice.page.getByTestId('transfer-to-agent').check();
    // The list shows colleagues online; bob's console connected just now.
    await expect.poll(() => alice.page.locator(`[data-testid="transfer-agent"] option[value="${live.agents.bob.id}"]`).count()).toBe(1);
    await alice.page.getByTestId('transfer-agent').selectOption(live.agents.bob.id);
    await alice.page.getByTestId('transfer-note').fill('发票抬头问题，请跟进');
    await alice.page.getByTestId('transfer-submit').click();
    await alice.page.getByTestId('transfer-dialog').waitFor({ state: 'hidden' });

    // Bob has the chat, with what the visitor said before.
    await message(bobConsole.page, 'visitor', '订单号 B-2002').first().waitFor();
    await agentSays(bobConsole.page, '您好，我是客服小赵，发票问题由我继续处理。');
    await message(visitor.page, 'agent', '发票问题由我继续处理').waitFor();
    await visitor.page.getByText('客服小赵').first().waitFor();

    await bobConsole.page.getByTestId('close').click();
    await visitor.page.getByTestId('rating').waitFor({ state: 'visible' });
    await setAgentStatus(bobConsole.page, live.stack.url, 'offline');
    expect(alice.seen).toEqual(CLEAN);
    expect(bobConsole.seen).toEqual(CLEAN);
    expect(visitor.seen).toEqual(CLEAN);
    await Promise.all([visitor.context.close(), alice.context.close(), bobConsole.context.close()]);
  }, TIMEOUT);

  it('closes the chat; the visitor rates it and the rating is stored', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const visitor = await visitorWaiting(live.browser, live.stack.url, '话费多扣了，订单号 C-3003');
    await take(agent.page, '订单号 C-3003');
    await agentSays(agent.page, '已为您退回多扣的话费。');
    await message(visitor.page, 'agent', '已为您退回').waitFor();

    const id = await conversationIdOf(visitor.page);
    // The visitor was answered: one click closes (no dialog; outside end-to-end tests rely on it).
    await agent.page.getByTestId('close').click();
    const rating = visitor.page.getByTestId('rating');
    await rating.waitFor({ state: 'visible' });
    await visitor.page.getByTestId('rating-star-5').click();
    await visitor.page.getByTestId('rating-comment').fill('处理很快，谢谢');
    await visitor.page.getByTestId('rating-submit').click();

    await expect
      .poll(async () => (await live.stack.admin('GET', `/api/agent/conversations/${id}`)).rating)
      .toEqual({ score: 5, comment: '处理很快，谢谢' });
    expect(visitor.seen).toEqual(CLEAN);
    await Promise.all([visitor.context.close(), agent.context.close()]);
  }, TIMEOUT);

  it('keeps <img onerror> and javascript: links inert in the widget and in the console', async () => {
    const agent = await agentConsole(live.browser, live.stack.url, 'alice', 'away');
    const { context, page } = await newPage(live.browser);
    const visitorSeen = watch(page);
    await page.goto(`${live.stack.url}/`);
    await page.getByTestId('launcher').click();
    // The queue shows the latest visitor message: the one with the order number comes last.
    const attacks = ['javascript:window.__pwned=2;alert(2)', '[点我](javascript:alert(3))', '<img src=x onerror="window.__pwned=1;alert(1)"> 订单号 D-4004'];
    for (const text of attacks) {
      await page.getByTestId('input').fill(text);
      await page.getByTestId('send').click();
      await message(page, 'visitor', text).waitFor();
    }
    await page.getByTestId('handoff-button').click();
    await take(agent.page, '订单号 D-4004');
    // The visitor's markup arrives in the console as text.
    for (const text of attacks) await message(agent.page, 'visitor', text).first().waitFor();

    // The agent's markup arrives in the widget as text; a real https link stays a safe link.
    await agentSays(agent.page, '<img src=x onerror="alert(4)"> 详见 javascript:alert(5) 或 https://example.com/help');
    const agentMessage = message(page, 'agent', 'javascript:alert(5)');
    await agentMessage.waitFor();
    expect(await agentMessage.innerText()).toContain('<img src=x onerror="alert(4)">');
    const link = agentMessage.locator('a[href="https://example.com/help"]');
    expect(await link.getAttribute('rel')).toMatch(/noopener/);
    expect(await link.getAttribute('target')).toBe('_blank');

    for (const p of [page, agent.page]) {
      expect(await deepCount(p, 'img[src="x"]')).toBe(0);
      expect(await deepCount(p, 'a[href^="javascript:" i]')).toBe(0);
      expect(await p.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    }
    expect(visitorSeen).toEqual(CLEAN);
    expect(agent.seen).toEqual(CLEAN);
    await Promise.all([context.close(), agent.context.close()]);
  }, TIMEOUT);
  it('folds the screens behind a menu button at phone and tablet width: one column, every screen in view', async () => {
    for (const size of [{ width: 390, height: 844 }, { width: 820, height: 1180 }]) {
      const { context, page } = await newPage(live.browser, size);
      try {
        await consoleLogin(page, live.stack.url, ADMIN.username, ADMIN.password);
        // Offline at once: an admin serves every group, and a present admin would be given the next tests' chats.
        await setAgentStatus(page, live.stack.url, 'offline');
        const menu = page.getByTestId('nav-menu');
        await menu.waitFor();
        // Folded: the names are not in rows across the header, only the button naming the screen shown.
        expect(await page.locator('nav button').first().isVisible()).toBe(false);
        expect(await menu.getAttribute('aria-expanded')).toBe('false');
        expect(await menu.innerText()).toContain('会话');
        await menu.click();
        expect(await menu.getAttribute('aria-expanded')).toBe('true');
        const buttons = page.locator('nav button');
        await buttons.first().waitFor();
        const boxes = await buttons.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
        expect(boxes.length).toBeGreaterThanOrEqual(8);
        for (const box of boxes) {
          expect(box.left, `a screen button at ${size.width} px`).toBeGreaterThanOrEqual(0);
          expect(box.right, `a screen button at ${size.width} px`).toBeLessThanOrEqual(size.width);
          // One column: every name starts at the same left edge.
          expect(box.left).toBe(boxes[0]!.left);
        }
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
        // Picking a screen shows it and folds the menu; Escape folds it too.
        await page.getByTestId('nav-reports').click();
        await page.getByTestId('reports').waitFor();
        expect(await menu.getAttribute('aria-expanded')).toBe('false');
        expect(await menu.innerText()).toContain('报表');
        await menu.click();
        await page.getByTestId('nav-history').focus();
        await page.keyboard.press('Escape');
        expect(await menu.getAttribute('aria-expanded')).toBe('false');
        expect(await page.locator('nav button').first().isVisible()).toBe(false);
      } finally {
        await context.close();
      }
    }
  }, TIMEOUT);
});
