import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres } from '../postgres/open.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { createTestDatabase, describeWithServices, testRedisPrefix, testRedisUrl, type TestDatabase } from '../testing/services.ts';
import { ValidationError } from '../platform/errors.ts';
import { createKbPublications } from './kb-publications.ts';
import { createPostgresKbPublicationStore } from './postgres-kb-publication-store.ts';

const files = (extra: Record<string, string> = {}) =>
  new Map(Object.entries({
    'rules.yaml': 'rules: []\n',
    'faq/bill.yaml': 'topic: bill\nentries:\n  - id: bill.due\n    answer: { zh: 每月1日出账, en: Billed on the 1st }\n',
    ...extra,
  }));

describeWithServices('the knowledge-base publication store (PostgreSQL)', () => {
  let database: TestDatabase;
  let db: PgDb;
  const links: RedisLink[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openPostgres(database.url);
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()));
    await db.close();
    await database.drop();
  });

  it('gives back every file byte for byte, with its head; the newest is the one added last', async () => {
    const at = new Date('2025-03-01T08:00:00.000Z');
    const store = createPostgresKbPublicationStore(db, { clock: () => at });
    expect(await store.newest()).toBeUndefined();
    // A NUL, CRLF line ends, a BOM and non-BMP text: the node must write back exactly what the loader hashed, or
    // its /healthz version would differ from the publisher's (TEXT could not even hold the NUL).
    const tricky = files({ 'faq/plans.yaml': '\uFEFFtopic: plans\r\n# 套餐 \u0000 😀\r\n' });
    const first = await store.add({ version: 'aaaaaa111111', entries: 1, files: files(), publishedBy: 'editor@host' });
    const second = await store.add({ version: 'bbbbbb222222', entries: 2, files: tricky, publishedBy: '' });
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store.newest()).toEqual({ id: second.id, version: 'bbbbbb222222', entries: 2, publishedAt: at.toISOString(), publishedBy: '' });
    const read = await store.read(second.id);
    expect(read?.files).toEqual(tricky);
    expect(read?.version).toBe('bbbbbb222222');
    expect((await store.read(first.id))?.files).toEqual(files());
    expect(await store.read(second.id + 100)).toBeUndefined();
  });

  it('keeps only the newest `keep` publications, files included', async () => {
    const store = createPostgresKbPublicationStore(db, { keep: 2 });
    const heads = [];
    for (const v of ['c00001', 'c00002', 'c00003']) heads.push(await store.add({ version: v, entries: 1, files: files(), publishedBy: '' }));
    expect(await store.read(heads[0]!.id)).toBeUndefined();
    expect((await store.read(heads[1]!.id))?.version).toBe('c00002');
    expect((await store.newest())?.version).toBe('c00003');
    const orphans = await db.query('SELECT path FROM kb_publication_files f WHERE NOT EXISTS (SELECT 1 FROM kb_publications p WHERE p.id = f.publication_id)');
    expect(orphans).toEqual([]);
  });

  it('refuses a path a node could not safely write, and a version that is not a hash, before and in the database', async () => {
    const store = createPostgresKbPublicationStore(db);
    const before = await store.newest();
    for (const bad of ['../escape.yaml', 'faq/../../escape.yaml', '/etc/x.yaml', 'tests/case.yaml', 'faq\\..\\x.yaml', 'notes.txt']) {
      await expect(store.add({ version: 'dddddd', entries: 1, files: files({ [bad]: 'x: 1\n' }), publishedBy: '' })).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(store.add({ version: '../../tmp', entries: 1, files: files(), publishedBy: '' })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.newest()).toEqual(before);
    // The table's own CHECKs, for a writer that skips the store.
    const id = before!.id;
    await expect(db.run("INSERT INTO kb_publication_files (publication_id, path, content) VALUES ($1, '../escape.yaml', '\\x00')", [id])).rejects.toThrow(/check constraint/);
    await expect(db.run("INSERT INTO kb_publications (version, entries, published_at) VALUES ('../x', 1, 'now')")).rejects.toThrow(/check constraint/);
    // A file name the loader accepts (any YAML name under faq/, any case) is accepted.
    const ok = await store.add({ version: 'eeeeee', entries: 1, files: files({ 'faq/账单 Plans.YML': 'topic: x\n' }), publishedBy: '' });
    expect([...(await store.read(ok.id))!.files.keys()]).toContain('faq/账单 Plans.YML');
  });

  it('announces a publication on Redis to the nodes of its own prefix only', async () => {
    const prefix = testRedisPrefix();
    const link = (p: string) => {
      const l = createRedisLink(testRedisUrl(), { prefix: p });
      links.push(l);
      return l;
    };
    const publisher = createKbPublications(db, link(prefix));
    const node = createKbPublications(db, link(prefix));
    const stranger = createKbPublications(db, link(testRedisPrefix()));
    const heard: number[] = [];
    const strangerHeard: number[] = [];
    const stop = await node.onPublished((id) => heard.push(id));
    await stranger.onPublished((id) => strangerHeard.push(id));
    const { publication, announced } = await publisher.publish({ version: 'ffffff', entries: 1, files: files(), publishedBy: '' });
    expect(announced).toBe(true);
    await expect.poll(() => heard, { timeout: 3000 }).toEqual([publication.id]);
    // After unsubscribing, nothing more arrives; another deployment's prefix never heard anything.
    await stop();
    await publisher.publish({ version: 'ffffff', entries: 1, files: files(), publishedBy: '' });
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([publication.id]);
    expect(strangerHeard).toEqual([]);
    // Without Redis the publication is stored all the same, and said to be unannounced.
    const quiet = await createKbPublications(db).publish({ version: 'ffffff', entries: 1, files: files(), publishedBy: '' });
    expect(quiet.announced).toBe(false);
    expect((await node.newest())?.id).toBe(quiet.publication.id);
  });
});
