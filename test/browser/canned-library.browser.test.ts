// The admin screen's pickers and the canned library in real Chromium (issue 17). An admin picks a group's provinces
// from the province list (filtered by name), its skills from those in use plus one typed in (a bad one is refused
// as it is typed), removes a chip when editing, and the server stores exactly what was picked. The admin adds a
// file and a link to the library on the canned screen; an agent holding a chat types "/", picks the file, and it
// goes out as an attachment the visitor sees drawn; the link goes into the reply box as its title and address.
// `SCREENSHOTS=<dir>` also saves the changed screens at desktop, tablet and phone width there, to look at.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ADMIN, browserSuite, KEEP_PRESENCE, setAgentStatus, useStackAndBrowser } from './browser-kit.ts';
import { agentConsole, message, signedInConsole, take, visitorWaiting } from './flows.ts';
import { pngBytes } from '../attachment-files.ts';

const TIMEOUT = 150_000;
const shots = process.env.SCREENSHOTS;
const SIZES = { desktop: { width: 1440, height: 900 }, tablet: { width: 820, height: 1180 }, phone: { width: 390, height: 844 } } as const;

async function snapSizes(page: Page, name: string): Promise<void> {
  if (!shots) return;
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.waitForFunction(() => document.fonts.status === 'loaded');
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(shots, `${name}-${size}.png`), fullPage: size !== 'desktop' });
  }
  await page.setViewportSize(SIZES.desktop);
}

interface StoredGroup {
  id: string;
  provinces: string[];
  skills: string[];
}

