// Steps the browser tests and the screenshot script share: a visitor waiting for a person, an agent taking the chat.
import type { Browser, Page } from 'playwright-core';
import { consoleLogin, newPage, setAgentStatus, watch } from './browser-kit.ts';

export function message(page: Page, author: 'visitor' | 'bot' | 'agent' | 'system', text: string | RegExp) {
  return page.locator(`[data-testid="message"][data-author="${author}"]`, { hasText: text });
}

/** A visitor on the demo page who says `text` and then presses "talk to a person". */
export async function visitorWaiting(browser: Browser, url: string, text: string) {
  const { context, page } = await newPage(browser);
  const seen = watch(page);
  await page.goto(`${url}/`);
  await page.getByTestId('launcher').click();
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  await message(page, 'visitor', text).waitFor();
  await page.getByTestId('handoff-button').click();
  await page.getByTestId('queue-status').waitFor({ state: 'visible' });
  return { context, page, seen };
}

/** An agent signed in at /agent; `away` keeps them present without taking chats automatically. */
export async function agentConsole(browser: Browser, url: string, username: string, status: 'online' | 'away') {
  const { context, page } = await newPage(browser, { width: 1440, height: 900 });
  const seen = watch(page);
  await consoleLogin(page, url, username);
  await setAgentStatus(page, url, status);
  return { context, page, seen };
}

/** The agent takes the waiting chat whose preview shows `text` (the queue updates live) and waits for its pane. */
export async function take(agent: Page, text: string): Promise<void> {
  const item = agent.getByTestId('queue-item').filter({ hasText: text });
  await item.waitFor();
  const inItem = item.getByTestId('take');
  if ((await inItem.count()) > 0) await inItem.click();
  else {
    await item.click();
    await agent.getByTestId('take').click();
  }
  await agent.getByTestId('agent-input').waitFor({ state: 'visible' });
  await message(agent, 'visitor', text).first().waitFor();
}

export async function agentSays(agent: Page, text: string): Promise<void> {
  await agent.getByTestId('agent-input').fill(text);
  await agent.getByTestId('agent-send').click();
  await message(agent, 'agent', text).first().waitFor();
}

/** The conversation id the widget keeps in localStorage. */
export function conversationIdOf(page: Page): Promise<string> {
  return page.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (!key.startsWith('chat-widget')) continue;
      const id = (JSON.parse(localStorage.getItem(key) ?? '{}') as { conversationId?: string }).conversationId;
      if (id) return id;
    }
    throw new Error('no conversation in localStorage');
  });
}
