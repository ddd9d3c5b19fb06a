// Files both ways in real Chromium (issue 17): the visitor sends a picture from the widget with the paperclip and by
// pasting a screenshot, the agent sends a PDF with the paperclip and a picture by dropping it on the reply box; each
// side sees the picked file's preview before sending, then the picture drawn (thumbnail) or the PDF's icon, name and
// size, on both sides; the visitor's PDF downloads under its name. No script error, dialog or CSP refusal anywhere.
// `SCREENSHOTS=<dir>` also saves both sides at desktop, tablet and phone width there, to look at.
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { browserSuite, KEEP_PRESENCE, newPage, setAgentStatus, useStackAndBrowser, watch } from './browser-kit.ts';
import { agentConsole, message, take, visitorWaiting } from './flows.ts';
import { PDF, pngBytes } from '../attachment-files.ts';

const TIMEOUT = 120_000;
const shots = process.env.SCREENSHOTS;
const SIZES = { desktop: { width: 1440, height: 900 }, tablet: { width: 820, height: 1180 }, phone: { width: 390, height: 844, mobile: true } } as const;

async function snap(page: Page, name: string): Promise<void> {
  if (!shots) return;
  await page.waitForFunction(() => document.fonts.status === 'loaded');
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** Whether the picture in `locator` has been drawn (loaded and decoded, so it has a size). */
function drawn(locator: Locator): Promise<boolean> {
  return locator.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0);
}

/** A paste (with a file, as a screenshot from the clipboard) or a drop on `target`, built in the page. */
async function transfer(target: Locator, kind: 'paste' | 'drop', file: { name: string; type: string; bytes: Uint8Array }): Promise<void> {
  await target.evaluate(
    (el, { kind, name, type, bytes }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type }));
      const event =
        kind === 'paste'
          ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true })
          : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true, composed: true });
      if (kind === 'drop') el.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true, composed: true }));
      el.dispatchEvent(event);
    },
    { kind, name: file.name, type: file.type, bytes: [...file.bytes] },
  );
}

