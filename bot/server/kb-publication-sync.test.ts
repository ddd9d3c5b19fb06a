// Two "nodes" (each a knowledge runtime with its own copy of the knowledge folder and its own DATA_DIR) follow the
// publications of one real PostgreSQL database, told by a real Redis or, when the notice is lost, by polling.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createKbPublications, type KbPublications } from '../../handoff/index.ts';
import { openPostgres } from '../../handoff/postgres/open.ts';
import type { PgDb } from '../../handoff/postgres/pg-db.ts';
import { createRedisLink, type RedisLink } from '../../handoff/redis/redis-link.ts';
import { createTestDatabase, describeWithServices, testRedisPrefix, testRedisUrl, type TestDatabase } from '../../handoff/testing/services.ts';
import { loadKnowledge, type FileCache } from '../../knowledge/index.ts';
import { createEngineAsync } from '../engine/engine.ts';
import { defaultEngineOptions } from '../engine/engine-options.ts';
import { createKnowledgeRuntime, type KnowledgeRuntime } from './knowledge-runtime.ts';
import { createLogger } from './logger.ts';
import { newestPublicationDir, publishedCopiesDir, startKbPublicationSync, type KbPublicationSync } from './kb-publication-sync.ts';

const SHIPPED = path.resolve(import.meta.dirname, '../../knowledge');
const ENTRY = 'recharge.card-digits';
const ANSWER_START = 'A China Unicom 一卡充 recharge card has';

let tmp: string;
let database: TestDatabase;
let db: PgDb;
const links: RedisLink[] = [];
const syncs: KbPublicationSync[] = [];

