// `npm run screenshots`: the README's pictures (docs/*.png) from the real server in Chromium, with a short real chat.
// Chinese text needs a CJK font on the machine (Debian: apt-get install fonts-wqy-microhei or fonts-noto-cjk).
import path from 'node:path';
import { chromiumPath, launchBrowser, newPage, startStack } from './browser-kit.ts';
import { agentConsole, agentSays, message, take, visitorWaiting } from './flows.ts';

const DOCS = path.resolve(import.meta.dirname, '..', '..', 'docs');

if (!chromiumPath) {
  process.stderr.write('screenshots: Chromium not found; install it (apt-get install chromium) or set CHROMIUM_PATH\n');
  process.exit(1);
}

const stack = await startStack({ PRESENCE_GRACE_SECONDS: '300' });
const browser = await launchBrowser();
try {
  // The widget on the demo hall, desktop: an answer with its follow-ups.
  {
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
  {
    const { context, page } = await newPage(browser, { width: 375, height: 740, mobile: true });
    await page.goto(`${stack.url}/`);
    await page.getByTestId('launcher').click();
    await page.getByTestId('input').fill('短信怎么充值');
    await page.getByTestId('send').click();
    await message(page, 'bot', '10011').waitFor();
    await page.screenshot({ path: path.join(DOCS, 'widget-mobile.png') });
    await context.close();
  }

  // The console: one chat taken and answered, another one waiting in the queue.
  {
    await stack.createAgent({ username: 'xiaoli', displayName: '客服小李', capacity: 5 });
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
  // The widget light and dark (prefers-color-scheme), with an admin's warning banner and an emoji in the chat.
  {
    await stack.admin('PUT', '/api/admin/visitor-texts', {
      welcome: { zh: '', en: '' },
      banner: { zh: '谨防电信诈骗：客服不会向您索要短信验证码或服务密码，也不会要求您转账。', en: '' },
    });
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page } = await newPage(browser, { width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${stack.url}/`);
      await page.getByTestId('launcher').click();
      await page.getByTestId('input').fill('网厅充值有折扣吗');
      await page.getByTestId('send').click();
      await message(page, 'bot', '9.85折').waitFor();
      await page.getByTestId('input').fill('好的，谢谢');
      await page.getByTestId('emoji-button').click();
      await page.getByRole('button', { name: '赞', exact: true }).click();
      await page.getByTestId('send').click();
      await message(page, 'visitor', '谢谢👍').waitFor();
      await message(page, 'bot', '不客气').waitFor();
      await page.waitForFunction(() => document.fonts.status === 'loaded');
      await page.screenshot({ path: path.join(DOCS, `widget-${scheme}.png`) });
      await context.close();
    }
    await stack.admin('PUT', '/api/admin/visitor-texts', { welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } });
  }
  process.stdout.write(`wrote ${['widget-desktop.png', 'widget-mobile.png', 'console.png', 'widget-light.png', 'widget-dark.png'].map((f) => path.join('docs', f)).join(', ')}\n`);
} finally {
  await browser.close();
  await stack.close();
}
