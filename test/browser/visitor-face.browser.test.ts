// The visitor's face in a real Chromium (issue 17): dark mode from prefers-color-scheme and the embed's data-theme,
// the emoji picker in both composers (keyboard and mouse, inserted at the caret), the admin's welcome, warning banner
// and logo set on the console's screen and shown by the next widget load, and a left message's answer shown to the
// visitor when they come back to the widget.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, browserSuite, closePagesAfterEachTest, launchBrowser, newPage, setAgentStatus, startStack, watch, type Stack } from './browser-kit.ts';
import { agentConsole, message, signedInConsole, take, visitorWaiting } from './flows.ts';

const TIMEOUT = 90_000;
/** A 2x2 red PNG: the admin's logo. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IaAHRAwQCgAfHgQZ2PY+qQAAAABJRU5ErkJggg==', 'base64');

/** WCAG relative luminance of a computed `rgb(...)` colour. */
function luminance(rgb: string): number {
  // `rgb(200, 16, 46)`, or `color(srgb 0.9 0.55 0.6)` for a color-mix().
  const scale = rgb.startsWith('color(') ? 1 : 255;
  const [r, g, b] = (rgb.replace(/^color\(srgb/, '').match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map((v) => {
    const c = v / scale;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The open panel's background and the colours of its text, computed in the page. */
async function panelColours(page: Page) {
  return page.locator('chat-widget').evaluate((el) => {
    const root = el.shadowRoot!;
    const style = (selector: string) => getComputedStyle(root.querySelector(selector)!);
    return {
      panel: style('.panel').backgroundColor,
      welcome: style('.welcome').color,
      chip: style('.chip').color,
      label: style('.chips-label').color,
      input: style('[data-testid="input"]').backgroundColor,
      inputText: style('[data-testid="input"]').color,
    };
  });
}

async function openWidget(page: Page, url: string, path = '/'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByTestId('launcher').click();
  await page.getByTestId('input').waitFor({ state: 'visible' });
}

/** A page of another site's shape: nothing but the embed tag with `attrs`. */
async function embedPage(page: Page, url: string, attrs: string): Promise<void> {
  await page.route(`${url}/embed-test`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body><p>page</p><script src="/widget.js" ${attrs}></script></body></html>` }),
  );
}

browserSuite('the visitor face: dark mode, emoji, admin texts', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({ PRESENCE_GRACE_SECONDS: '300' }), launchBrowser()]);
  }, TIMEOUT);
  closePagesAfterEachTest();
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, TIMEOUT);

  it('follows prefers-color-scheme, and the embed\'s data-theme overrides it; text stays readable', async () => {
    const cases: Array<[scheme: 'light' | 'dark', attrs: string, dark: boolean]> = [
      ['dark', '', true],
      ['light', '', false],
      ['light', 'data-theme="dark"', true],
      ['dark', 'data-theme="light"', false],
      ['dark', 'data-theme="auto"', true],
    ];
    for (const [scheme, attrs, dark] of cases) {
      const { context, page } = await newPage(browser);
      const seen = watch(page);
      await page.emulateMedia({ colorScheme: scheme });
      await embedPage(page, stack.url, attrs);
      await openWidget(page, stack.url, '/embed-test');
      const c = await panelColours(page);
      const what = `${scheme} ${attrs || '(no data-theme)'}`;
      expect([what, dark ? luminance(c.panel) < 0.05 : luminance(c.panel) > 0.9]).toEqual([what, true]);
      // WCAG AA for body text on the panel, both ways round.
      for (const [name, colour, on] of [['welcome', c.welcome, c.panel], ['chip', c.chip, c.panel], ['label', c.label, c.panel], ['input', c.inputText, c.input]] as const) {
        expect([what, name, contrast(colour, on) >= 4.5]).toEqual([what, name, true]);
      }
      expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      await context.close();
    }
  }, TIMEOUT);

  it('inserts an emoji at the caret in the widget, by keyboard and by mouse; Escape closes only the picker', async () => {
    const { context, page } = await newPage(browser);
    const seen = watch(page);
    await openWidget(page, stack.url);
    const input = page.getByTestId('input');
    await input.fill('你好');
    await input.evaluate((el) => (el as HTMLTextAreaElement).setSelectionRange(1, 1));

    // Keyboard: the button opens the picker with focus on the first emoji; arrows move, Enter picks.
    await page.getByTestId('emoji-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('emoji-popover').waitFor();
    await expect.poll(() => page.getByTestId('emoji-option').first().evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(await page.getByTestId('emoji-button').getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByTestId('emoji-popover').waitFor({ state: 'detached' });
    expect(await input.inputValue()).toBe('你😊好');
    // The caret is after the emoji, in the box: typing goes on where it was.
    await expect.poll(() => input.evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.type('呀');
    expect(await input.inputValue()).toBe('你😊呀好');

    // Escape closes the picker and gives focus back to its button; the chat panel stays open.
    await page.getByTestId('emoji-button').click();
    await page.getByTestId('emoji-popover').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('emoji-popover').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('emoji-button').evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(await input.isVisible()).toBe(true);

    // Mouse, with the caret at the end: named for screen readers, sent like any text. The caret is put in the
    // focused box and checked there (set on a box without focus, a focus arriving late could move it back).
    await input.focus();
    await input.evaluate((el) => {
      const area = el as HTMLTextAreaElement;
      area.setSelectionRange(area.value.length, area.value.length);
    });
    await expect.poll(() => input.evaluate((el) => (el as HTMLTextAreaElement).selectionStart === (el as HTMLTextAreaElement).value.length)).toBe(true);
    await page.getByTestId('emoji-button').click();
    await page.getByRole('button', { name: '赞', exact: true }).click();
    expect(await input.inputValue()).toBe('你😊呀好👍');
    await page.getByTestId('send').click();
    await message(page, 'visitor', '你😊呀好👍').waitFor();
    expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    await context.close();
  }, TIMEOUT);

  it('inserts an emoji at the caret in the console composer, and the visitor gets it', async () => {
    await stack.createAgent({ username: 'emoji-agent', displayName: '小表' });
    const agent = await agentConsole(browser, stack.url, 'emoji-agent', 'away');
    try {
      const visitor = await visitorWaiting(browser, stack.url, '请帮我查一下话费');
      await take(agent.page, '请帮我查一下话费');
      const box = agent.page.getByTestId('agent-input');
      await box.fill('您好请稍等');
      await box.evaluate((el) => (el as HTMLTextAreaElement).setSelectionRange(2, 2));
      await agent.page.getByTestId('emoji-button').click();
      await agent.page.getByRole('button', { name: '微笑', exact: true }).click();
      expect(await box.inputValue()).toBe('您好😊请稍等');
      // The composer's own state follows (the send button reads it), and Enter sends it.
      await expect.poll(() => box.evaluate((el) => el.matches(':focus'))).toBe(true);
      await agent.page.keyboard.press('Enter');
      await message(visitor.page, 'agent', '您好😊请稍等').waitFor();
      expect(agent.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      await visitor.context.close();
    } finally {
      await setAgentStatus(agent.page, stack.url, 'offline');
      await agent.context.close();
    }
  }, TIMEOUT);

  it("shows the admin's welcome, warning banner and logo at the next widget load, set on the console's screen", async () => {
    const admin = await signedInConsole(browser, stack.url, ADMIN, { width: 1440, height: 900 });
    try {
      await admin.page.getByTestId('nav-visitor-texts').click();
      const welcome = admin.page.getByTestId('texts-welcome-zh');
      await welcome.waitFor();
      // The knowledge base's welcome is what an empty field means.
      expect(await welcome.getAttribute('placeholder')).toContain('联通网上营业厅在线客服助手');
      await welcome.fill('您好！欢迎光临联讯网上营业厅，有问题随时问我。');
      await admin.page.getByTestId('texts-banner-zh').fill('谨防诈骗：客服不会索要验证码和服务密码，也不会让您转账。');
      await admin.page.getByTestId('texts-save').click();
      await admin.page.getByTestId('texts-notice').waitFor();
      await admin.page.getByTestId('texts-logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
      await admin.page.getByTestId('texts-logo-preview').waitFor();
      // An SVG is refused with the server's reason, and the logo stays.
      await admin.page.getByTestId('texts-logo-file').setInputFiles({ name: 'x.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
      await admin.page.getByTestId('texts-error').waitFor();
      expect(await admin.page.getByTestId('texts-error').innerText()).toMatch(/PNG, JPEG or WebP/);
      expect(admin.seen.errors).toEqual([]);

      // A visitor arriving now: the logo on the launcher, the banner above the chat, the new welcome.
      const { context, page } = await newPage(browser);
      const seen = watch(page);
      await page.goto(`${stack.url}/`);
      const logo = page.getByTestId('launcher-logo');
      await logo.waitFor();
      await expect.poll(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(2);
      await page.getByTestId('launcher').click();
      const banner = page.getByTestId('warning-banner');
      await banner.waitFor();
      expect(await banner.innerText()).toContain('谨防诈骗：客服不会索要验证码和服务密码');
      expect(await banner.getAttribute('role')).toBe('note');
      expect(await page.getByTestId('welcome').innerText()).toBe('您好！欢迎光临联讯网上营业厅，有问题随时问我。');
      // In English: the English welcome of the knowledge base (none was set), and the banner (set in Chinese only).
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => page.getByTestId('welcome').innerText()).toMatch(/online hall assistant/);
      expect(await banner.innerText()).toContain('谨防诈骗');
      expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      await context.close();
    } finally {
      await stack.admin('PUT', '/api/admin/visitor-texts', { welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } });
      await stack.admin('DELETE', '/api/admin/visitor-texts/logo');
      await setAgentStatus(admin.page, stack.url, 'offline');
      await admin.context.close();
    }
  }, TIMEOUT);
});

browserSuite('the visitor face: an answered left message', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    // Configured hours, every group's shift two hours from now: the chat offers leaving a message.
    [stack, browser] = await Promise.all([startStack({ BUSINESS_HOURS: 'default' }), launchBrowser()]);
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(new Date()));
    const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    const { groups } = await stack.admin('GET', '/api/admin/groups');
    for (const g of groups as Array<{ id: string; name: string }>) {
      await stack.admin('PUT', `/api/admin/groups/${g.id}`, { name: g.name, hours: { open: hh(hour + 2), close: hh(hour + 3) } });
    }
  }, TIMEOUT);
  closePagesAfterEachTest();
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, TIMEOUT);

  it('shows the answer, with what was left and both times, when the visitor comes back to the widget', async () => {
    const left = '宽带晚上一直掉线，请明天上午回电';
    const answer = '已为您重置端口，请重启光猫后再试；如仍有问题请拨打10010。';
    const { context, page } = await newPage(browser);
    const seen = watch(page);
    await openWidget(page, stack.url);
    await page.getByTestId('input').fill('网厅充值有折扣吗');
    await page.getByTestId('send').click();
    await message(page, 'bot', '9.85折').waitFor();
    await page.getByTestId('handoff-button').click();
    await page.getByTestId('ticket-contact').fill('li.wei@example.com');
    await page.getByTestId('ticket-text').fill(left);
    await page.getByTestId('ticket-submit').click();
    // Received, and said to be waiting (also after a reload: it is read from the server).
    const waiting = page.getByTestId('left-message-waiting');
    await waiting.waitFor();
    expect(await waiting.innerText()).toContain(left);
    await page.reload();
    await page.getByTestId('left-message-waiting').waitFor();
    // Leaves with the chat closed (the widget remembers open or closed).
    await page.getByTestId('minimize').click();
    await page.getByTestId('launcher').waitFor();
    await page.close();

    // The next shift: an admin answers it on the console's tickets screen.
    const admin = await signedInConsole(browser, stack.url, ADMIN, { width: 1440, height: 900 });
    try {
      await admin.page.getByTestId('nav-tickets').click();
      const ticket = admin.page.getByTestId('ticket').filter({ hasText: left });
      await ticket.getByTestId('ticket-answer').fill(answer);
      await ticket.getByTestId('ticket-answer-submit').click();
      await admin.page.getByTestId('ticket').filter({ hasText: left }).waitFor({ state: 'detached' });
    } finally {
      await setAgentStatus(admin.page, stack.url, 'offline');
      await admin.context.close();
    }

    // The visitor comes back (same browser): the launcher says there is news; the answer shows as the reply.
    const back = await context.newPage();
    await back.goto(`${stack.url}/`);
    await back.getByTestId('launcher').locator('.badge').waitFor();
    await back.getByTestId('launcher').click();
    const reply = back.locator('[data-testid="message"][data-author="agent"][data-ticket-answer]');
    await reply.waitFor();
    const text = await reply.innerText();
    expect(text).toContain(answer);
    expect(text).toContain('对您留言的回复');
    expect(text).toMatch(new RegExp(`您的留言（[\\d: -]+）[\\s\\S]*${left}`));
    // Its own time, as every message has.
    expect(await reply.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await back.getByTestId('left-message-waiting').count()).toBe(0);
    expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    await context.close();
  }, TIMEOUT);
});
