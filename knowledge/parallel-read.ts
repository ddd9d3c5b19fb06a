// Parses big knowledge bases on several threads: YAML parsing is most of the time a 100k-entry KB
// takes to load, and each faq file parses on its own.
import { Worker } from 'node:worker_threads';
import { readKnowledgeFile, type FileContent } from './read-file.ts';
import type { YamlLimits } from './yaml-source.ts';
import type { ReadRequest, ReadReply } from './read-worker.ts';

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
  const results: (FileContent | undefined)[] = names.map((name, i) => (name.startsWith('faq/') ? undefined : readKnowledgeFile(name, texts[i]!, limits)));
  const queue = names.flatMap((name, i) => (name.startsWith('faq/') ? [i] : []));
  // Biggest first, so no thread is left with one large file at the end.
  queue.sort((a, b) => texts[b]!.length - texts[a]!.length);
  const workers = Array.from({ length: Math.min(threads, queue.length) }, () => spawn());
  try {
    await Promise.all(
      workers.map(async (worker) => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          results[i] = await ask(worker, { name: names[i]!, text: texts[i]!, limits });
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.map((r) => r!);
}

function spawn(): Worker {
  // A small plain-JS entry registers the TypeScript loader inside the thread, then loads the worker.
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./read-worker.ts', import.meta.url).href },
  });
}

function ask(worker: Worker, request: ReadRequest): Promise<FileContent> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ReadReply) => {
      cleanup();
      if (reply.ok) resolve(reply.content);
      else reject(new Error(`${request.name}: ${reply.error}`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`knowledge parsing thread exited (${code}) while reading ${request.name}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}
