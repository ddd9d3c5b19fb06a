// Two agents in two browser contexts share one chat in a real Chromium: the holder invites a colleague from the
// chat's header, the colleague accepts beside the queue, both write, and the visitor's widget names each agent on
// their own messages and files; a private consult between them never reaches the visitor's page; the colleague leaves,
// and, invited again, going offline takes them out of the chat (their tab ends, the visitor is told).
// Photographs the console with a colleague in the chat at desktop, tablet and phone width (into /tmp/shots; the
// docs' pictures are `npm run screenshots`'), and checks none of them overflows sideways, in both languages.
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { KEEP_PRESENCE, browserSuite, setAgentStatus, useStackAndBrowser, type Watched } from './browser-kit.ts';
import { agentConsole, agentSays, message, take, visitorWaiting } from './flows.ts';
import { pngBytes } from '../attachment-files.ts';

const TIMEOUT = 150_000;
const CLEAN: Watched = { errors: [], dialogs: [], cspViolations: [] };
const SHOTS = '/tmp/shots';
mkdirSync(SHOTS, { recursive: true });

browserSuite('a colleague in a chat, in Chromium', () => {
  const live = useStackAndBrowser({
    env: KEEP_PRESENCE,
    timeoutMs: TIMEOUT,
    agents: [
      { username: 'wang', displayName: '王芳' },
      { username: 'li', displayName: '李强' },
      { username: 'zhao', displayName: '赵敏' },
    ],
  });

  it('shares one chat between two agents; the visitor sees both names, never the consult', async () => {
    const url = live.stack.url;
    const holder = await agentConsole(live.browser, url, 'wang', 'away');
    const colleague = await agentConsole(live.browser, url, 'li', 'away');
    const expert = await agentConsole(live.browser, url, 'zhao', 'away');
    try {
      const visitor = await visitorWaiting(live.browser, url, '我想把套餐改成 5G 畅享 C-1');
      await take(holder.page, '5G 畅享 C-1');
      await agentSays(holder.page, '您好，我是王芳，马上为您查询。');
      // Busy: at work, may be asked in, given nothing from the queue.
      await setAgentStatus(colleague.page, url, 'busy');

      // The holder asks the colleague in, from the chat's header.
      await holder.page.getByTestId('invite-colleague').click();
      const dialog = holder.page.getByTestId('invite-dialog');
      await dialog.getByTestId('invite-option').filter({ hasText: '李强' }).click();
      await dialog.getByTestId('invite-note').fill('客户问 5G 套餐降档，帮忙确认一下违约金');
      await dialog.getByTestId('invite-submit').click();
      await holder.page.getByTestId('participant').filter({ hasText: '李强' }).and(holder.page.locator('[data-state="invited"]')).waitFor();

      // The colleague sees the invitation beside the queue, with the note, and accepts.
      const invitation = colleague.page.getByTestId('chat-invitation');
      await invitation.waitFor();
      expect(await invitation.innerText()).toContain('违约金');
      await colleague.page.screenshot({ path: `${SHOTS}/console-colleague-invitation.png` });
      await invitation.getByTestId('invitation-accept').click();
      await message(colleague.page, 'visitor', '5G 畅享 C-1').first().waitFor();
      await message(colleague.page, 'agent', '我是王芳').first().waitFor();
      await colleague.page.getByTestId('participant').filter({ hasText: '王芳' }).waitFor();
      await holder.page.getByTestId('participant').filter({ hasText: '李强' }).and(holder.page.locator('[data-state="joined"]')).waitFor();
      // The colleague writes; the holder stays the owner (no close or transfer for the colleague).
      await agentSays(colleague.page, '您好，我是李强，违约金的问题我来解答。');
      await message(holder.page, 'agent', '我是李强').first().waitFor();
      expect(await colleague.page.getByTestId('close').count()).toBe(0);
      expect(await colleague.page.getByTestId('leave-chat').count()).toBe(1);
      // The colleague's paperclip works as the holder's: a picture goes to the visitor under the colleague's name.
      const clip = colleague.page.getByTestId('attach');
      expect(await clip.isVisible()).toBe(true);
      expect(await clip.isEnabled()).toBe(true);
      await colleague.page.getByTestId('attach-input').setInputFiles({ name: '资费单.png', mimeType: 'image/png', buffer: Buffer.from(pngBytes(120, 80, [40, 120, 220])) });
      await colleague.page.getByTestId('attachment-pending').getByTestId('attachment-image').waitFor();
      await colleague.page.screenshot({ path: `${SHOTS}/console-colleague-attach-1440.png` });
      await colleague.page.getByTestId('agent-send').click();
      await colleague.page.getByTestId('attachment-pending').waitFor({ state: 'detached' });
      // Named at once in the colleague's own console (not as a nameless agent until the view is read again).
      const ownPicture = colleague.page.locator('[data-testid="message"][data-author="agent"]').filter({ has: colleague.page.getByTestId('attachment-image') });
      expect(await ownPicture.first().innerText()).toContain('李强 ·');
      await holder.page.locator('[data-testid="message"][data-author="agent"]').filter({ has: holder.page.getByTestId('attachment-image') }).first().waitFor();
      const picture = visitor.page.locator('[data-testid="message"][data-author="agent"]').filter({ has: visitor.page.getByTestId('attachment-image') });
      await picture.first().waitFor();
      expect(await picture.first().getByTestId('message-author').innerText()).toBe('李强');
      for (const [width, height, name] of [[820, 1180, '820'], [390, 844, 'phone']] as const) {
        await colleague.page.setViewportSize({ width, height });
        await colleague.page.screenshot({ path: `${SHOTS}/console-colleague-attach-${name}.png` });
        expect(await colleague.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${width}px`).toBeLessThanOrEqual(0);
      }
      await colleague.page.setViewportSize({ width: 1440, height: 900 });

      // The visitor sees who wrote what: a note that a second agent joined, and each name on its own messages.
      await message(visitor.page, 'agent', '我是李强').waitFor();
      await message(visitor.page, 'system', '李强').first().waitFor();
      expect(await message(visitor.page, 'agent', '我是王芳').getByTestId('message-author').innerText()).toBe('王芳');
      expect(await message(visitor.page, 'agent', '我是李强').getByTestId('message-author').innerText()).toBe('李强');

      // A private consult: in both consoles, marked private, and nowhere on the visitor's page.
      await colleague.page.getByTestId('consult-input').fill('内部：降档需要付 50 元违约金，可以减免一半');
      await colleague.page.getByTestId('consult-send').click();
      await holder.page.getByTestId('consult-note').filter({ hasText: '可以减免一半' }).waitFor();
      await holder.page.getByTestId('consult-input').fill('好的，我来跟客户说');
      await holder.page.getByTestId('consult-send').click();
      await colleague.page.getByTestId('consult-note').filter({ hasText: '我来跟客户说' }).waitFor();
      // A colleague outside the chat asked privately: the thread shows beside their queue, and they answer there.
      await holder.page.getByTestId('consult-to').selectOption({ label: '赵敏' });
      await holder.page.getByTestId('consult-input').fill('赵敏，减免需要主管审批吗？');
      await holder.page.getByTestId('consult-send').click();
      const thread = expert.page.getByTestId('consult-thread');
      await thread.getByTestId('consult-note').filter({ hasText: '主管审批' }).waitFor();
      await thread.getByTestId('consult-input').fill('五十元以内不用审批');
      await thread.getByTestId('consult-send').click();
      await holder.page.getByTestId('consult-note').filter({ hasText: '不用审批' }).waitFor();
      await expert.page.screenshot({ path: `${SHOTS}/console-consult-asked.png` });
      // Asked is not in: the expert has no tab of the chat.
      expect(await expert.page.getByTestId('chat-tab').count()).toBe(0);
      await agentSays(holder.page, '降档需要付违约金，我们可以为您减免一半。');
      await message(visitor.page, 'agent', '减免一半').waitFor();
      expect(await visitor.page.content()).not.toContain('可以减免一半');
      expect(await visitor.page.content()).not.toContain('主管审批');
      expect(await visitor.page.locator('chat-widget').evaluate((el) => el.shadowRoot?.innerHTML ?? '')).not.toContain('内部：');

      // The holder's console with the colleague in the chat, at desktop, tablet and phone width.
      await holder.page.setViewportSize({ width: 1440, height: 900 });
      await holder.page.screenshot({ path: `${SHOTS}/console-colleague-1440.png` });
      await holder.page.setViewportSize({ width: 820, height: 1180 });
      await holder.page.screenshot({ path: `${SHOTS}/console-colleague-820.png` });
      await holder.page.setViewportSize({ width: 390, height: 844 });
      await holder.page.screenshot({ path: `${SHOTS}/console-colleague-phone.png` });
      await colleague.page.screenshot({ path: `${SHOTS}/console-colleague-invitee-1440.png` });
      await visitor.page.screenshot({ path: `${SHOTS}/widget-two-agents.png` });
      // No horizontal overflow at any of the widths looked at.
      for (const [width, height] of [[1440, 900], [820, 1180], [390, 844]] as const) {
        await holder.page.setViewportSize({ width, height });
        expect(await holder.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${width}px`).toBeLessThanOrEqual(0);
      }
      await holder.page.setViewportSize({ width: 1440, height: 900 });
      // In English too, at desktop and tablet width: the strip, the consult and the dialog's words fit.
      await holder.page.getByTestId('lang-switch').click();
      await holder.page.getByTestId('participants').filter({ hasText: 'owner' }).waitFor();
      for (const [width, height] of [[1440, 900], [820, 1180]] as const) {
        await holder.page.setViewportSize({ width, height });
        await holder.page.screenshot({ path: `${SHOTS}/console-colleague-en-${width}.png` });
        expect(await holder.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `en ${width}px`).toBeLessThanOrEqual(0);
      }
      await holder.page.setViewportSize({ width: 1440, height: 900 });
      await holder.page.getByTestId('lang-switch').click();
      // The colleague's console names their own messages too.
      expect(await message(colleague.page, 'agent', '我是李强').first().innerText()).toContain('李强 ·');

      // The colleague leaves: their tab shows it, the holder's strip no longer names them, the visitor is told.
      await colleague.page.getByTestId('leave-chat').click();
      await colleague.page.getByTestId('chat-ended').waitFor();
      await expect.poll(() => holder.page.getByTestId('participant').filter({ hasText: '李强' }).count()).toBe(0);
      await message(visitor.page, 'system', '离开').first().waitFor();

      // Asked in again, the colleague goes offline: the system takes them out (their tab ends, the visitor is told).
      await holder.page.getByTestId('invite-colleague').click();
      await holder.page.getByTestId('invite-dialog').getByTestId('invite-option').filter({ hasText: '李强' }).click();
      await holder.page.getByTestId('invite-dialog').getByTestId('invite-submit').click();
      await colleague.page.getByTestId('chat-invitation').getByTestId('invitation-accept').click();
      await holder.page.getByTestId('participant').filter({ hasText: '李强' }).and(holder.page.locator('[data-state="joined"]')).waitFor();
      await colleague.page.getByTestId('agent-input').waitFor();
      await expect.poll(() => colleague.page.getByTestId('chat-ended').count()).toBe(0);
      await setAgentStatus(colleague.page, url, 'offline');
      await colleague.page.getByTestId('chat-ended').waitFor();
      expect(await colleague.page.getByTestId('chat-ended').innerText()).toContain('离开');
      await expect.poll(() => holder.page.getByTestId('participant').filter({ hasText: '李强' }).count()).toBe(0);
      await expect.poll(() => message(visitor.page, 'system', '离开').count()).toBe(2);
      await colleague.page.screenshot({ path: `${SHOTS}/console-colleague-offline-1440.png` });

      // A phone opening the console afresh: the consult starts folded (the transcript needs the height) and unfolds.
      await holder.page.setViewportSize({ width: 390, height: 844 });
      await holder.page.reload();
      await holder.page.getByTestId('participants').waitFor();
      expect(await holder.page.getByTestId('consult-input').count()).toBe(0);
      await holder.page.screenshot({ path: `${SHOTS}/console-colleague-phone-fresh.png` });
      // A colleague's note coming in live unfolds it; the toggle folds and unfolds it by hand. On a phone the consult is
      // in the chat's details sheet: the note marks the details button, which opens the sheet with the note in view.
      expect(await holder.page.getByTestId('chat-details-new').count()).toBe(0);
      await expert.page.getByTestId('consult-thread').getByTestId('consult-input').fill('补充：减免要在备注里写明原因');
      await expert.page.getByTestId('consult-thread').getByTestId('consult-send').click();
      await holder.page.getByTestId('chat-details-new').waitFor();
      await holder.page.getByTestId('chat-details').click();
      await holder.page.getByTestId('consult-note').filter({ hasText: '写明原因' }).waitFor();
      expect(await holder.page.getByTestId('chat-details-new').count()).toBe(0);
      await holder.page.getByTestId('consult-toggle').click();
      expect(await holder.page.getByTestId('consult-input').count()).toBe(0);
      await holder.page.getByTestId('consult-toggle').click();
      await holder.page.getByTestId('consult-note').filter({ hasText: '可以减免一半' }).waitFor();
      expect(await holder.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

      expect(holder.seen).toEqual(CLEAN);
      expect(colleague.seen).toEqual(CLEAN);
      expect(visitor.seen).toEqual(CLEAN);
      expect(expert.seen).toEqual(CLEAN);
    } finally {
      // The next test's chat must not go to these agents.
      await setAgentStatus(holder.page, url, 'offline').catch(() => {});
      await setAgentStatus(colleague.page, url, 'offline').catch(() => {});
      await setAgentStatus(expert.page, url, 'offline').catch(() => {});
    }
  }, TIMEOUT);
});
