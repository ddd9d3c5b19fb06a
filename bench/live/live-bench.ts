// Bench section "live": delivery latency over SSE with 1,000 visitors and 50 agents connected (clients in a
// separate process) at a steady 200 messages/s, against the same delivery at light load and a bare
// node:http relay measured in the same run; and the server memory one idle live connection costs.
import os from 'node:os';
import path from 'node:path';
import { machine, ratio, stats, type BenchContext, type SectionResult, type SummaryRow } from '../section.ts';
import type { ConnectResult, ProbeLoop, ProbeMemory, Roster, RunPlan, RunResult, VisitorSeat } from './live-protocol.ts';
import { cpuSeconds, startBareRelay, startClients, startService, vmRss, type ClientProcess, type ProbedServer } from './live-processes.ts';
import { setUpConversations } from './live-setup.ts';

/** Sizes of one run; `fullLiveOptions` is the issue's load, `quickLiveOptions` the CI one (well under a minute). */
export interface LiveBenchOptions {
  /** Visitor streams, one conversation each, all assigned. Range 1-5000; full 1000, quick 100. */
  visitors: number;
  /** Agent streams; conversation i belongs to agent i mod agents (capacity 50 each). Range 1-100, >= visitors / 50; full 50, quick 10. */
  agents: number;
  /** Messages per second over both directions in the loaded run. Range 1-2000; full 200, quick 100. */
  rate: number;
  /** Sent at the loaded rate before the recorded window. Range 0-30000 ms; full 3000, quick 1000. */
  warmupMs: number;
  /** The recorded window of the loaded run. Range 1000-300000 ms; full 30000, quick 5000. */
  durationMs: number;
  /** One visitor and their agent at the loaded rate before anything is measured (JIT warm-up); not recorded. Range 0-30000 ms; full 5000, quick 2000. */
  jitWarmupMs: number;
  /** The light-load baseline: one visitor and their agent at this rate (msg/s, both directions). Range 1-50; 10. */
  baselineRate: number;
  /** How long the baseline is recorded. Range 1000-60000 ms; full 20000, quick 4000. */
  baselineMs: number;
  /** The bare relay run (same connections and rate as the loaded run). Range 1000-60000 ms; full 20000, quick 4000. */
  relayMs: number;
  /** Diagnostics: send in one direction only. Default both, alternating. */
  only?: 'v2a' | 'a2v';
}

export const fullLiveOptions: LiveBenchOptions = {
  visitors: 1000,
  agents: 50,
  rate: 200,
  warmupMs: 3000,
  durationMs: 30_000,
  jitWarmupMs: 5000,
  baselineRate: 10,
  baselineMs: 20_000,
  relayMs: 20_000,
};

export const quickLiveOptions: LiveBenchOptions = {
  visitors: 100,
  agents: 10,
  rate: 100,
  warmupMs: 1000,
  durationMs: 5000,
  jitWarmupMs: 2000,
  baselineRate: 10,
  baselineMs: 4000,
  relayMs: 4000,
};

const TARGET_P99_MS = 50;
const ADMIN = { username: 'bench-lead', password: 'bench-lead-secret-pass' };
/** Sender sockets (keep-alive): enough that a slow answer does not hold the schedule back. */
const SENDER_SOCKETS = 64;
/** After the last send: time for late deliveries before the rest count as lost. */
const DRAIN_MS = 5000;
/** After opening the streams and before reading memory: timers and buffers settle. */
const SETTLE_MS = 2000;

interface MemoryReading {
  probe: ProbeMemory;
  /** VmRSS from /proc/<pid>/status, when readable. */
  vmRss?: number;
}

interface PerConnection {
  connections: number;
  before: MemoryReading;
  after: MemoryReading;
  /** Bytes per connection: VmRSS without V8's young generation, and the plain VmRSS difference. */
  rss: number;
  rawRss: number;
  heapUsed: number;
  external: number;
}

interface Measured {
  run: RunResult;
  /** CPU seconds of the server process in the run (warm-up and drain included) per wall second. */
  serverCpu?: number;
  /** The server's event-loop delay and GC pauses over the same span. */
  serverLoop: ProbeLoop;
  /** The machine's 1-minute load average before and after: other processes (benchmarks run in parallel) show here. */
  loadAverage: [number, number];
}