browserSuite('admin pickers and the canned library', () => {
  const live = useStackAndBrowser({ env: KEEP_PRESENCE, timeoutMs: TIMEOUT, agents: [{ username: 'gwen', displayName: 'Gwen', capacity: 10 }] });

  it("picks a group's provinces and skills from lists (and a typed skill), and stores exactly those", async () => {
    const { page, seen } = await signedInConsole(live.browser, live.stack.url, ADMIN, SIZES.desktop);
    await setAgentStatus(page, live.stack.url, 'offline');
    const stored = async (id: string) =>
      ((await page.evaluate(async () => (await (await fetch('/api/admin/groups')).json()) as { groups: StoredGroup[] })).groups.find((g) => g.id === id) ?? null);
    await page.getByTestId('nav-admin').click();

    const provinces = page.getByTestId('group-provinces').last();
    const skills = page.getByTestId('group-skills').last();
    await provinces.waitFor();
    // The province list is long: a filter narrows it, by Chinese name or pinyin id.
    await provinces.getByTestId('pick-filter').fill('guang');
    await expect.poll(() => provinces.locator('input[type="checkbox"]').count()).toBe(2);
    await provinces.getByLabel('广东').check();
    await provinces.getByLabel('广西').check();
    await provinces.getByTestId('pick-filter').fill('上海');
    await provinces.getByLabel('上海').check();
    expect(await provinces.getByTestId('pick-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).toEqual(['guangdong', 'guangxi', 'shanghai']);

    // Skills: the ones in use are listed; a bad key typed in is refused on the spot, a good one is added by Enter.
    expect(await skills.locator('input[type="checkbox"]').count()).toBeGreaterThanOrEqual(3);
    await skills.getByTestId('pick-filter').fill('Bad Skill!');
    expect(await skills.getByTestId('pick-add').count()).toBe(0);
    await skills.getByText(/只能是小写字母/).waitFor();
    await skills.getByTestId('pick-filter').fill('roaming');
    await skills.getByTestId('pick-filter').press('Enter');
    await skills.getByTestId('pick-filter').fill('');
    await skills.getByLabel('mobile', { exact: true }).check();

    await page.locator('input[name="id"]').fill('roam');
    await page.getByTestId('group-provinces').last().locator('xpath=..').locator('input[name="name"]').fill('国际漫游');
    await snapSizes(page, 'admin-pickers');
    await page.getByTestId('group-provinces').last().locator('xpath=..').locator('button[type="submit"]').click();
    await expect.poll(() => stored('roam')).toMatchObject({ provinces: ['guangdong', 'guangxi', 'shanghai'], skills: ['roaming', 'mobile'] });
    // After saving, the create form is empty again.
    await expect.poll(() => page.getByTestId('group-provinces').last().getByTestId('pick-chip').count()).toBe(0);

    // Edit: the chips show what is stored; one removed, one skill added, saved.
    const row = page.getByTestId('admin-group').filter({ hasText: 'roam' });
    await row.getByRole('button', { name: /编辑|Edit/ }).click();
    const editProvinces = page.getByTestId('group-save').locator('xpath=..').getByTestId('group-provinces');
    const editSkills = page.getByTestId('group-save').locator('xpath=..').getByTestId('group-skills');
    expect(await editProvinces.getByTestId('pick-chip').count()).toBe(3);
    await editProvinces.getByRole('button', { name: /移除 广西/ }).click();
    await editSkills.getByLabel('billing', { exact: true }).check();
    await page.getByTestId('group-save').click();
    await expect.poll(() => stored('roam')).toMatchObject({ provinces: ['guangdong', 'shanghai'], skills: ['roaming', 'mobile', 'billing'] });
    await expect.poll(() => page.getByTestId('admin-group').filter({ hasText: 'roam' }).getByTestId('group-coverage').innerText()).toContain('广东、上海');
    expect(seen.errors).toEqual([]);
    // A group serving some provinces makes the bot ask visitors theirs, and one serving mobile may take the next
    // test's chat from its agent: nationwide again, for a subject nobody asks about.
    const group = (await live.stack.admin('GET', '/api/admin/groups')).groups.find((g: { id: string }) => g.id === 'roam');
    await live.stack.admin('PUT', '/api/admin/groups/roam', { name: group.name, hours: group.hours, provinces: [], skills: ['roaming'] });
  }, TIMEOUT);

  it('an admin adds a file and a link; the agent inserts the file into a chat (the visitor gets it) and the link as text', async () => {
    const url = live.stack.url;
    const admin = await signedInConsole(live.browser, url, ADMIN, SIZES.desktop);
    await setAgentStatus(admin.page, url, 'offline');
    const agent = await agentConsole(live.browser, url, 'gwen', 'away');
    const visitor = await visitorWaiting(live.browser, url, '营业厅二维码在哪里');
    try {
      const desk = admin.page;
      await desk.getByTestId('nav-canned').click();
      const form = desk.getByTestId('canned-create');
      // A file: the kind, the fields, the picture.
      await form.getByTestId('canned-kind-select').selectOption('file');
      await form.locator('input[name="shortcut"]').fill('/qr');
      await form.locator('input[name="title"]').fill('营业厅二维码');
      await form.locator('input[name="category"]').fill('渠道');
      await form.getByTestId('canned-file').setInputFiles({ name: '营业厅二维码.png', mimeType: 'image/png', buffer: Buffer.from(pngBytes(96, 96, [30, 90, 200])) });
      await form.locator('button[type="submit"]').click();
      const fileRow = desk.getByTestId('canned-row').filter({ hasText: '/qr' });
      await fileRow.getByTestId('canned-file-card').waitFor();
      await expect.poll(() => fileRow.getByTestId('attachment-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(96);
      // A link: refused while it is not http(s) (the browser's own check, then the server's), kept once it is.
      await form.getByTestId('canned-kind-select').selectOption('link');
      await form.locator('input[name="shortcut"]').fill('/5g');
      await form.locator('input[name="title"]').fill('5G 套餐');
      await form.getByTestId('canned-url').fill('https://www.example.cn/5g');
      await form.locator('button[type="submit"]').click();
      const linkRow = desk.getByTestId('canned-row').filter({ hasText: '/5g' });
      expect(await linkRow.getByTestId('canned-link').getAttribute('href')).toBe('https://www.example.cn/5g');
      expect(await linkRow.getByTestId('canned-link').getAttribute('rel')).toContain('noopener');
      await snapSizes(desk, 'canned-library');

      // The agent holding the chat: "/qr" lists the file; picking it sends it.
      const work = agent.page;
      await take(work, '营业厅二维码在哪里');
      await work.getByTestId('agent-input').fill('/qr');
      const item = work.getByTestId('canned-item').filter({ hasText: '营业厅二维码' });
      await item.waitFor();
      expect(await item.getByTestId('canned-item-kind').innerText()).toBe('文件');
      await snapSizes(work, 'canned-picker');
      await item.click();
      const sent = work.locator('[data-testid="message"][data-author="agent"]').filter({ has: work.getByTestId('attachment-image') });
      await sent.first().waitFor();
      expect(await work.getByTestId('agent-input').inputValue()).toBe('');
      // The visitor gets it like any file an agent sends: drawn in the widget.
      const got = visitor.page.locator('[data-testid="message"][data-author="agent"]').filter({ has: visitor.page.getByTestId('attachment-image') });
      await got.first().waitFor();
      await expect.poll(() => got.first().getByTestId('attachment-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(96);

      // "/5g": the link goes into the box as its title and address, and is sent as text the agent may edit first.
      await work.getByTestId('agent-input').fill('/5g');
      await work.getByTestId('canned-item').filter({ hasText: '5G 套餐' }).click();
      expect(await work.getByTestId('agent-input').inputValue()).toBe('5G 套餐 https://www.example.cn/5g');
      await work.getByTestId('agent-send').click();
      await message(visitor.page, 'agent', '5G 套餐').waitFor();
      await snapSizes(visitor.page, 'canned-file-widget');
      expect(agent.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      expect(visitor.seen).toEqual({ errors: [], dialogs: [], cspViolations: [] });
      expect(admin.seen.errors).toEqual([]);
    } finally {
      await setAgentStatus(agent.page, url, 'offline');
    }
  }, TIMEOUT);
});
