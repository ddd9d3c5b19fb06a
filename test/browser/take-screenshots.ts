// `npm run screenshots`: the README's pictures (docs/*.png) from the real server in Chromium, with a short real chat.
// Chinese text needs a CJK font on the machine (Debian: apt-get install fonts-wqy-microhei or fonts-noto-cjk).
// `npm run screenshots -- widget-light widget-dark` takes only the pictures named (file names without .png).
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchBrowser, newPage, setAgentStatus, startStack } from './browser-kit.ts';
import { agentConsole, agentSays, message, take, visitorWaiting } from './flows.ts';
import { shootColleagueConsole } from './colleague-screenshots.ts';

const DOCS = path.resolve(import.meta.dirname, '..', '..', 'docs');
const only = process.argv.slice(2);
const wanted = (...names: string[]) => only.length === 0 || names.some((n) => only.includes(n));

if (!chromiumPath) {
  process.stderr.write('screenshots: Chromium not found; install it (apt-get install chromium) or set CHROMIUM_PATH\n');
  process.exit(1);
}

const stack = await startStack({ PRESENCE_GRACE_SECONDS: '300' });
const browser = await launchBrowser();
try {
  // The widget on the demo hall, desktop: an answer with its follow-ups.
  if (wanted('widget-desktop')) {
    const { context, page } = await newPage(browser, { width: 1280, height: 800 });
    await page.goto(`${stack.url}/`);
    await page.getByTestId('launcher').click();
    await page.getByTestId('input').fill('网厅充值有折扣吗');
    await page.getByTestId('send').click();
    await message(page, 'bot', '9.85折').waitFor();
    await page.getByTestId('input').fill('发票怎么打印');
    await page.getByTestId('send').click();
    await message(page, 'visitor', '发票怎么打印').waitFor();
    await page.waitForFunction(() => document.fonts.status === 'loaded');
    await page.locator('[data-testid="message"][data-author="bot"]').nth(1).waitFor();
    await page.screenshot({ path: path.join(DOCS, 'widget-desktop.png') });
    await context.close();
  }

  // A phone, 375 px wide: the chat full screen.
  if (wanted('widget-mobile')) {
    const { context, page } = await newPage(browser, { width: 375, height: 740, mobile: true });
    await page.goto(`${stack.url}/`);
    await page.getByTestId('launcher').click();
    await page.getByTestId('input').fill('短信怎么充值');
    await page.getByTestId('send').click();
    await message(page, 'bot', '10011').waitFor();
    await page.screenshot({ path: path.join(DOCS, 'widget-mobile.png') });
    await context.close();
  }

  await stack.createAgent({ username: 'xiaoli', displayName: '客服小李', capacity: 5 });
  // The console: one chat taken and answered, another one waiting in the queue.
  if (wanted('console')) {
    const agent = await agentConsole(browser, stack.url, 'xiaoli', 'away');
    // A question the bot was unsure about, so the pane shows its candidates.
    const first = await visitorWaiting(browser, stack.url, '发票怎么打印');
    await take(agent.page, '发票怎么打印');
    await agentSays(agent.page, '您好，我是客服小李。请问您要打印哪个月的发票？');
    await message(first.page, 'agent', '哪个月的发票').waitFor();
    const second = await visitorWaiting(browser, stack.url, '宽带一直掉线，已经重启过光猫了');
    await agent.page.getByTestId('queue-item').filter({ hasText: '宽带一直掉线' }).waitFor();
    await agent.page.screenshot({ path: path.join(DOCS, 'console.png') });
    await Promise.all([first.context.close(), second.context.close(), agent.context.close()]);
  }
  // The widget light and dark (prefers-color-scheme), with an admin's warning banner, a picture the visitor sent, and
  // the agent's reply with their initials (the visitor's message marked read), at desktop and tablet (820x1180) width.
  if (wanted('widget-light', 'widget-dark', 'widget-light-tablet', 'widget-dark-tablet')) {
    await stack.admin('PUT', '/api/admin/visitor-texts', {
      welcome: { zh: '', en: '' },
      banner: { zh: '谨防电信诈骗：客服不会向您索要短信验证码或服务密码，也不会要求您转账。', en: '' },
    });
    const agent = await agentConsole(browser, stack.url, 'xiaoli', 'away');
    const visitor = await visitorWaiting(browser, stack.url, '上个月的话费发票开不出来');
    const page = visitor.page;
    try {
      await take(agent.page, '上个月的话费发票开不出来');
      await page.getByTestId('attach-input').setInputFiles({ name: '发票页面截图.png', mimeType: 'image/png', buffer: await invoiceScreenshot(browser) });
      await page.getByTestId('attachment-pending').getByTestId('attachment-image').waitFor();
      await page.getByTestId('send').click();
      await page.locator('[data-testid="message"][data-author="visitor"]').getByTestId('attachment-image').waitFor();
      await agentSays(agent.page, '收到截图，是开票信息没填完整。我已为您补开，稍后发到您的邮箱 👍');
      await message(page, 'agent', '稍后发到您的邮箱').waitFor();
      await page.locator('[data-testid="receipt"][data-state="read"]').waitFor();
      for (const [size, suffix] of [[{ width: 1280, height: 800 }, ''], [{ width: 820, height: 1180 }, '-tablet']] as const) {
        await page.setViewportSize(size);
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForFunction(() => document.fonts.status === 'loaded');
          // The picture loaded and the newest message in view before the shot.
          await page.locator('[data-testid="message"][data-author="visitor"]').getByTestId('attachment-image').evaluate((img) => (img as HTMLImageElement).decode?.().catch(() => {}));
          await page.waitForTimeout(200);
          if (wanted(`widget-${scheme}${suffix}`)) await page.screenshot({ path: path.join(DOCS, `widget-${scheme}${suffix}.png`) });
        }
      }
      // Closed, so it does not go back to the queue and into the next pictures' consoles.
      await agent.page.getByTestId('close').click();
      await agent.page.getByTestId('chat-ended').waitFor();
    } finally {
      await setAgentStatus(agent.page, stack.url, 'offline');
      await Promise.all([visitor.context.close(), agent.context.close()]);
    }
    await stack.admin('PUT', '/api/admin/visitor-texts', { welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } });
  }
  // The console with a colleague in the chat (working together), at desktop and tablet width.
  if (wanted('console-colleague-desktop', 'console-colleague-tablet')) await shootColleagueConsole(browser, stack, DOCS);
  const taken = ['widget-desktop', 'widget-mobile', 'console', 'widget-light', 'widget-dark', 'widget-light-tablet', 'widget-dark-tablet', 'console-colleague-desktop', 'console-colleague-tablet'].filter((n) => wanted(n));
  process.stdout.write(`wrote ${taken.map((f) => path.join('docs', `${f}.png`)).join(', ')}\n`);
} finally {
  await browser.close();
  await stack.close();
}