browserSuite('files in a chat, both ways', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'fiona', displayName: 'Fiona', capacity: 10 }] });

  it('the widget sends by paperclip and by paste, the console by paperclip and by drop; previews and files show on both sides', async () => {
    const url = live.stack.url;
    const agent = await agentConsole(live.browser, url, 'fiona', 'away');
    const visitor = await visitorWaiting(live.browser, url, '我想发一张账单截图');
    try {
      await take(agent.page, '我想发一张账单截图');
      const widget = visitor.page;
      const desk = agent.page;

      // The visitor's paperclip: the picked picture shows above the composer, then goes on send.
      await widget.getByTestId('attach-input').setInputFiles({ name: '账单.png', mimeType: 'image/png', buffer: Buffer.from(pngBytes(120, 80, [40, 120, 220])) });
      const pending = widget.getByTestId('attachment-pending');
      await pending.getByTestId('attachment-image').waitFor();
      expect(await drawn(pending.getByTestId('attachment-image'))).toBe(true);
      await snap(widget, 'attachment-widget-picked');
      await widget.getByTestId('send').click();
      await pending.waitFor({ state: 'detached' });
      const sent = widget.locator('[data-testid="message"][data-author="visitor"]').filter({ has: widget.getByTestId('attachment-image') });
      await sent.first().waitFor();
      await expect.poll(() => drawn(sent.first().getByTestId('attachment-image'))).toBe(true);
      // The agent sees it drawn in the transcript, fetched with the console's session.
      const got = desk.locator('[data-testid="message"][data-author="visitor"]').filter({ has: desk.getByTestId('attachment-image') });
      await got.first().waitFor();
      await expect.poll(() => drawn(got.first().getByTestId('attachment-image'))).toBe(true);
      expect(await got.first().getByTestId('attachment-image').getAttribute('alt')).toBe('账单.png');

      // A pasted screenshot: picked the same way, sent with the words typed beside it.
      await transfer(widget.getByTestId('input'), 'paste', { name: 'screenshot.png', type: 'image/png', bytes: pngBytes(60, 40, [20, 160, 60]) });
      await pending.getByTestId('attachment-image').waitFor();
      await widget.getByTestId('input').fill('这是第二张');
      await widget.getByTestId('send').click();
      await message(widget, 'visitor', '这是第二张').waitFor();
      await expect.poll(() => got.count()).toBe(2);
      await message(desk, 'visitor', '这是第二张').waitFor();

      // A page renamed .png is refused in the widget before it is sent, and the reason shows.
      await widget.getByTestId('attach-input').setInputFiles({ name: 'page.png', mimeType: 'text/html', buffer: Buffer.from('<script>alert(1)</script>') });
      await widget.getByTestId('attachment-refused').waitFor();

      // The agent's paperclip: a PDF, shown as its icon, name and size before and after sending.
      await desk.getByTestId('attach-input').setInputFiles({ name: '3月发票.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) });
      const deskPending = desk.getByTestId('attachment-pending');
      await deskPending.getByTestId('attachment-pdf').filter({ hasText: '3月发票.pdf' }).waitFor();
      await snap(desk, 'attachment-console-picked');
      await desk.getByTestId('agent-send').click();
      await deskPending.waitFor({ state: 'detached' });
      const pdfOut = desk.locator('[data-testid="message"][data-author="agent"]').getByTestId('attachment-pdf');
      await pdfOut.filter({ hasText: '3月发票.pdf' }).waitFor();
      expect(await pdfOut.first().textContent()).toMatch(/PDF · \d+ B/);
      const pdfIn = widget.locator('[data-testid="message"][data-author="agent"]').getByTestId('attachment-pdf');
      await pdfIn.filter({ hasText: '3月发票.pdf' }).waitFor();
      // The visitor saves it: fetched with the token, downloaded under its own name.
      const [download] = await Promise.all([widget.waitForEvent('download'), pdfIn.first().click()]);
      expect(download.suggestedFilename()).toBe('3月发票.pdf');

      // A picture dropped on the agent's reply box.
      await transfer(desk.getByTestId('agent-input'), 'drop', { name: 'guide.png', type: 'image/png', bytes: pngBytes(90, 60, [200, 160, 20]) });
      await deskPending.getByTestId('attachment-image').waitFor();
      await desk.getByTestId('agent-send').click();
      const agentPicture = widget.locator('[data-testid="message"][data-author="agent"]').filter({ has: widget.getByTestId('attachment-image') });
      await agentPicture.first().waitFor();
      await expect.poll(() => drawn(agentPicture.first().getByTestId('attachment-image'))).toBe(true);

      await snap(widget, 'attachment-widget-desktop');
      await snap(desk, 'attachment-console-desktop');
      for (const [size, viewport] of Object.entries(SIZES)) {
        if (!shots || size === 'desktop') continue;
        await widget.setViewportSize(viewport);
        await desk.setViewportSize(viewport);
        await snap(widget, `attachment-widget-${size}`);
        await snap(desk, `attachment-console-${size}`);
      }

      expect(visitor.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      expect(agent.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    } finally {
      await setAgentStatus(agent.page, url, 'offline');
    }
  }, TIMEOUT);

  it('a visitor on a phone picks a picture and sees it sent', async () => {
    const url = live.stack.url;
    const { page } = await newPage(live.browser, SIZES.phone);
    const seen = watch(page);
    const agent = await agentConsole(live.browser, url, 'fiona', 'away');
    try {
      await page.goto(`${url}/`);
      await page.getByTestId('launcher').click();
      await page.getByTestId('input').fill('手机上发图片');
      await page.getByTestId('send').click();
      await message(page, 'visitor', '手机上发图片').waitFor();
      const queued = page.getByTestId('queue-status');
      await queued.or(page.getByTestId('handoff-button')).first().waitFor();
      if (!(await queued.isVisible())) await page.getByTestId('handoff-button').click();
      await queued.waitFor();
      await take(agent.page, '手机上发图片');
      await page.getByTestId('attach-input').setInputFiles({ name: 'phone.png', mimeType: 'image/png', buffer: Buffer.from(pngBytes(300, 200, [120, 40, 160])) });
      await page.getByTestId('attachment-pending').getByTestId('attachment-image').waitFor();
      await snap(page, 'attachment-widget-phone-picked');
      await page.getByTestId('send').click();
      const sent = page.locator('[data-testid="message"][data-author="visitor"]').getByTestId('attachment-image');
      await sent.first().waitFor();
      await expect.poll(() => drawn(sent.first())).toBe(true);
      await snap(page, 'attachment-widget-phone-sent');
      expect(seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
    } finally {
      await setAgentStatus(agent.page, url, 'offline');
    }
  }, TIMEOUT);
});
