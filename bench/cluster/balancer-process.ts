// The round-robin balancer (round-robin-balancer.ts) as a child process, so it never shares an event loop with
// the load generator and its CPU time can be read apart from the nodes'.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { processCpuMs } from '../server-process.ts';

export interface BalancerProcess {
  url: string;
  pid: number;
  /** CPU time the balancer has used so far (user + system), ms; undefined without /proc. */
  cpuMs(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** How long the balancer may take to listen (tsx loads it). */
const START_TIMEOUT_MS = 30_000;

export async function startBalancerProcess(root: string, nodePorts: readonly number[]): Promise<BalancerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'balancer-main.ts'), ...nodePorts.map(String)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench cluster: the balancer did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`bench cluster: the balancer exited during start-up: ${stderr}`));
      });
    });
    const pid = child.pid ?? -1;
    return { url: `http://127.0.0.1:${port}`, pid, cpuMs: () => processCpuMs(pid), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
