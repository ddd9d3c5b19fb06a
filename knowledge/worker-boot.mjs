// Entry of every worker thread: from the sources, registers tsx's TypeScript loader in the thread (threads do
// not inherit the loader the main thread was started with), then loads the worker module it was given. The
// compiled build (dist/server) runs JavaScript and needs no loader.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