export interface LiveBenchData {
  mode: 'quick' | 'full';
  options: LiveBenchOptions;
  machine: ReturnType<typeof machine>;
  setupMs: { agents: number; conversations: number };
  baseline: Measured;
  loaded: Measured;
  relay: Measured;
  connect: { service: ConnectResult; relay: ConnectResult };
  memory: { service: PerConnection; relay: PerConnection; serverAfterRun?: MemoryReading };
}

async function readMemory(server: ProbedServer): Promise<MemoryReading> {
  const probe = await server.memory();
  const rss = await vmRss(server.pid);
  return rss === undefined ? { probe } : { probe, vmRss: rss };
}

const rssOf = (m: MemoryReading) => m.vmRss ?? m.probe.rss;

function perConnection(connections: number, before: MemoryReading, after: MemoryReading): PerConnection {
  // The young generation is left out: it is sized by recent allocation, not by what stays connected.
  const settled = (m: MemoryReading) => rssOf(m) - m.probe.youngGeneration;
  return {
    connections,
    before,
    after,
    rss: (settled(after) - settled(before)) / connections,
    rawRss: (rssOf(after) - rssOf(before)) / connections,
    heapUsed: (after.probe.heapUsed - before.probe.heapUsed) / connections,
    external: (after.probe.external - before.probe.external) / connections,
  };
}

