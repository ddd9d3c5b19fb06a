// A few worker threads answering tasks in order: the loader parses big knowledge bases on them, and
// the engine analyses big ones. Each worker module answers every message with one reply.
import { parentPort, Worker } from 'node:worker_threads';

export type WorkerReply<R> = { ok: true; result: R } | { ok: false; error: string };

export interface WorkerPool<T, R> {
  /** Runs one task on the next free worker. */
  run(task: T): Promise<R>;
  /** Ends every worker; tasks still running reject. */
  close(): Promise<void>;
}

/**
 * Starts `size` workers running `entry` (a module URL), each first sent `setup`. A plain-JS boot file
 * registers the TypeScript loader in the thread (threads do not inherit the main thread's), then
 * imports the module.
 */
export function createWorkerPool<T, R>(entry: URL, size: number, setup?: unknown): WorkerPool<T, R> {
  const workers = Array.from({ length: Math.max(1, size) }, () => {
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: entry.href, setup } });
    // An idle pool must not keep the process alive; a running task does (its promise is awaited).
    worker.unref();
    return worker;
  });
  const idle = [...workers];
  const waiting: ((w: Worker) => void)[] = [];
  const acquire = () => new Promise<Worker>((resolve) => (idle.length ? resolve(idle.pop()!) : waiting.push(resolve)));
  const releaseWorker = (w: Worker) => {
    const next = waiting.shift();
    if (next) next(w);
    else idle.push(w);
  };
  return {
    async run(task) {
      const worker = await acquire();
      try {
        return await ask<T, R>(worker, task);
      } finally {
        releaseWorker(worker);
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

function ask<T, R>(worker: Worker, task: T): Promise<R> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply<R>) => {
      cleanup();
      if (reply.ok) resolve(reply.result);
      else reject(new Error(reply.error));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker thread exited (${code}) during a task`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.unref();
    };
    worker.ref();
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(task);
  });
}

/** The worker side: answers each message with `handle`'s result, or the error it threw. */
export function serveTasks<T, R>(handle: (task: T) => R | Promise<R>): void {
  parentPort?.on('message', async (task: T) => {
    let reply: WorkerReply<R>;
    try {
      reply = { ok: true, result: await handle(task) };
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(reply);
  });
}
