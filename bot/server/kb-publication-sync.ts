// Keeps a node of the multi-node mode serving the newest published knowledge base (`npm run kb -- publish`).
//
// The rule: while the database holds a publication, the node serves the newest one, whatever its own KNOWLEDGE_DIR
// holds; edits there are ignored (start-server logs kb.change_ignored), because one node's folder must not make it
// answer differently from the others. With no publication at all, KNOWLEDGE_DIR is served and watched as before.
//
// A publication is written to DATA_DIR/kb-published/<version>/ and loaded from there by the usual loader, so the
// version in /healthz is the loader's content hash of the published files: the same on every node. A node learns
// of a publication from the Redis notice at once, and from polling the database every `pollMs` (a notice can be
// lost: pub/sub delivers to whoever is connected at that moment, nothing more).
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { KbPublication, KbPublications } from '../../handoff/index.ts';
import type { KnowledgeRuntime } from './knowledge-runtime.ts';
import { LogEvent, type Logger } from './logger.ts';

export interface KbPublicationSyncOptions {
  /** How often the database is asked for the newest publication. Range 200-5000 ms; default 2000 (well inside the 10 s promise). */
  pollMs: number;
  /** Copies of earlier publications kept under DATA_DIR/kb-published besides the one served. Range 0-20; default 2. */
  keepCopies: number;
  /** A publication that failed to load here is tried again after this long (not on every poll). Range 1000-600000 ms; default 30000. */
  retryFailedMs: number;
}

export const defaultKbPublicationSyncOptions: KbPublicationSyncOptions = { pollMs: 2000, keepCopies: 2, retryFailedMs: 30_000 };

export interface KbPublicationSyncDeps {
  publications: Pick<KbPublications, 'newest' | 'read' | 'onPublished'>;
  runtime: KnowledgeRuntime;
  /** DATA_DIR: the copies go to its kb-published folder. */
  dataDir: string;
  logger: Logger;
}

