// `npm run kb -- publish` against a running cluster (three real processes, each with its own copy of the
// knowledge base, as on separate machines): every node serves the published version within 10 s, including one
// that starts afterwards, which must not fall back to its own, older folder.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { loadKnowledge } from '../../knowledge/index.ts';
import { copyKnowledge, ROOT, useCluster } from './cluster-kit.ts';
import { eventually, startVisitor } from './cluster-clients.ts';

const NODES = ['A', 'B', 'C'];
/** The contract: every node serves a publication within this long. */
const PUBLISH_MS = 10_000;
/** A question the shipped knowledge base answers with ENTRY. */
const QUESTION = '充值卡密码几位';
const ENTRY = 'recharge.card-digits';

/** Runs `npm run kb -- publish` with `env` only (as an editor's shell would have it); resolves with its exit and output. */
function publish(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'kb', '--', 'publish'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describeWithServices('publishing the knowledge base to every node', () => {
  const c = useCluster({ env: { RATE_LIMITS: 'off' } });
  const url = (name: string) => c.cluster.node(name).url;
  const versionOf = async (name: string): Promise<string> => ((await (await fetch(`${url(name)}/healthz`)).json()) as { kb: { version: string } }).kb.version;
  let published: { version: string; marker: string };

  it('after `npm run kb -- publish`, every node reports the new kb.version within 10 s and answers from it', async () => {
    const before = await Promise.all(NODES.map(versionOf));
    // Identical copies: one version everywhere to start with.
    expect(new Set(before).size).toBe(1);

    // An editor's changed copy: one answer reworded.
    const dir = copyKnowledge(path.join(c.cluster.workDir, 'edited'));
    const file = path.join(dir, 'faq', 'recharge.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const entries = doc.get('entries') as { items: Array<{ get(key: string): unknown }> };
    const index = entries.items.findIndex((e) => e.get('id') === ENTRY);
    expect(index).toBeGreaterThanOrEqual(0);
    const marker = `（${Date.now().toString(36)} 版）`;
    doc.setIn(['entries', index, 'answer', 'zh'], `${doc.getIn(['entries', index, 'answer', 'zh'])}${marker}`);
    writeFileSync(file, doc.toString());
    const loaded = await loadKnowledge(dir);
    expect(loaded.ok).toBe(true);
    const version = loaded.ok ? loaded.kb.version : '';
    // What `kb publish` publishes is the folder's version, as loading it computes it.
    expect(version).not.toBe(before[0]);

    const run = await publish({
      KNOWLEDGE_DIR: dir, DATABASE_URL: c.cluster.databaseUrl, REDIS_URL: c.cluster.redisUrl, REDIS_PREFIX: c.cluster.redisPrefix,
    });
    expect(run.code, run.output).toBe(0);
    await Promise.all(NODES.map((name) =>
      eventually(`node ${name} reports kb.version ${version}`, async () => ((await versionOf(name)) === version ? true : undefined), PUBLISH_MS, 100)));

    // Reporting it is not enough: each node answers from it.
    for (const name of NODES) {
      const { reply } = await startVisitor(url(name), QUESTION);
      expect(reply.entryId, `node ${name}`).toBe(ENTRY);
      expect(reply.text, `node ${name}`).toContain(marker);
    }
    published = { version, marker };
  }, 120_000);

  it('a node restarted after the publication serves it, not its own folder', async () => {
    expect(published, 'the publication of the first test').toBeDefined();
    await c.cluster.restart('C');
    expect(await versionOf('C')).toBe(published.version);
    const { reply } = await startVisitor(url('C'), QUESTION);
    expect(reply.text).toContain(published.marker);
  }, 120_000);
});
