// `npm run kb -- publish` as an editor runs it: a real process against a real PostgreSQL database and Redis.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKbPublications } from '../handoff/index.ts';
import { openPostgres } from '../handoff/postgres/open.ts';
import type { PgDb } from '../handoff/postgres/pg-db.ts';
import { createRedisLink, type RedisLink } from '../handoff/redis/redis-link.ts';
import { createTestDatabase, describeWithServices, testRedisPrefix, testRedisUrl, type TestDatabase } from '../handoff/testing/services.ts';
import { listKnowledgeFiles, loadKnowledge } from '../knowledge/index.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function kb(env: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  // Only what the command reads: a DATABASE_URL of the developer's own shell must not leak into the test.
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  try {
    const { stdout, stderr } = await run(tsx, [path.join(root, 'bot/cli/kb.ts'), ...args], { cwd: root, env: childEnv, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describeWithServices('npm run kb -- publish', () => {
  let dir: string;
  let database: TestDatabase;
  let db: PgDb;
  let listener: RedisLink;
  const prefix = testRedisPrefix();
  const heard: string[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kb-publish-'));
    await cp(path.join(root, 'knowledge'), dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
    database = await createTestDatabase();
    db = await openPostgres(database.url);
    // A node's ear: the channel the nodes of this prefix listen on.
    listener = createRedisLink(testRedisUrl(), { prefix });
    await createKbPublications(db, listener).onPublished((id) => heard.push(String(id)));
    env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix, KNOWLEDGE_DIR: dir };
  });
  afterAll(async () => {
    await listener.close();
    await db.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a broken knowledge base with exactly what `kb check` says, and publishes nothing', async () => {
    const file = path.join(dir, 'faq', 'recharge.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace(/followups: \[([^\]]*)\]/, 'followups: [$1, recharge.no-such-entry]'));
    try {
      const [check, publish] = await Promise.all([kb(env, 'check'), kb(env, 'publish')]);
      expect(check.code).toBe(1);
      expect(publish.code).toBe(1);
      // The same messages, file:line:col first: an editor fixes a refused publish as a failed check.
      expect(publish.stdout).toBe(check.stdout);
      expect(publish.stdout).toMatch(/faq\/recharge\.yaml:\d+:\d+ .*follow-up "recharge\.no-such-entry" does not exist/);
      expect(publish.stderr).toMatch(/publish refused/);
    } finally {
      await writeFile(file, original);
    }
    expect(await createKbPublications(db).newest()).toBeUndefined();
    expect(heard).toEqual([]);
  }, 90_000);

  it('publishes a good one: the checked files, under the version a node computes from them, announced on Redis', async () => {
    const file = path.join(dir, 'faq', 'recharge.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('A China Unicom 一卡充 recharge card has', 'PUBLISHED: A China Unicom 一卡充 recharge card has'));
    const r = await kb(env, 'publish');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ entries/m);

    const local = await loadKnowledge(dir);
    if (!local.ok) throw new Error('the edited copy must load');
    const publications = createKbPublications(db);
    const head = await publications.newest();
    // The version is the loader's content hash: a node loading these files reports the same kb.version.
    expect(head?.version).toBe(local.kb.version);
    expect(head?.entries).toBe(local.kb.entries.length);
    expect(r.stdout).toContain(`published ${local.kb.version}`);
    const stored = (await publications.read(head!.id))!.files;
    const names = await listKnowledgeFiles(dir);
    expect([...stored.keys()].sort()).toEqual(names);
    for (const name of names) expect(stored.get(name)).toBe(await readFile(path.join(dir, name), 'utf8'));
    await expect.poll(() => heard, { timeout: 3000 }).toEqual([String(head!.id)]);
  }, 90_000);

  it('says what is missing without DATABASE_URL, after the check', async () => {
    const r = await kb({ KNOWLEDGE_DIR: dir }, 'publish');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok: /m);
    expect(r.stderr).toMatch(/publish needs DATABASE_URL/);
  }, 90_000);
});
