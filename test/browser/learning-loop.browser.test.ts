// The learning loop end to end in a real Chromium: visitors ask, through the widget, a colloquial question the
// shipped KB misses; an editor finds it grouped in Unanswered, attaches it to the entry it belongs to and downloads
// the change file; that file, applied to a copy of the knowledge folder, makes the same words answered by that
// entry (the shipped folder untouched); dismissing empties the inbox, and the audit log has the generated change.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEngine } from '../../bot/engine/engine.ts';
import { applyKbChange, parseKbChange } from '../../knowledge/kb-change.ts';
import { loadKnowledge } from '../../knowledge/load-knowledge.ts';
import { ADMIN, browserSuite, newPage, useStackAndBrowser, watch } from './browser-kit.ts';
import { message, signedInConsole } from './flows.ts';

const TIMEOUT = 120_000;
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const KNOWLEDGE = path.join(ROOT, 'knowledge');
const EDITOR = { username: 'lina', password: 'lina-edits-the-faq' };
/** The entry these words mean: unsubscribing value-added services ("those little things I got on my phone"). */
const ENTRY = 'billing.vas-unsubscribe';
/**
 * How a visitor says "unsubscribe value-added services" without knowing the term. The shipped KB misses all three
 * (fallback no_match, billing.vas-unsubscribe only a weak candidate; `npm run kb -- ask "..." --explain`), and their
 * search tokens overlap enough to group (手机 小东西 注销 ...).
 */
const PHRASINGS = ['手机里开的那些小东西怎么不要了', '手机里那些小东西怎么不要了', '手机里开的那些小东西怎么不要了啊'];

/** The knowledge content (YAML) under `dir`, hashed: the code files beside it are other work's business. */
function hashKnowledge(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(e.name)) hash.update(`${path.relative(dir, p)}\n`).update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