async function knowledgeCopy(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await cp(SHIPPED, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return dir;
}

/** A knowledge folder whose answer to ENTRY starts with `marker`, as an editor would have it before publishing. */
async function editedKnowledge(marker: string): Promise<string> {
  const dir = await knowledgeCopy(`edited-${marker}`);
  const file = path.join(dir, 'faq', 'recharge.yaml');
  const text = await readFile(file, 'utf8');
  expect(text).toContain(ANSWER_START);
  await writeFile(file, text.replace(ANSWER_START, `${marker}: ${ANSWER_START}`));
  return dir;
}

/** What `kb publish` stores: the files as the loader read them, under the version it computed. */
async function publish(publications: KbPublications, dir: string): Promise<string> {
  const read: FileCache = new Map();
  const loaded = await loadKnowledge(dir, { cache: read });
  if (!loaded.ok) throw new Error(`test knowledge does not load: ${loaded.problems[0]?.message}`);
  const files = new Map([...read].map(([file, { text }]) => [file, text]));
  await publications.publish({ version: loaded.kb.version, entries: loaded.kb.entries.length, files, publishedBy: 'test' });
  return loaded.kb.version;
}

function logs() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

interface Node {
  runtime: KnowledgeRuntime;
  dataDir: string;
  knowledgeDir: string;
  lines: Array<Record<string, unknown>>;
}

/** A node as start-server makes one: the newest publication if there is one, else its own folder, then the sync. */
async function startNode(name: string, publications: KbPublications, pollMs?: number): Promise<Node> {
  const knowledgeDir = await knowledgeCopy(`${name}-knowledge`);
  const dataDir = path.join(tmp, `${name}-data`);
  const { lines, logger } = logs();
  const published = await newestPublicationDir(publications, dataDir);
  const runtime = await createKnowledgeRuntime({
    dir: published ?? knowledgeDir,
    load: (dir) => loadKnowledge(dir),
    build: (kb) => createEngineAsync(kb, defaultEngineOptions),
    logger,
  });
  syncs.push(await startKbPublicationSync({ publications, runtime, dataDir, logger }, pollMs === undefined ? {} : { pollMs }));
  return { runtime, dataDir, knowledgeDir, lines };
}

function redisLink(prefix: string): RedisLink {
  const link = createRedisLink(testRedisUrl(), { prefix });
  links.push(link);
  return link;
}

const answerOf = (runtime: KnowledgeRuntime) => runtime.engine.kb.entries.find((e) => e.id === ENTRY)?.answer.en ?? '';

describeWithServices('following the published knowledge base on every node', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'kb-sync-'));
    database = await createTestDatabase();
    db = await openPostgres(database.url);
  });
  afterEach(async () => {
    await Promise.all(syncs.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()));
    await db.close();
    await database.drop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('switches both nodes at once on the Redis notice, neither node having its own folder changed', async () => {
    const prefix = testRedisPrefix();
    // Polling every minute: within this test only the notice can bring the new version in time.
    const a = await startNode('notice-a', createKbPublications(db, redisLink(prefix)), 60_000);
    const b = await startNode('notice-b', createKbPublications(db, redisLink(prefix)), 60_000);
    // Nothing published yet: each serves its own folder.
    const own = await loadKnowledge(a.knowledgeDir);
    expect(own.ok && [a.runtime.status().version, b.runtime.status().version]).toEqual([own.ok && own.kb.version, own.ok && own.kb.version]);
    expect(a.runtime.dir).toBe(a.knowledgeDir);

    const version = await publish(createKbPublications(db, redisLink(prefix)), await editedKnowledge('NOTICE'));
    expect(version).not.toBe(own.ok && own.kb.version);
    const started = Date.now();
    for (const node of [a, b]) {
      await expect.poll(() => node.runtime.status().version, { timeout: 5000, interval: 50 }).toBe(version);
      // The content is the publisher's, read from the node's copy under DATA_DIR, not from its own folder.
      expect(answerOf(node.runtime)).toMatch(/^NOTICE: /);
      expect(node.runtime.dir).toBe(path.join(publishedCopiesDir(node.dataDir), version));
      expect(node.runtime.error).toBeUndefined();
    }
    expect(Date.now() - started).toBeLessThan(5000);
  }, 60_000);

  it('switches both nodes within 10 s by polling when the notice never arrives', async () => {
    // No Redis on the nodes' side: nothing is delivered to them, as when pub/sub drops the message.
    const a = await startNode('poll-a', createKbPublications(db));
    const b = await startNode('poll-b', createKbPublications(db));
    const version = await publish(createKbPublications(db, redisLink(testRedisPrefix())), await editedKnowledge('POLLED'));
    const started = Date.now();
    await Promise.all([a, b].map((node) => expect.poll(() => node.runtime.status().version, { timeout: 10_000, interval: 100 }).toBe(version)));
    // The contract is 10 s; the default poll (2 s) plus a build should do it in far less.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answerOf(a.runtime)).toMatch(/^POLLED: /);
    expect(answerOf(b.runtime)).toMatch(/^POLLED: /);
  }, 30_000);

  it('starts a node on the published version even when its own folder is broken, and ignores that folder', async () => {
    const publications = createKbPublications(db);
    const version = await publish(publications, await editedKnowledge('STARTUP'));
    const knowledgeDir = await knowledgeCopy('broken-knowledge');
    await writeFile(path.join(knowledgeDir, 'rules.yaml'), 'rules: [ this is not: valid');
    expect((await loadKnowledge(knowledgeDir)).ok).toBe(false);
    const dataDir = path.join(tmp, 'startup-data');
    const dir = await newestPublicationDir(publications, dataDir);
    expect(dir).toBe(path.join(publishedCopiesDir(dataDir), version));
    const { logger } = logs();
    const runtime = await createKnowledgeRuntime({ dir: dir!, load: (d) => loadKnowledge(d), build: (kb) => createEngineAsync(kb, defaultEngineOptions), logger });
    expect(runtime.status()).toEqual({ entries: expect.any(Number), version });
    expect(answerOf(runtime)).toMatch(/^STARTUP: /);
    // With nothing published there is no such folder: the node serves KNOWLEDGE_DIR as before.
    const empty = await createTestDatabase();
    const emptyDb = await openPostgres(empty.url);
    try {
      expect(await newestPublicationDir(createKbPublications(emptyDb), path.join(tmp, 'unpublished-data'))).toBeUndefined();
    } finally {
      await emptyDb.close();
      await empty.drop();
    }
  }, 60_000);

  it('keeps serving what it had when a publication cannot be loaded here, then takes the next good one', async () => {
    const publications = createKbPublications(db);
    const node = await startNode('bad', publications, 200);
    const before = node.runtime.status().version;
    // Written past the CLI's check (which would refuse it): a node must survive such a row, not serve it.
    const broken = new Map([['rules.yaml', 'rules: [ nope'], ['faq/x.yaml', 'topic: x\nentries: []\n']]);
    await publications.publish({ version: 'badbadbad000', entries: 0, files: broken, publishedBy: 'test' });
    await expect.poll(() => node.lines.some((l) => l.event === 'kb.sync_failed'), { timeout: 5000 }).toBe(true);
    expect(node.runtime.status().version).toBe(before);
    expect(node.runtime.dir).not.toContain('badbadbad000');
    // Tried again later, not on every poll (200 ms here): one failure logged in a second.
    await new Promise((r) => setTimeout(r, 1000));
    expect(node.lines.filter((l) => l.event === 'kb.sync_failed').length).toBe(1);

    const version = await publish(publications, await editedKnowledge('FIXED'));
    await expect.poll(() => node.runtime.status().version, { timeout: 5000 }).toBe(version);
    expect(node.runtime.error).toBeUndefined();
    // Copies of earlier publications are pruned: the one served and at most two others stay.
    expect((await readdir(publishedCopiesDir(node.dataDir))).length).toBeLessThanOrEqual(3);
  }, 60_000);
});
