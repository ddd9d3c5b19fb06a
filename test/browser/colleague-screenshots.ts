// The docs' pictures of the console with a colleague in a chat (docs/console-colleague-desktop.png, 1440x900, and
// -tablet.png, 820x1180): the holder invited a colleague, who accepted; both answered; they consulted privately.
// Taken by `npm run screenshots` (take-screenshots.ts); the browser test colleague-chat.browser.test.ts checks the same.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { AGENT_PASSWORD, consoleLogin, newPage, setAgentStatus, type Stack } from './browser-kit.ts';
import { agentConsole, agentSays, message, take, visitorWaiting } from './flows.ts';

/** The holder's console as a person at work has it: notifications allowed (headless Chromium denies them: "blocked"). */
async function holderConsole(browser: Browser, url: string, username: string) {
  const { context, page } = await newPage(browser, { width: 1440, height: 900 });
  await context.grantPermissions(['notifications'], { origin: url });
  await consoleLogin(page, url, username, AGENT_PASSWORD);
  await setAgentStatus(page, url, 'away');
  return { context, page };
}

export async function shootColleagueConsole(browser: Browser, stack: Stack, docs: string): Promise<void> {
  await stack.createAgent({ username: 'wangfang', displayName: '王芳' });
  await stack.createAgent({ username: 'liqiang', displayName: '李强' });
  const holder = await holderConsole(browser, stack.url, 'wangfang');
  const colleague = await agentConsole(browser, stack.url, 'liqiang', 'away');
  const visitor = await visitorWaiting(browser, stack.url, '我想把套餐从 5G 畅享 199 元降到 129 元');
  try {
    await take(holder.page, '降到 129 元');
    await agentSays(holder.page, '您好，我是王芳，马上为您查询降档的条件。');
    await setAgentStatus(colleague.page, stack.url, 'busy');
    await holder.page.getByTestId('invite-colleague').click();
    await holder.page.getByTestId('invite-option').filter({ hasText: '李强' }).click();
    await holder.page.getByTestId('invite-note').fill('客户要降档，帮忙确认违约金');
    await holder.page.getByTestId('invite-submit').click();
    await colleague.page.getByTestId('invitation-accept').click();
    await message(colleague.page, 'agent', '我是王芳').first().waitFor();
    await agentSays(colleague.page, '您好，我是李强，负责套餐变更，违约金的问题我来解答。');
    await colleague.page.getByTestId('consult-input').fill('合约期内降档要付 50 元违约金，老客户可以减免一半');
    await colleague.page.getByTestId('consult-send').click();
    await holder.page.getByTestId('consult-note').filter({ hasText: '减免一半' }).waitFor();
    await holder.page.getByTestId('consult-input').fill('好的，我来跟客户说');
    await holder.page.getByTestId('consult-send').click();
    await agentSays(holder.page, '降档需要付 50 元违约金，您是老客户，我们可以为您减免一半。');
    await message(visitor.page, 'agent', '减免一半').waitFor();
    await holder.page.waitForFunction(() => document.fonts.status === 'loaded');
    await holder.page.setViewportSize({ width: 1440, height: 900 });
    await holder.page.screenshot({ path: path.join(docs, 'console-colleague-desktop.png') });
    await holder.page.setViewportSize({ width: 820, height: 1180 });
    await holder.page.screenshot({ path: path.join(docs, 'console-colleague-tablet.png') });
  } finally {
    await setAgentStatus(holder.page, stack.url, 'offline').catch(() => {});
    await setAgentStatus(colleague.page, stack.url, 'offline').catch(() => {});
    await Promise.all([visitor.context.close(), holder.context.close(), colleague.context.close()]);
  }
}