async function measure(clients: ClientProcess, server: ProbedServer, plan: RunPlan): Promise<Measured> {
  await server.loopStart();
  const load0 = os.loadavg()[0]!;
  const cpu0 = await cpuSeconds(server.pid);
  const t0 = performance.now();
  const run = await clients.call<RunResult>({ cmd: 'run', plan }, plan.warmupMs + plan.durationMs + plan.drainMs + 120_000);
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = await cpuSeconds(server.pid);
  const serverLoop = await server.loopRead();
  const loadAverage: [number, number] = [load0, os.loadavg()[0]!];
  return cpu0 === undefined || cpu1 === undefined ? { run, serverLoop, loadAverage } : { run, serverLoop, loadAverage, serverCpu: (cpu1 - cpu0) / wall };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function runLiveBench(ctx: BenchContext): Promise<SectionResult> {
  return runLiveBenchWith(ctx, ctx.quick ? quickLiveOptions : fullLiveOptions);
}

export async function runLiveBenchWith(ctx: BenchContext, o: LiveBenchOptions): Promise<SectionResult> {
  const children: Array<{ stop(): Promise<void> }> = [];
  try {
    ctx.progress(`live: starting the service (${o.visitors} visitors, ${o.agents} agents, ${o.rate} msg/s)`);
    const service = await startService(ctx.root, {
      DATA_DIR: path.join(ctx.tmpDir, 'live-data'),
      KNOWLEDGE_DIR: ctx.knowledgeDir,
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off',
      BUSINESS_HOURS: 'always',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      // The agents set their status over HTTP before their streams open: it must hold that long (the maximum, 5 min).
      PRESENCE_GRACE_SECONDS: '300',
      // No chat may close for idleness while the bench runs.
      IDLE_CLOSE_MINUTES: '120',
    });
    children.push(service);
    const setup = await setUpConversations(service.base, ADMIN, o.agents, o.visitors, ctx.progress);

    const clients = startClients(ctx.root);
    children.push(clients);
    const serviceRoster: Roster = { kind: 'service', base: service.base, visitors: setup.visitors, agents: setup.agents };
    await clients.call({ cmd: 'init', roster: serviceRoster });

    const plan = (rate: number, durationMs: number, conversations: number[], warmupMs: number): RunPlan => ({
      ratePerSecond: rate,
      warmupMs,
      durationMs,
      conversations,
      drainMs: DRAIN_MS,
      maxSockets: SENDER_SOCKETS,
      ...(o.only ? { only: o.only } : {}),
    });

    // 1. Light load: one visitor and their agent, alone on the server, after a warm-up of the same
    // routes at the loaded rate (not recorded) so that the baseline runs on compiled, optimized code.
    await clients.call({ cmd: 'connect', visitors: [0], agents: [setup.visitors[0]!.agent], concurrency: 2 });
    ctx.progress(`live: warm-up, 1 pair at ${o.rate} msg/s for ${o.jitWarmupMs / 1000} s`);
    await clients.call({ cmd: 'run', plan: plan(o.rate, 0, [0], o.jitWarmupMs) });
    ctx.progress(`live: baseline, 1 pair at ${o.baselineRate} msg/s for ${o.baselineMs / 1000} s`);
    const baseline = await measure(clients, service, plan(o.baselineRate, o.baselineMs, [0], 1000));
    await clients.call({ cmd: 'close-all' });
    await sleep(500);

    // 2. Memory: before and after opening every stream, idle.
    const before = await readMemory(service);
    ctx.progress(`live: opening ${o.visitors} visitor and ${o.agents} agent streams`);
    const connected = await clients.call<ConnectResult>({ cmd: 'connect', visitors: range(o.visitors), agents: range(o.agents), concurrency: 50 });
    await sleep(SETTLE_MS);
    const after = await readMemory(service);

    // 3. The loaded run.
    ctx.progress(`live: ${o.rate} msg/s for ${o.durationMs / 1000} s (+${o.warmupMs / 1000} s warm-up)`);
    const loaded = await measure(clients, service, plan(o.rate, o.durationMs, range(o.visitors), o.warmupMs));
    const serverAfterRun = await readMemory(service);
    await clients.call({ cmd: 'close-all' });
    await service.stop();

    // 4. The same connections and rate on the bare relay.
    ctx.progress(`live: bare node:http relay, ${o.rate} msg/s for ${o.relayMs / 1000} s`);
    const relay = await startBareRelay(ctx.root);
    children.push(relay);
    const relayVisitors: VisitorSeat[] = setup.visitors.map((v, i) => ({ conversationId: String(i), token: '', agent: v.agent }));
    await clients.call({
      cmd: 'init',
      roster: { kind: 'relay', base: relay.base, visitors: relayVisitors, agents: setup.agents.map((a) => ({ agentId: a.agentId, cookie: '' })) },
    });
    const relayBefore = await readMemory(relay);
    const relayConnected = await clients.call<ConnectResult>({ cmd: 'connect', visitors: range(o.visitors), agents: range(o.agents), concurrency: 50 });
    await sleep(SETTLE_MS);
    const relayAfter = await readMemory(relay);
    const relayRun = await measure(clients, relay, plan(o.rate, o.relayMs, range(o.visitors), o.warmupMs));
    await clients.call({ cmd: 'exit' }).catch(() => {});

    const data: LiveBenchData = {
      mode: ctx.quick ? 'quick' : 'full',
      options: o,
      machine: machine(),
      setupMs: setup.ms,
      baseline,
      loaded,
      relay: relayRun,
      connect: { service: connected, relay: relayConnected },
      memory: {
        service: perConnection(o.visitors + o.agents, before, after),
        relay: perConnection(o.visitors + o.agents, relayBefore, relayAfter),
        serverAfterRun,
      },
    };
    return { id: 'live', markdown: formatLive(data), data: slim(data), summary: liveSummary(data) };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => {});
  }
}

/** latest.json keeps the figures, not every sample. */
function slim(d: LiveBenchData): unknown {
  const run = (m: Measured) => {
    const { visitorToAgent, agentToVisitor, visitorToAgentSentAt, agentToVisitorSentAt, postMs, ...rest } = m.run;
    return {
      ...rest,
      serverCpu: m.serverCpu,
      serverLoop: m.serverLoop,
      loadAverage: m.loadAverage,
      visitorToAgent: stats(visitorToAgent),
      agentToVisitor: stats(agentToVisitor),
      post: stats(postMs),
      windows: { visitorToAgent: windowP99s(visitorToAgent, visitorToAgentSentAt), agentToVisitor: windowP99s(agentToVisitor, agentToVisitorSentAt) },
    };
  };
  return { ...d, baseline: run(d.baseline), loaded: run(d.loaded), relay: run(d.relay) };
}

