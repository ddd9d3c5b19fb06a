// The live bench's client process: visitor and agent SSE streams (node:http, a minimal parser) and a
// sender posting messages on a fixed schedule; it times each message from send start to the event on
// the receiving stream, on this process's clock. Driven by live-bench.ts over IPC (live-protocol.ts).
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { ClientCommand, ClientReply, ConnectResult, RunPlan, RunResult, Roster } from './live-protocol.ts';
import { percentile } from '../summarize.ts';

type Direction = 'v2a' | 'a2v';

interface Stream {
  key: string;
  req: http.ClientRequest;
  /** Closed by us (close-all), as opposed to ended by the server. */
  closing: boolean;
}

interface Sent {
  dir: Direction;
  /** performance.now() when the POST was started. */
  at: number;
  recorded: boolean;
  /** The POST was answered 2xx. */
  posted: boolean;
  deliveredMs?: number;
  deliveries: number;
}

const MARK = 'live bench #';
/** Event-loop delay sampling interval (ms). */
const LOOP_RESOLUTION_MS = 5;

let roster: Roster | undefined;
const streams = new Map<string, Stream>();
/** Messages of the current run by sequence number (the number is in the text). */
let sends = new Map<number, Sent>();
let streamsEnded = 0;

function fail(message: string): never {
  throw new Error(`live-clients: ${message}`);
}

function streamPath(kind: 'v' | 'a', index: number): { path: string; headers: Record<string, string> } {
  const r = roster ?? fail('not initialised');
  if (r.kind === 'relay') return { path: `/events/${kind}/${index}`, headers: {} };
  if (kind === 'v') {
    const seat = r.visitors[index] ?? fail(`no visitor ${index}`);
    return { path: `/api/conversations/${seat.conversationId}/events`, headers: { authorization: `Bearer ${seat.token}` } };
  }
  const seat = r.agents[index] ?? fail(`no agent ${index}`);
  return { path: '/api/agent/events', headers: { cookie: seat.cookie } };
}

/** One event block (the lines between blank lines) arrived at `now` on a stream of `kind`. */
function onEvent(kind: 'v' | 'a', block: string, now: number, ready: () => void): void {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data = line.slice(6);
  }
  if (event === 'ready') {
    ready();
    return;
  }
  if (event !== 'message' || data === '') return;
  const { author, text } = JSON.parse(data) as { author: string; text: string };
  // Each stream also gets its own side's messages back (and system notes): only the other side's count.
  const dir: Direction | undefined = kind === 'a' && author === 'visitor' ? 'v2a' : kind === 'v' && author === 'agent' ? 'a2v' : undefined;
  if (dir === undefined || !text.startsWith(MARK)) return;
  const sent = sends.get(Number(text.slice(MARK.length)));
  if (!sent || sent.dir !== dir) return;
  sent.deliveries++;
  if (sent.deliveredMs === undefined) sent.deliveredMs = now - sent.at;
}

function openStream(kind: 'v' | 'a', index: number): Promise<void> {
  const r = roster ?? fail('not initialised');
  const key = `${kind}:${index}`;
  const { path, headers } = streamPath(kind, index);
  return new Promise((resolve, reject) => {
    let isReady = false;
    const ready = () => {
      if (isReady) return;
      isReady = true;
      resolve();
    };
    // agent: false: a socket of its own, never pooled with the sender's.
    const req = http.request(`${r.base}${path}`, { agent: false, headers: { accept: 'text/event-stream', ...headers } });
    const stream: Stream = { key, req, closing: false };
    streams.set(key, stream);
    req.on('error', (err) => {
      streams.delete(key);
      if (!isReady) reject(new Error(`live-clients: ${key} ${err.message}`));
      else if (!stream.closing) streamsEnded++;
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => reject(new Error(`live-clients: ${key} got ${res.statusCode} ${body.slice(0, 200)}`)));
        streams.delete(key);
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':') || block.startsWith('retry:')) continue;
          onEvent(kind, block, now, ready);
        }
      });
      res.on('close', () => {
        streams.delete(key);
        if (!stream.closing) streamsEnded++;
        if (!isReady) reject(new Error(`live-clients: ${key} ended before ready`));
      });
    });
    req.end();
  });
}