/** What a visitor would really send: a screenshot of the hall's invoice page with its error, drawn by the browser. */
async function invoiceScreenshot(b: Browser): Promise<Buffer> {
  const { context, page } = await newPage(b, { width: 360, height: 220 });
  try {
    await page.setContent(`<!doctype html><meta charset="utf-8"><body style="margin:0;font:14px/1.5 'WenQuanYi Micro Hei',sans-serif;background:#f4f5f7">
      <div style="background:#c8102e;color:#fff;padding:8px 14px;font-weight:600">电子发票 · 开具发票</div>
      <div style="margin:12px 14px;padding:12px;background:#fff;border:1px solid #d9dce1;border-radius:6px">
        <div style="color:#5c636e;font-size:12px">账期</div><div>2026 年 11 月 · 话费 128.00 元</div>
        <div style="color:#5c636e;font-size:12px;margin-top:6px">发票抬头</div><div>个人</div>
        <div style="margin-top:10px;padding:6px 10px;background:#fdecea;color:#b3261e;border-radius:4px;font-size:13px">开票失败：请补全开票信息（邮箱）</div>
      </div></body>`);
    await page.waitForFunction(() => document.fonts.status === 'loaded');
    return await page.screenshot({ type: 'png' });
  } finally {
    await context.close();
  }
}
