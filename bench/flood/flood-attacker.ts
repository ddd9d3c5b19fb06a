// Child process of the flood bench (see attacker-process.ts): one client address sending POST /api/chat
// back to back on several keep-alive connections, half starting conversations, half continuing one.
import http from 'node:http';
import type { AttackerCommand, AttackerOptions, AttackerReport, AttackerRun } from './attacker-process.ts';
import { postChat } from './post-chat.ts';

const TEXT = '充值卡密码几位';

let options: Omit<AttackerOptions, 'root' | 'nice'> | undefined;
let agent: http.Agent | undefined;
let conversation: { conversationId: string; token: string } | undefined;
let running = false;
let loops: Promise<void>[] = [];
let run: AttackerRun | undefined;
let firstSentAt = 0;

const report = (msg: AttackerReport) => process.send!(msg);

async function setup(o: NonNullable<typeof options>): Promise<void> {
  options = o;
  agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  // The conversation the "continuing" half floods, started before any flood while the address's buckets are full.
  const answer = await postChat({ url: o.url, agent, localAddress: o.localAddress, text: TEXT, readBody: true });
  if (answer.status !== 200 || !answer.json?.conversationId || !answer.json.token) {
    throw new Error(`starting the attacker's conversation answered ${answer.status} ${answer.error ?? ''}`);
  }
  conversation = { conversationId: answer.json.conversationId, token: answer.json.token };
}

async function connectionLoop(continuing: boolean, first: () => void): Promise<void> {
  const o = options!;
  let sentFirst = false;
  while (running) {
    const pending = postChat({ url: o.url, agent: agent!, localAddress: o.localAddress, text: TEXT, ...(continuing ? conversation! : {}) });
    if (!sentFirst) {
      sentFirst = true;
      first();
    }
    const answer = await pending;
    const r = run!;
    r.total++;
    r.statuses[answer.status] = (r.statuses[answer.status] ?? 0) + 1;
    if (continuing) r.continuing++;
    else r.newConversations++;
    if (answer.error && !r.firstError) r.firstError = answer.error;
  }
}

function start(): void {
  const o = options!;
  running = true;
  run = { durationMs: 0, total: 0, statuses: {}, newConversations: 0, continuing: 0 };
  firstSentAt = performance.now();
  let waiting = o.connections;
  const first = () => {
    if (--waiting === 0) report({ type: 'started' });
  };
  loops = Array.from({ length: o.connections }, (_, i) => connectionLoop(i % 2 === 1, first));
}

async function stop(): Promise<void> {
  running = false;
  await Promise.all(loops);
  run!.durationMs = performance.now() - firstSentAt;
  report({ type: 'stopped', run: run! });
}

process.on('message', (command: AttackerCommand) => {
  const handle = async () => {
    switch (command.type) {
      case 'setup':
        await setup(command.options);
        return report({ type: 'ready' });
      case 'start':
        return start();
      case 'stop':
        return stop();
    }
  };
  handle().catch((err: unknown) => report({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
});
process.once('SIGTERM', () => {
  running = false;
  agent?.destroy();
  process.exit(0);
});
// The bench died without closing us: do not flood on alone.
process.once('disconnect', () => process.exit(0));