export interface KbPublicationSync {
  /** Brings the node to the newest publication now. Never rejects: a failure is logged (kb.sync_failed) and retried. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/** Where a node keeps its copies of publications. */
export const publishedCopiesDir = (dataDir: string): string => path.join(dataDir, 'kb-published');

/** A stray temporary folder (a node that died while writing a copy) older than this is removed. */
const STALE_TEMP_MS = 10 * 60_000;

const TEMP_PREFIX = '.tmp-';

/**
 * For start-up, before the knowledge runtime exists: the folder holding the newest publication (written afresh),
 * or undefined when nothing was ever published (the node then serves its own KNOWLEDGE_DIR).
 */
export async function newestPublicationDir(publications: Pick<KbPublications, 'newest' | 'read'>, dataDir: string): Promise<string | undefined> {
  const head = await publications.newest();
  if (!head) return undefined;
  const publication = await publications.read(head.id);
  // Pruned between the two reads (many publications in a moment): the sync's first check takes the newer one.
  if (!publication) return undefined;
  return writeCopy(dataDir, publication, { replace: true });
}

export async function startKbPublicationSync(deps: KbPublicationSyncDeps, options: Partial<KbPublicationSyncOptions> = {}): Promise<KbPublicationSync> {
  const { publications, runtime, dataDir, logger } = deps;
  const opts = { ...defaultKbPublicationSyncOptions, ...options };
  let stopped = false;
  let failed: { id: number; at: number } | undefined;
  // While the database or Redis is down every poll fails: the first failure is a warning, the rest are debug.
  let failing = false;

  async function checkOnce(): Promise<void> {
    const head = await publications.newest();
    if (!head || stopped) return;
    const target = path.join(publishedCopiesDir(dataDir), head.version);
    if (runtime.dir === target && runtime.status().version === head.version) return;
    if (failed?.id === head.id && Date.now() - failed.at < opts.retryFailedMs) return;
    const publication = await publications.read(head.id);
    if (!publication || stopped) return;
    const dir = await writeCopy(dataDir, publication);
    let outcome = await runtime.switchTo(dir);
    if (outcome.ok && outcome.version !== publication.version) {
      // The copy on disk is not what was published (edited by hand, or left by an older build): write it again.
      await writeCopy(dataDir, publication, { replace: true });
      outcome = await runtime.switchTo(dir);
    }
    if (!outcome.ok || outcome.version !== publication.version) {
      failed = { id: head.id, at: Date.now() };
      logger.error(
        { event: LogEvent.kbSyncFailed, publication: head.id, version: head.version, ...(outcome.ok ? { loaded: outcome.version } : { error: outcome.error }) },
        `published knowledge base ${head.version} (#${head.id}) could not be served here; still serving ${runtime.status().version}`,
      );
      return;
    }
    failed = undefined;
    logger.info({ event: LogEvent.kbPublicationServed, publication: head.id, version: head.version, publishedAt: head.publishedAt }, `serving published knowledge base #${head.id}`);
    await pruneCopies(dataDir, dir, opts.keepCopies);
  }

  // Checks never overlap; a notice arriving during one makes it run once more after.
  let running: Promise<void> | undefined;
  let again = false;
  function check(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await checkOnce();
          if (failing) logger.info({ event: LogEvent.kbSyncFailed, recovered: true }, 'knowledge base publications readable again');
          failing = false;
        } catch (err) {
          logger[failing ? 'debug' : 'warn']({ event: LogEvent.kbSyncFailed, err }, 'cannot check for a newer published knowledge base; trying again');
          failing = true;
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  const unsubscribe = await publications.onPublished(() => void check());
  const timer = setInterval(() => void check(), opts.pollMs);
  timer.unref();
  // A publication made while this node was starting (after newestPublicationDir, before the subscription).
  await check();
  return {
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unsubscribe();
      await running;
    },
  };
}

/**
 * Writes a publication's files to DATA_DIR/kb-published/<version>/ and returns that folder. Written aside and
 * renamed into place, so a folder under its version's name is always complete: an existing one is reused unless
 * `replace`. Nodes sharing one DATA_DIR may write the same version at once; the first rename wins.
 */
export async function writeCopy(dataDir: string, publication: KbPublication, { replace = false } = {}): Promise<string> {
  // The database's CHECKs hold these too; a folder name and file paths from outside are checked before any write.
  if (!/^[0-9a-f]{6,64}$/.test(publication.version)) throw new Error(`kb publication sync: bad version ${JSON.stringify(publication.version)}`);
  const root = publishedCopiesDir(dataDir);
  const dir = path.join(root, publication.version);
  if (!replace && (await exists(dir))) return dir;
  await mkdir(root, { recursive: true });
  const temp = await mkdtemp(path.join(root, TEMP_PREFIX));
  try {
    for (const [file, text] of publication.files) {
      const target = path.resolve(temp, file);
      const inside = path.relative(temp, target);
      if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
        throw new Error(`kb publication sync: ${JSON.stringify(file)} would be written outside the copy folder`);
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, text, 'utf8');
    }
    if (replace) await rm(dir, { recursive: true, force: true });
    try {
      await rename(temp, dir);
    } catch (err) {
      // Another node (same DATA_DIR) renamed its complete copy of this version first.
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return dir;
}

/** Keeps the folder served and the `keep` newest others; removes temporary folders left by a crash. */
async function pruneCopies(dataDir: string, serving: string, keep: number): Promise<void> {
  const root = publishedCopiesDir(dataDir);
  const names = await readdir(root).catch(() => [] as string[]);
  const copies: Array<{ dir: string; mtime: number }> = [];
  for (const name of names) {
    const dir = path.join(root, name);
    if (dir === serving) continue;
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    if (name.startsWith(TEMP_PREFIX)) {
      if (Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(dir, { recursive: true, force: true });
      continue;
    }
    copies.push({ dir, mtime: info.mtimeMs });
  }
  copies.sort((a, b) => b.mtime - a.mtime);
  for (const { dir } of copies.slice(keep)) await rm(dir, { recursive: true, force: true });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
