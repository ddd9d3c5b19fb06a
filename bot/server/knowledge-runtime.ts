// Holds the engine of the last good knowledge base and swaps in a new one when a reload succeeds.
import path from 'node:path';
import { KnowledgeError, formatProblem, type LoadResult, type Problem } from '../../knowledge/index.ts';
import type { KnowledgeBase } from '../../knowledge/types.ts';
import type { Engine } from '../engine/engine.ts';
import { LogEvent, type Logger } from './logger.ts';

/** Why the last reload failed; shown in /healthz until a later reload succeeds. */
export interface KnowledgeReloadError {
  file: string;
  line: number;
  col: number;
  message: string;
  /** When the failing reload ran (ISO). */
  at: string;
}

export interface KnowledgeStatus {
  entries: number;
  version: string;
  error?: KnowledgeReloadError;
}

export type ReloadOutcome =
  | { ok: true; version: string; changed: boolean }
  | { ok: false; error: KnowledgeReloadError };

export interface KnowledgeRuntime {
  /** The current engine. Read it once per request: a reload may swap it between two reads. */
  readonly engine: Engine;
  /** Present while the last reload failed. */
  readonly error: KnowledgeReloadError | undefined;
  status(): KnowledgeStatus;
  /**
   * Loads and builds aside, then swaps; concurrent calls coalesce into at most one more run.
   * `changedFiles` (relative to the directory) are blamed first when the reload fails.
   */
  reload(changedFiles?: string[]): Promise<ReloadOutcome>;
  /** The directory the engine is loaded from: KNOWLEDGE_DIR, or the copy of a publication (kb-publication-sync.ts). */
  readonly dir: string;
  /**
   * Loads `dir` from now on (a publication's copy), as a reload does: swaps when it loads, and keeps serving the
   * engine and the directory it had when it does not (the failure shows in `error` like a failed reload's).
   */
  switchTo(dir: string): Promise<ReloadOutcome>;
}

export interface KnowledgeRuntimeDeps {
  dir: string;
  load: (dir: string) => Promise<LoadResult>;
  /** Builds the engine for a loaded knowledge base (createEngineAsync with the configured options: the old engine keeps answering meanwhile). */
  build: (kb: KnowledgeBase) => Engine | Promise<Engine>;
  logger: Logger;
}

/** Loads the knowledge base once; a broken one throws KnowledgeError (file:line:col) so start-up fails fast. */
export async function createKnowledgeRuntime({ dir: firstDir, load, build, logger }: KnowledgeRuntimeDeps): Promise<KnowledgeRuntime> {
  let dir = firstDir;
  // Set by switchTo: the directory the next reload loads instead of `dir`, which it becomes if that load succeeds.
  let nextDir: string | undefined;
  const first = await attempt(dir, load, build);
  if (!first.ok) {
    for (const p of first.problems.filter((p) => p.severity === 'error')) {
      logger.error({ event: LogEvent.kbLoadFailed, file: p.file, line: p.line, col: p.col }, formatProblem(p));
    }
    throw new KnowledgeError(firstError(first.problems, new Set()));
  }
  // Without a version to compare with, a successful attempt always builds an engine.
  let engine: Engine = first.engine!;
  let error: KnowledgeReloadError | undefined;
  // Files changed since the last good load: the likeliest culprits when a reload fails.
  const suspects = new Set<string>();
  logWarnings(logger, first.problems);
  logger.info(
    { event: LogEvent.kbLoaded, dir, entries: engine.kb.entries.length, version: engine.kb.version, ms: first.ms },
    'knowledge base loaded',
  );

  async function reloadNow(): Promise<ReloadOutcome> {
    const from = nextDir ?? dir;
    const outcome = await attempt(from, load, build, engine.kb.version);
    // A later switchTo (to yet another directory) stays pending for the run it queued.
    if (nextDir === from) nextDir = undefined;
    if (!outcome.ok) {
      const p = firstError(outcome.problems, suspects);
      error = { file: p.file, line: p.line, col: p.col, message: p.message, at: new Date().toISOString() };
      logger.error(
        { event: LogEvent.kbReloadFailed, file: p.file, line: p.line, col: p.col, problems: outcome.problems.length, ...(from !== dir ? { dir: from } : {}) },
        `knowledge base reload failed, still serving version ${engine.kb.version}: ${formatProblem(p)}`,
      );
      return { ok: false, error };
    }
    const recovered = error !== undefined;
    error = undefined;
    suspects.clear();
    const switched = from !== dir;
    dir = from;
    if (!outcome.engine) {
      // Same content as what is serving (a touch, or a broken edit reverted): nothing to swap.
      if (recovered || switched) logger.info({ event: LogEvent.kbReloaded, version: engine.kb.version, changed: false, ...(switched ? { dir } : {}) }, recovered ? 'knowledge base fixed' : 'knowledge base source switched, same content');
      return { ok: true, version: engine.kb.version, changed: false };
    }
    const previous = engine.kb.version;
    // The swap: one assignment; requests that already read the old engine finish with it.
    engine = outcome.engine;
    logWarnings(logger, outcome.problems);
    logger.info(
      { event: LogEvent.kbReloaded, entries: engine.kb.entries.length, version: engine.kb.version, previous, ms: outcome.ms, ...(switched ? { dir } : {}) },
      'knowledge base reloaded',
    );
    return { ok: true, version: engine.kb.version, changed: true };
  }

  let running: Promise<ReloadOutcome> | undefined;
  let queued: Promise<ReloadOutcome> | undefined;
  const start = (): Promise<ReloadOutcome> => {
    running = reloadNow().finally(() => {
      running = undefined;
    });
    return running;
  };

  function reload(changedFiles: string[] = []): Promise<ReloadOutcome> {
    for (const file of changedFiles) suspects.add(file.split(path.sep).join('/'));
    // A reload already waiting will read the files after this call's change too: join it.
    if (queued) return queued;
    if (!running) return start();
    queued = running.then(
      () => ((queued = undefined), start()),
      () => ((queued = undefined), start()),
    );
    return queued;
  }

  return {
    get engine() {
      return engine;
    },
    get error() {
      return error;
    },
    get dir() {
      return dir;
    },
    status() {
      const status: KnowledgeStatus = { entries: engine.kb.entries.length, version: engine.kb.version };
      if (error) status.error = error;
      return status;
    },
    reload,
    switchTo(next) {
      nextDir = next;
      // A reload already waiting reads nextDir when it starts, so joining it is enough.
      return reload();
    },
  };
}

