// Parses big knowledge bases on several threads: YAML parsing is most of the time a 100k-entry KB
// takes to load, and each faq file parses on its own.
import { readKnowledgeFile, type FileContent } from './read-file.ts';
import { createWorkerPool } from './worker-pool.ts';
import type { YamlLimits } from './yaml-source.ts';
import type { ReadRequest } from './read-worker.ts';

/** `.ts` run from the sources (tsx), `.js` from the compiled build (dist/server): the worker is this module's sibling either way. */
const MODULE_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * The faq files go to `threads` worker threads, the rest (rules hold RegExps, which keep no
 * `lastIndex` across threads; they are small anyway) are read by the caller. Results come back in
 * `names` order, exactly as reading inline would give.
 */
export async function readInParallel(
  names: readonly string[],
  texts: readonly string[],
  limits: YamlLimits,
  threads: number,
): Promise<FileContent[]> {
  const faq = names.flatMap((name, i) => (name.startsWith('faq/') ? [i] : []));
  const pool = createWorkerPool<ReadRequest, FileContent>(new URL(`./read-worker${MODULE_EXTENSION}`, import.meta.url), Math.min(threads, faq.length));
  try {
    // Biggest first, so no thread is left with one large file at the end.
    const order = [...faq].sort((a, b) => texts[b]!.length - texts[a]!.length);
    const read = new Map<number, Promise<FileContent>>();
    for (const i of order) {
      const task = pool.run({ name: names[i]!, text: texts[i]!, limits });
      // Awaited below; this keeps a task failing after another one from counting as unhandled.
      task.catch(() => undefined);
      read.set(i, task);
    }
    return await Promise.all(names.map((name, i) => read.get(i) ?? Promise.resolve(readKnowledgeFile(name, texts[i]!, limits))));
  } finally {
    await pool.close();
  }
}
