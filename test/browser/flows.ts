// Steps the browser tests and the screenshot script share: a visitor waiting for a person, an agent taking the chat.
import type { Browser, Page } from 'playwright-core';
import { AGENT_PASSWORD, consoleLogin, newPage, setAgentStatus, watch } from './browser-kit.ts';

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
  // A message that itself asks for a person (宽带断网: a fault on the line) is queued at once; any other
  // waits for the visitor's "talk to a person".
  const queued = page.getByTestId('queue-status');
  await queued.or(page.getByTestId('handoff-button')).first().waitFor({ state: 'visible' });
  // The button hides once the chat is queued, which may happen between seeing it and pressing it.
  if (!(await queued.isVisible())) await page.getByTestId('handoff-button').click({ timeout: 2_000 }).catch(() => undefined);
  await queued.waitFor({ state: 'visible' });
  return { context, page, seen };
}

/** Someone (an admin, an editor, an agent) signed in at /agent in their own window of `size`, watched for errors. */
export async function signedInConsole(browser: Browser, url: string, who: { username: string; password: string }, size: { width: number; height: number }) {
  const { context, page } = await newPage(browser, size);
  const seen = watch(page);
  await consoleLogin(page, url, who.username, who.password);
  return { context, page, seen };
}

/** An agent signed in at /agent; `away` keeps them present without taking chats automatically. */
export async function agentConsole(browser: Browser, url: string, username: string, status: 'online' | 'away') {
  const signed = await signedInConsole(browser, url, { username, password: AGENT_PASSWORD }, { width: 1440, height: 900 });
  await setAgentStatus(signed.page, url, status);
  return signed;
}

/** The agent takes the waiting chat whose preview shows `text` (the queue updates live) and waits for its pane. */
export async function take(agent: Page, text: string): Promise<void> {
  // A phone shows the queue or the chats, one at a time: the agent turns to the queue first.
  const queueView = agent.getByTestId('phone-queue');
  if ((await queueView.isVisible()) && (await queueView.getAttribute('aria-pressed')) !== 'true') await queueView.click();
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

/** What the widget saved in localStorage: every `chat-widget*` entry, parsed, in key order. */
export function widgetStates(page: Page): Promise<Array<{ conversationId?: string; visitorId?: string }>> {
  return page.evaluate(() => {
    const states: Array<{ conversationId?: string; visitorId?: string }> = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (key.startsWith('chat-widget')) states.push(JSON.parse(localStorage.getItem(key) ?? '{}'));
    }
    return states;
  });
}

/** The conversation id the widget keeps in localStorage. */
export async function conversationIdOf(page: Page): Promise<string> {
  const id = (await widgetStates(page)).find((s) => s.conversationId)?.conversationId;
  if (!id) throw new Error('no conversation in localStorage');
  return id;
}

/** The visitor id the widget keeps in localStorage. */
export async function visitorIdOf(page: Page): Promise<string | undefined> {
  return (await widgetStates(page))[0]?.visitorId;
}