async function engineOn(dir: string) {
  const loaded = await loadKnowledge(dir);
  if (!loaded.ok) throw new Error(`knowledge in ${dir}: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return createEngine(loaded.kb);
}

browserSuite('learning loop in Chromium: missed questions become KB content', () => {
  const live = useStackAndBrowser({ timeoutMs: TIMEOUT });
  const work = mkdtempSync(path.join(tmpdir(), 'learning-loop-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('visitors miss, the editor attaches the group to an entry, the applied file answers them; dismiss and audit', async () => {
    const shippedHash = hashKnowledge(KNOWLEDGE);
    // The premise: the shipped KB does not answer these words.
    const before = await engineOn(KNOWLEDGE);
    for (const q of PHRASINGS) expect(before.decide(q).kind, q).not.toBe('answer');

    // 1. Each phrasing from its own visitor, through the widget.
    for (const q of PHRASINGS) {
      const { page } = await newPage(live.browser);
      const seen = watch(page);
      await page.goto(`${live.stack.url}/`);
      await page.getByTestId('launcher').click();
      await page.getByTestId('input').fill(q);
      await page.getByTestId('send').click();
      await message(page, 'visitor', q).waitFor();
      await message(page, 'bot', /./).first().waitFor();
      expect(seen.errors).toEqual([]);
      await page.context().close();
    }
    const inbox = async () => (await live.stack.admin('GET', '/api/admin/unanswered')).questions as Array<{ count: number; variants: string[] }>;
    await expect.poll(async () => (await inbox()).find((g) => g.variants.includes(PHRASINGS[0]!))?.count).toBe(PHRASINGS.length);

    // 2. An editor (content only) opens Unanswered: one group holding every phrasing.
    await live.stack.admin('POST', '/api/admin/agents', { username: EDITOR.username, displayName: 'Lina', password: EDITOR.password, role: 'editor', groups: [] });
    const { page, seen } = await signedInConsole(live.browser, live.stack.url, EDITOR, { width: 1280, height: 900 });
    await page.getByTestId('nav-unanswered').click();
    const screen = page.locator('console-unanswered');
    const groups = screen.getByTestId('unanswered-group');
    await groups.first().waitFor();
    expect(await groups.count()).toBe(1);
    const group = groups.first();
    const count = Number((await group.getByTestId('unanswered-count').textContent())!.replace(/\D/g, ''));
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBe(PHRASINGS.length);
    for (const q of PHRASINGS) expect(await group.getByText(q, { exact: true }).count(), q).toBeGreaterThan(0);

    await group.getByTestId('unanswered-add').click();
    const form = group.getByTestId('unanswered-add-form');
    await form.waitFor();
    // Picking another of the bot's candidates puts its id in the field; the editor then types the one they mean.
    const other = group.getByTestId('unanswered-candidate').nth(1);
    const otherId = (await other.textContent())!.trim();
    await other.click();
    await expect.poll(() => form.getByTestId('unanswered-entry').inputValue()).toBe(otherId);
    await form.getByTestId('unanswered-entry').fill(ENTRY);
    // Every phrasing is offered, ticked.
    const boxes = form.locator('input[type="checkbox"][name="question"]');
    expect(await boxes.count()).toBe(PHRASINGS.length);
    for (let i = 0; i < PHRASINGS.length; i++) expect(await boxes.nth(i).isChecked()).toBe(true);
    await page.screenshot({ path: '/tmp/shots/unanswered.png', fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), form.getByTestId('unanswered-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^kb-change-\d{4}-\d{2}-\d{2}\.yaml$/);
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    await screen.getByTestId('unanswered-info').waitFor();
    expect(await screen.getByTestId('unanswered-info').textContent()).toContain(download.suggestedFilename());
    // The file is not applied anywhere: the server still answers the same way.
    expect(hashKnowledge(KNOWLEDGE)).toBe(shippedHash);

    // 3. The reviewed file applied to a copy of the knowledge folder: the visitors' words now get that entry.
    const parsed = parseKbChange(file, readFileSync(file, 'utf8'));
    if (!parsed.ok) throw new Error(`change file: ${parsed.problems.map((p) => `${p.line}: ${p.message}`).join('; ')}`);
    expect(parsed.change.changes).toEqual([{ addQuestions: { entry: ENTRY, lang: 'zh', questions: expect.arrayContaining(PHRASINGS) } }]);
    const copy = path.join(work, 'knowledge');
    cpSync(KNOWLEDGE, copy, { recursive: true, filter: (src) => !/\.(ts|mjs)$/.test(src) });
    const applied = await applyKbChange(copy, parsed.change, { source: parsed.source });
    if (!applied.ok) throw new Error(`apply: ${applied.problems.map((p) => p.message).join('; ')}`);
    expect(applied.written).toBe(true);
    expect(applied.edits.map((e) => e.file)).toEqual(['faq/billing.yaml']);
    const after = await engineOn(copy);
    for (const q of PHRASINGS) expect(after.decide(q), q).toMatchObject({ kind: 'answer', entryId: ENTRY });
    expect(hashKnowledge(KNOWLEDGE)).toBe(shippedHash);
    expect(hashKnowledge(copy)).not.toBe(shippedHash);

    // 4. Dismissed: the inbox is empty, on screen and in the API; the audit log names the editor's change.
    await group.getByTestId('unanswered-dismiss').click();
    await screen.getByTestId('unanswered-empty').waitFor();
    expect(await groups.count()).toBe(0);
    expect(await inbox()).toEqual([]);
    const editorId = (await live.stack.admin('GET', '/api/admin/agents')).agents.find((a: any) => a.username === EDITOR.username).id;
    const generated = (await live.stack.admin('GET', '/api/admin/audit?action=kb_change.generated')).entries;
    expect(generated).toHaveLength(1);
    expect(generated[0]).toMatchObject({
      actor: { id: editorId, displayName: 'Lina' },
      target: { type: 'kb_change' },
      details: { source: 'unanswered', changes: [{ addQuestions: ENTRY, lang: 'zh', count: PHRASINGS.length }] },
    });
    const dismissed = (await live.stack.admin('GET', '/api/admin/audit?action=unanswered.dismissed')).entries;
    expect(dismissed).toMatchObject([{ actor: { id: editorId }, details: { questions: PHRASINGS.length } }]);
    // Counts and ids only: the visitors' words stay out of the audit log.
    for (const q of PHRASINGS) expect(JSON.stringify([...generated, ...dismissed])).not.toContain(q);

    expect(seen.errors).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  }, TIMEOUT);
});
