// The flood bench's attacker as a child process of its own (bench/flood/flood-attacker.ts), so that its
// busy loop never delays the steady visitors' timers in the bench process; driven over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export interface AttackerOptions {
  /** Repository root: `--import tsx` is resolved from here. */
  root: string;
  /** Service origin. */
  url: string;
  /** The attacker's client address, distinct from every steady visitor's. */
  localAddress: string;
  /** Keep-alive connections, each sending back to back; half start conversations, half continue one. Range 2-64. */
  connections: number;
  /** Scheduling priority of the attacker (nice, 0-19): a real attacker's CPU is not on the server's machine. */
  nice: number;
}

/** Parent to child. */
export type AttackerCommand = { type: 'setup'; options: Omit<AttackerOptions, 'root' | 'nice'> } | { type: 'start' } | { type: 'stop' };

/** What one flood sent and got back. */
export interface AttackerRun {
  /** From the first request sent to the last response, ms. */
  durationMs: number;
  total: number;
  /** Per status code ("0" for network errors). */
  statuses: Record<string, number>;
  /** Requests that started a conversation / continued the attacker's one. */
  newConversations: number;
  continuing: number;
  /** First network error message, if any. */
  firstError?: string;
}

/** Child to parent. */
export type AttackerReport =
  | { type: 'ready' }
  | { type: 'started' }
  | { type: 'stopped'; run: AttackerRun }
  | { type: 'failed'; message: string };

export interface AttackerProcess {
  /** Starts flooding; resolves once every connection has sent its first request. */
  start(): Promise<void>;
  /** Stops flooding; resolves when every connection's last request has been answered. */
  stop(): Promise<AttackerRun>;
  close(): Promise<void>;
}

export async function startAttackerProcess(options: AttackerOptions): Promise<AttackerProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'flood-attacker.ts'), [], {
    cwd: options.root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, options.nice);
    } catch {
      // Not permitted here: the attacker then competes at normal priority, which only makes the test harsher.
    }
  }
  const next = <T extends AttackerReport['type']>(type: T): Promise<Extract<AttackerReport, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (msg: AttackerReport) => {
        if (msg.type === 'failed') return done(() => reject(new Error(`bench flood: the attacker failed: ${msg.message}`)));
        if (msg.type === type) done(() => resolve(msg as Extract<AttackerReport, { type: T }>));
      };
      const onExit = () => done(() => reject(new Error('bench flood: the attacker process exited')));
      const done = (settle: () => void) => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        settle();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const send = (command: AttackerCommand) => child.send(command);

  const ready = next('ready');
  const { root: _root, nice: _nice, ...setup } = options;
  send({ type: 'setup', options: setup });
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    async start() {
      const started = next('started');
      send({ type: 'start' });
      await started;
    },
    async stop() {
      const stopped = next('stopped');
      send({ type: 'stop' });
      return (await stopped).run;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(force);
    },
  };
}