type Attempt =
  | { ok: true; engine: Engine | undefined; problems: Problem[]; ms: number }
  | { ok: false; problems: Problem[] };

/** Loads and builds; `engine` is undefined when the content is `unchangedFrom` (same version). */
async function attempt(
  dir: string,
  load: KnowledgeRuntimeDeps['load'],
  build: KnowledgeRuntimeDeps['build'],
  unchangedFrom?: string,
): Promise<Attempt> {
  const started = performance.now();
  let result: LoadResult;
  try {
    result = await load(dir);
  } catch (err) {
    // A file deleted between listing and reading, a permission error, a loader bug.
    return { ok: false, problems: [problemOf(err, dir)] };
  }
  if (!result.ok) return { ok: false, problems: result.problems };
  if (result.kb.version === unchangedFrom) return { ok: true, engine: undefined, problems: result.problems, ms: 0 };
  try {
    const engine = await build(result.kb);
    return { ok: true, engine, problems: result.problems, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, problems: [problemOf(err, dir)] };
  }
}

function problemOf(err: unknown, dir: string): Problem {
  if (err instanceof KnowledgeError) {
    return { file: err.file, line: err.line, col: err.col, message: err.message, severity: 'error' };
  }
  return { file: dir, line: 1, col: 1, message: err instanceof Error ? err.message : String(err), severity: 'error' };
}

/**
 * The problem to show: one in a file just changed (the editor's own mistake), else one in a YAML file
 * (a parse or schema error), else any. Consequences elsewhere (a follow-up now dangling in another
 * file, "no entries found") are listed too, but are not what the editor needs to see first.
 */
function firstError(problems: Problem[], suspects: ReadonlySet<string>): Problem {
  const errors = problems.filter((p) => p.severity === 'error');
  return (
    errors.find((p) => suspects.has(p.file)) ??
    errors.find((p) => /\.ya?ml$/i.test(p.file)) ??
    errors[0] ??
    problems[0] ?? { file: '(unknown)', line: 1, col: 1, message: 'knowledge base failed to load', severity: 'error' }
  );
}

function logWarnings(logger: Logger, problems: Problem[]): void {
  const warnings = problems.filter((p) => p.severity === 'warning');
  if (warnings.length === 0) return;
  logger.warn(
    { event: LogEvent.kbWarnings, count: warnings.length, first: warnings.slice(0, 5).map(formatProblem) },
    `knowledge base has ${warnings.length} warning(s)`,
  );
}