async function connect(visitors: number[], agents: number[], concurrency: number): Promise<ConnectResult> {
  const started = performance.now();
  const todo: Array<['v' | 'a', number]> = [
    ...agents.filter((i) => !streams.has(`a:${i}`)).map((i): ['a', number] => ['a', i]),
    ...visitors.filter((i) => !streams.has(`v:${i}`)).map((i): ['v', number] => ['v', i]),
  ];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const [kind, index] = todo[next++]!;
      await openStream(kind, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { opened: todo.length, open: streams.size, ms: performance.now() - started, clientRssMiB: process.memoryUsage().rss / 2 ** 20 };
}

async function closeAll(): Promise<void> {
  const all = [...streams.values()];
  for (const s of all) {
    s.closing = true;
    s.req.destroy();
  }
  streams.clear();
  // Give the server a moment to see the sockets go.
  await new Promise((r) => setTimeout(r, 200));
}

function post(agent: http.Agent, path: string, headers: Record<string, string>, body: string): Promise<number> {
  const r = roster ?? fail('not initialised');
  return new Promise((resolve, reject) => {
    const req = http.request(`${r.base}${path}`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.end(body);
  });
}

function sendOne(agent: http.Agent, seq: number, conversation: number, dir: Direction): Promise<number> {
  const r = roster ?? fail('not initialised');
  const seat = r.visitors[conversation] ?? fail(`no visitor ${conversation}`);
  const text = `${MARK}${seq}`;
  if (r.kind === 'relay') {
    return post(agent, `/send/${conversation}/${seat.agent}`, {}, JSON.stringify({ author: dir === 'v2a' ? 'visitor' : 'agent', text }));
  }
  if (dir === 'v2a') {
    return post(agent, '/api/chat', { authorization: `Bearer ${seat.token}` }, JSON.stringify({ conversationId: seat.conversationId, text }));
  }
  const holder = r.agents[seat.agent] ?? fail(`no agent ${seat.agent}`);
  return post(agent, `/api/agent/conversations/${seat.conversationId}/messages`, { cookie: holder.cookie, origin: r.base }, JSON.stringify({ text }));
}

/** Nearest rank, 0 for no samples (a lag nobody measured is no lag). */
const nearest = (sorted: number[], q: number) => (sorted.length ? percentile(sorted, q) : 0);

async function run(plan: RunPlan): Promise<RunResult> {
  if (plan.conversations.length === 0) fail('run: no conversations');
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.maxSockets });
  sends = new Map();
  const endedBefore = streamsEnded;
  const intervalMs = 1000 / plan.ratePerSecond;
  const total = Math.round(((plan.warmupMs + plan.durationMs) / 1000) * plan.ratePerSecond);
  const firstRecorded = Math.ceil(plan.warmupMs / intervalMs);
  const postMs: number[] = [];
  const lags: number[] = [];
  const errors: string[] = [];
  let postErrors = 0;
  const inFlight = new Set<Promise<void>>();
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  let windowStart = 0;
  let cpuStart = process.cpuUsage();

  const start = performance.now();
  let n = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (n < total && start + n * intervalMs <= now) {
        const seq = n++;
        if (seq === firstRecorded) {
          windowStart = performance.now();
          cpuStart = process.cpuUsage();
          loop.enable();
        }
        const recorded = seq >= firstRecorded;
        const pair = Math.floor(seq / 2);
        const conversation = plan.conversations[pair % plan.conversations.length]!;
        const dir: Direction = plan.only ?? (seq % 2 === 0 ? 'v2a' : 'a2v');
        const at = performance.now();
        if (recorded) lags.push(at - (start + seq * intervalMs));
        const sent: Sent = { dir, at, recorded, posted: false, deliveries: 0 };
        sends.set(seq, sent);
        const p = sendOne(agent, seq, conversation, dir)
          .then((status) => {
            if (status >= 200 && status < 300) {
              sent.posted = true;
              if (recorded) postMs.push(performance.now() - at);
            } else {
              postErrors++;
              if (errors.length < 5) errors.push(`${dir} HTTP ${status}`);
            }
          })
          .catch((err: Error) => {
            postErrors++;
            if (errors.length < 5) errors.push(`${dir} ${err.message}`);
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (n >= total) {
        done();
        return;
      }
      // Wake for the next due message; setTimeout's floor (~1 ms) is well under the interval.
      setTimeout(tick, Math.max(0, start + n * intervalMs - performance.now()));
    };
    tick();
  });
  const windowEnd = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  loop.disable();
  await Promise.all([...inFlight]);

  // Deliveries still under way: wait until every posted message arrived or the drain time is up.
  const drainUntil = performance.now() + plan.drainMs;
  const missing = () => [...sends.values()].filter((s) => s.recorded && s.posted && s.deliveredMs === undefined).length;
  while (missing() > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  agent.destroy();

  const visitorToAgent: number[] = [];
  const agentToVisitor: number[] = [];
  const visitorToAgentSentAt: number[] = [];
  const agentToVisitorSentAt: number[] = [];
  let lost = 0;
  let duplicates = 0;
  for (const s of sends.values()) {
    if (!s.recorded || !s.posted) continue;
    if (s.deliveredMs === undefined) lost++;
    else if (s.dir === 'v2a') {
      visitorToAgent.push(s.deliveredMs);
      visitorToAgentSentAt.push(s.at - windowStart);
    } else {
      agentToVisitor.push(s.deliveredMs);
      agentToVisitorSentAt.push(s.at - windowStart);
    }
    if (s.deliveries > 1) duplicates++;
  }
  if (duplicates > 0 && errors.length < 5) errors.push(`${duplicates} message(s) delivered more than once`);
  const windowSeconds = windowStart > 0 ? (windowEnd - windowStart) / 1000 : 0;
  const recordedCount = total - firstRecorded;
  lags.sort((a, b) => a - b);
  return {
    visitorToAgent,
    agentToVisitor,
    visitorToAgentSentAt,
    agentToVisitorSentAt,
    postMs,
    sent: recordedCount,
    lost,
    postErrors,
    errorSample: errors,
    windowSeconds,
    achievedRate: windowSeconds > 0 ? recordedCount / windowSeconds : 0,
    scheduleLagP99: nearest(lags, 0.99),
    scheduleLagMax: lags.at(-1) ?? 0,
    // The histogram holds whole timer intervals: the delay is what exceeds the resolution.
    loopDelayP99: windowStart > 0 ? Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : 0,
    loopDelayMax: windowStart > 0 ? Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS) : 0,
    clientCpu: windowSeconds > 0 ? (cpu.user + cpu.system) / 1e6 / windowSeconds : 0,
    streamsEnded: streamsEnded - endedBefore,
  };
}

async function handle(command: ClientCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'init':
      roster = command.roster;
      return undefined;
    case 'connect':
      return connect(command.visitors, command.agents, command.concurrency);
    case 'close-all':
      return closeAll();
    case 'run':
      return run(command.plan);
    case 'exit':
      await closeAll();
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

process.on('message', (raw: unknown) => {
  const command = raw as ClientCommand;
  handle(command).then(
    (result) => process.send?.({ seq: command.seq, ok: true, result } satisfies ClientReply),
    (err: unknown) => process.send?.({ seq: command.seq, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ClientReply),
  );
});
// The bench went away: do not outlive it.
process.on('disconnect', () => process.exit(0));
