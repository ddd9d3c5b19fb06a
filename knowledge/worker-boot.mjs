// Entry of every worker thread: registers tsx's TypeScript loader in the thread (threads do not
// inherit the loader the main thread was started with), then loads the worker module it was given.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