/** Length of the windows the loaded run is cut into to see whether its tail is steady or a burst. */
const WINDOW_MS = 5000;

/** p99 of the samples sent in each WINDOW_MS window, in window order. */
function windowP99s(latencies: readonly number[], sentAt: readonly number[]): number[] {
  const windows: number[][] = [];
  latencies.forEach((latency, i) => (windows[Math.floor(sentAt[i]! / WINDOW_MS)] ??= []).push(latency));
  return windows.filter((w) => w !== undefined && w.length > 0).map((w) => stats(w).p99);
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${(share * 100).toFixed(0)}%`);

function formatLive(d: LiveBenchData): string {
  const o = d.options;
  const L = d.loaded.run;
  const B = d.baseline.run;
  const R = d.relay.run;
  const connections = o.visitors + o.agents;
  const row = (label: string, samples: number[], base: number[], baseLabel: string) => {
    const s = stats(samples);
    const b = stats(base);
    return `| ${label} | ${ms(s.median)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.n} | ${baseLabel}: ${ms(b.median)} / ${ms(b.p99)} | ${ratio(s.median, b.median)} / ${ratio(s.p99, b.p99)} |`;
  };
  const mem = d.memory;
  const gc = mem.service.after.probe.collected ? 'after forced collections (gc() twice, `--expose-gc`)' : 'WITHOUT forced collections';
  const health = (r: RunResult) =>
    `${r.sent} sent in ${r.windowSeconds.toFixed(1)} s (${r.achievedRate.toFixed(1)} msg/s), lost ${r.lost}, post errors ${r.postErrors}, streams dropped ${r.streamsEnded}${r.errorSample.length ? ` (${r.errorSample.join('; ')})` : ''}`;
  const load = (m: Measured) => `machine load average ${m.loadAverage[0].toFixed(1)} -> ${m.loadAverage[1].toFixed(1)}`;
  const server = (m: Measured) =>
    `server CPU ${pct(m.serverCpu)} of a core, event-loop delay p99 ${ms(m.serverLoop.delayP99)} ms (max ${ms(m.serverLoop.delayMax)}), GC ${m.serverLoop.gcCount} pauses (${m.serverLoop.gcMajorCount} full, longest ${ms(m.serverLoop.gcMajorMaxMs)} ms), longest ${ms(m.serverLoop.gcMaxMs)} ms, ${ms(m.serverLoop.gcTotalMs)} ms in all`;
  const client = (r: RunResult) =>
    `event-loop delay p99 ${ms(r.loopDelayP99)} ms (max ${ms(r.loopDelayMax)}), CPU ${pct(r.clientCpu)} of a core, sender timer late p99 ${ms(r.scheduleLagP99)} ms (max ${ms(r.scheduleLagMax)})`;
  return `## Live delivery: ${o.visitors.toLocaleString('en')} visitors and ${o.agents} agents on SSE, ${o.rate} msg/s

${d.mode}: ${o.visitors} visitor streams + ${o.agents} agent streams (${connections} connections) held by a separate client process;
${o.rate} messages/s for ${o.durationMs / 1000} s after ${o.warmupMs / 1000} s of warm-up, half visitor -> agent and half agent -> visitor.

| latency (ms) | median | p99 | max | n | baseline median / p99 | ratio median / p99 |
|---|---|---|---|---|---|---|
${[
  row(`visitor -> agent, ${o.rate} msg/s`, L.visitorToAgent, B.visitorToAgent, `1 pair, ${o.baselineRate} msg/s`),
  row(`agent -> visitor, ${o.rate} msg/s`, L.agentToVisitor, B.agentToVisitor, `1 pair, ${o.baselineRate} msg/s`),
  row(`POST round trip (both routes), ${o.rate} msg/s`, L.postMs, B.postMs, `1 pair, ${o.baselineRate} msg/s`),
  row(`visitor -> agent, ${o.rate} msg/s`, L.visitorToAgent, R.visitorToAgent, `bare node:http relay, same load`),
  row(`agent -> visitor, ${o.rate} msg/s`, L.agentToVisitor, R.agentToVisitor, `bare node:http relay, same load`),
].join('\n')}

| memory per idle connection (${connections} streams) | service | bare node:http relay | ratio |
|---|---|---|---|
| server RSS (VmRSS without V8's young generation) | ${kib(mem.service.rss)} | ${kib(mem.relay.rss)} | ${ratio(mem.service.rss, mem.relay.rss)} |
| server RSS (plain VmRSS difference) | ${kib(mem.service.rawRss)} | ${kib(mem.relay.rawRss)} | ${ratio(mem.service.rawRss, mem.relay.rawRss)} |
| server heap used | ${kib(mem.service.heapUsed)} | ${kib(mem.relay.heapUsed)} | ${ratio(mem.service.heapUsed, mem.relay.heapUsed)} |

Target: p99 <= ${TARGET_P99_MS} ms both ways on ${d.machine.nproc} cores: visitor -> agent ${stats(L.visitorToAgent).p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}, agent -> visitor ${stats(L.agentToVisitor).p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}.

- The loaded run's p99 in each ${WINDOW_MS / 1000} s window, visitor -> agent: ${windowP99s(L.visitorToAgent, L.visitorToAgentSentAt).map(ms).join(', ')} ms; agent -> visitor: ${windowP99s(L.agentToVisitor, L.agentToVisitorSentAt).map(ms).join(', ')} ms (a tail from one window is a burst, often other load on the machine; a steady one is the server).
- Loaded run: ${health(L)}. ${server(d.loaded)}; client ${client(L)}; ${load(d.loaded)}.
- Baseline run: ${health(B)}. ${server(d.baseline)}; ${load(d.baseline)}.
- Bare relay run: ${health(R)}. Relay: ${server(d.relay)}; client ${client(R)}; ${load(d.relay)}.
- Opening the ${connections} streams took ${(d.connect.service.ms / 1000).toFixed(1)} s (50 at a time, each until its \`ready\` event); the client process then held ${d.connect.service.clientRssMiB.toFixed(0)} MiB RSS.
- Server memory ${gc}: before the streams RSS ${mib(rssOf(mem.service.before))} (young generation ${mib(mem.service.before.probe.youngGeneration)}), heap used ${mib(mem.service.before.probe.heapUsed)}; with them RSS ${mib(rssOf(mem.service.after))} (young generation ${mib(mem.service.after.probe.youngGeneration)}), heap used ${mib(mem.service.after.probe.heapUsed)}${mem.serverAfterRun ? `; after the loaded run RSS ${mib(rssOf(mem.serverAfterRun))}, heap used ${mib(mem.serverAfterRun.probe.heapUsed)}` : ''}. External memory per connection ${kib(mem.service.external)}.
- Setup over the HTTP API (not timed as a figure): ${o.agents} agents created and signed in in ${(d.setupMs.agents / 1000).toFixed(1)} s (argon2id), ${o.visitors} conversations handed off and taken in ${(d.setupMs.conversations / 1000).toFixed(1)} s.

How measured: the service runs as \`npm start\` runs it (\`tsx bot/server/main.ts\`, through bench/live/probed-server.ts, which
only adds a probe on the IPC channel: memory after forced collections, event-loop delay, GC pauses) with \`LOG_LEVEL=warn
RATE_LIMITS=off BUSINESS_HOURS=always\` and its SQLite file in the run's scratch directory. ${o.agents} agents (capacity 50,
every group) are created with the admin API and sign in; ${o.visitors} visitors each send "转人工" to \`POST /api/chat\` and
agent *i mod ${o.agents}* takes the chat (\`POST /api/agent/conversations/:id/take\`), so each agent holds ${Math.round(o.visitors / o.agents)}.
A second process (bench/live/live-clients.ts, node:http with a minimal SSE parser) opens every visitor stream
(\`GET /api/conversations/:id/events\`, Bearer token) and agent stream (\`GET /api/agent/events\`, session cookie), each on its
own socket, and waits for each stream's \`ready\`. The same process sends on a fixed open-loop schedule over ${SENDER_SOCKETS} keep-alive
sockets, going round the conversations: the visitor's message (\`POST /api/chat\` with the Bearer token), then the holding
agent's reply (\`POST /api/agent/conversations/:id/messages\` with the cookie). Each text carries a sequence number; latency
is the time from starting the POST to parsing the \`message\` event on the other side's stream, both read from the client's
\`performance.now()\`, so it includes the POST's own handling (storing the message) and the fan-out. Every message also goes
back to its sender's own stream, as the service does; those echoes are not timed. A message answered 2xx but not seen
within ${DRAIN_MS / 1000} s after the last send counts as lost. Before anything is recorded, one pair runs at ${o.rate} msg/s for
${o.jitWarmupMs / 1000} s (JIT warm-up), and the loaded run starts with ${o.warmupMs / 1000} s not recorded.

Baselines, measured in the same run: (1) the same service, routes and client at light load, one visitor and their agent
alone at ${o.baselineRate} msg/s: what one delivery costs without contention. Its median can be *above* the loaded one: at
${o.baselineRate} msg/s every message wakes idle processes and sockets, under load they are already awake. (2) A bare node:http
SSE relay (bench/live/bare-relay.ts) with the same ${connections} streams, rate, fan-out (visitor and agent stream) and heartbeat
timers, but no authentication, storage, routing or framework: the floor this machine, kernel and client impose; its
tail also shows how much of ours is other load on the machine. Memory per idle connection is the server's VmRSS (from
/proc/<pid>/status) and V8 heap used, ${gc}, read before and ${SETTLE_MS / 1000} s after opening all streams, divided by
${connections}; the same for the relay. The RSS figure leaves out V8's young generation (its physical size from
\`v8.getHeapSpaceStatistics()\`), which opening ${connections.toLocaleString('en')} streams at once can grow to its maximum and an idle process shrinks,
whatever stays connected; the plain difference is shown too. An RSS figure below the heap figure means the process
reused memory it already held: RSS cannot resolve that few streams (the quick run), the heap figure can.
CPU shares come from /proc/<pid>/stat (server) and \`process.cpuUsage()\` (client);
event-loop delays are what exceeds a 5 ms timer (monitorEventLoopDelay). On ${d.machine.nproc} cores the client, the server and
SQLite share the CPU with whatever else runs, so figures are noisy between runs; nothing here passes or fails on a time.
`;
}

function liveSummary(d: LiveBenchData): SummaryRow[] {
  const o = d.options;
  const L = d.loaded.run;
  const B = d.baseline.run;
  const R = d.relay.run;
  const row = (dir: string, samples: number[], base: number[], floor: number[]): SummaryRow => {
    const s = stats(samples);
    const b = stats(base);
    const f = stats(floor);
    return {
      figure: `live delivery ${dir}, ${o.visitors} visitors + ${o.agents} agents, ${o.rate} msg/s (SSE)`,
      value: `p50 ${ms(s.median)} ms, p99 ${ms(s.p99)} ms`,
      baseline: `1 pair at ${o.baselineRate} msg/s p50 ${ms(b.median)} ms, p99 ${ms(b.p99)} ms: ${ratio(s.median, b.median)}, ${ratio(s.p99, b.p99)}; bare node:http relay p99 ${ms(f.p99)} ms: ${ratio(s.p99, f.p99)}`,
      target: `p99 <= ${TARGET_P99_MS} ms`,
      met: s.p99 <= TARGET_P99_MS && L.lost === 0,
    };
  };
  const m = d.memory;
  return [
    row('visitor -> agent', L.visitorToAgent, B.visitorToAgent, R.visitorToAgent),
    row('agent -> visitor', L.agentToVisitor, B.agentToVisitor, R.agentToVisitor),
    {
      figure: `server memory per idle live connection (${o.visitors + o.agents} SSE streams)`,
      value: `RSS ${kib(m.service.rss)} (without V8's young generation${m.service.rss < m.service.heapUsed ? '; below what RSS resolves at this size' : ''}), heap ${kib(m.service.heapUsed)}`,
      baseline: `bare node:http relay RSS ${kib(m.relay.rss)}, heap ${kib(m.relay.heapUsed)}: ${ratio(m.service.rss, m.relay.rss)}, ${ratio(m.service.heapUsed, m.relay.heapUsed)}`,
    },
  ];
}
