// Who wrote what, in real Chromium (issue 17): the bot's answers carry a robot, an agent's replies their initials, in
// the widget (light and dark) and the console; the visitor sees "sent" under their message, then "read" once the agent
// opens the chat; the agent sees "sent" under their reply while the visitor's panel is closed, then "read" once the
// visitor opens it. No script error, dialog or CSP refusal anywhere.
// `SCREENSHOTS=<dir>` also saves both faces at desktop, tablet and phone width (the widget light and dark) there.
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { browserSuite, KEEP_PRESENCE, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentConsole, agentSays, message, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 120_000;
const shots = process.env.SCREENSHOTS;
const SIZES = { desktop: { width: 1440, height: 900 }, tablet: { width: 820, height: 1180 }, phone: { width: 390, height: 844 } } as const;

async function snap(page: Page, name: string): Promise<void> {
  if (!shots) return;
  await page.waitForFunction(() => document.fonts.status === 'loaded');
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** The receipt under a message: its state (`sent`, `read`) and words. */
async function receiptOf(msg: Locator): Promise<{ state: string | null; text: string }> {
  const receipt = msg.getByTestId('receipt');
  return { state: await receipt.getAttribute('data-state'), text: (await receipt.innerText()).replace(/\s+/g, ' ').trim() };
}

browserSuite('who wrote what: avatars and read receipts', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'xiaozhang', displayName: '客服小张' }] });

  it('the visitor sees "read" after the agent opens the chat, the agent sees "read" after the visitor views the reply; avatars on both faces', async () => {
    const url = live.stack.url;
    const agent = await agentConsole(live.browser, url, 'xiaozhang', 'away');
    const visitor = await visitorWaiting(live.browser, url, '发票怎么打印');
    try {
      const widget = visitor.page;
      const desk = agent.page;
      const mine = message(widget, 'visitor', '发票怎么打印');
      // Queued: sent, not read (nobody has the chat open yet).
      await expect.poll(() => receiptOf(mine)).toEqual({ state: 'sent', text: '✓ 已发送' });
      // The bot's answers carry its robot, the visitor's own messages no avatar.
      expect(await message(widget, 'bot', /./).first().getByTestId('avatar').count()).toBe(1);
      expect(await mine.getByTestId('avatar').count()).toBe(0);

      // The agent takes the chat: its pane is open before them, so the visitor's message is read.
      await take(desk, '发票怎么打印');
      await expect.poll(() => receiptOf(mine), { timeout: 10_000 }).toEqual({ state: 'read', text: '✓✓ 已读' });

      // The visitor closes the panel; the agent's reply stays "sent" while nobody sees it.
      await widget.getByTestId('minimize').click();
      await agentSays(desk, '您好，我是客服小张。请问要打印哪个月的发票？');
      const reply = message(desk, 'agent', '哪个月的发票');
      await expect.poll(() => receiptOf(reply)).toEqual({ state: 'sent', text: '✓ 已发送' });
      await widget.getByTestId('launcher').locator('.badge').waitFor();
      await desk.waitForTimeout(500);
      expect(await receiptOf(reply)).toEqual({ state: 'sent', text: '✓ 已发送' });

      // The visitor opens the panel and sees the reply: the agent sees it read.
      await widget.getByTestId('launcher').click();
      const seenReply = message(widget, 'agent', '哪个月的发票');
      await seenReply.waitFor();
      await expect.poll(() => receiptOf(reply), { timeout: 10_000 }).toEqual({ state: 'read', text: '✓✓ 访客已读' });

      // Initials on both faces: 客服小张 -> 小张, beside the agent's message, in the same colour for every message.
      expect(await seenReply.getByTestId('avatar').innerText()).toBe('小张');
      expect(await reply.getByTestId('avatar').innerText()).toBe('小张');
      expect(await message(desk, 'bot', /./).first().getByTestId('avatar').count()).toBe(1);
      expect(await message(desk, 'visitor', '发票怎么打印').getByTestId('avatar').count()).toBe(0);
      // The avatar sits beside the bubble, not above or below it.
      const avatarBox = (await seenReply.getByTestId('avatar').boundingBox())!;
      const bubbleBox = (await seenReply.locator('.bubble').boundingBox())!;
      expect(avatarBox.x + avatarBox.width).toBeLessThanOrEqual(bubbleBox.x);
      // Bot, agent and visitor bubbles look different (background or border) in the widget.
      const looks = await widget.evaluate(() => {
        const root = document.querySelector('chat-widget')!.shadowRoot!;
        const look = (author: string) => {
          const bubble = root.querySelector(`[data-testid="message"][data-author="${author}"] .bubble`)!;
          const style = getComputedStyle(bubble);
          return `${style.backgroundColor} ${style.borderTopColor} ${style.borderTopStyle}`;
        };
        return ['bot', 'agent', 'visitor', 'system'].map(look);
      });
      expect(new Set(looks).size).toBe(4);

      // The visitor's next message is "sent" (the receipt moves to the newest one) until the agent, looking, reads it.
      await widget.getByTestId('input').fill('三月的');
      await widget.getByTestId('send').click();
      const next = message(widget, 'visitor', '三月的');
      await expect.poll(() => receiptOf(next), { timeout: 10_000 }).toEqual({ state: 'read', text: '✓✓ 已读' });
      expect(await mine.getByTestId('receipt').count()).toBe(0);

      for (const [size, viewport] of Object.entries(SIZES)) {
        if (!shots) break;
        await widget.setViewportSize(viewport);
        await desk.setViewportSize(viewport);
        await snap(widget, `receipts-widget-light-${size}`);
        await snap(desk, `receipts-console-${size}`);
        await widget.emulateMedia({ colorScheme: 'dark' });
        await snap(widget, `receipts-widget-dark-${size}`);
        await widget.emulateMedia({ colorScheme: 'light' });
      }

      expect(visitor.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      expect(agent.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    } finally {
      await setAgentStatus(agent.page, url, 'offline');
    }
  }, TIMEOUT);
});
