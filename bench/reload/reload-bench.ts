// Bench section "reload": how long a knowledge-base edit takes to go live on the running server, for the
// shipped KB and a 10k-entry one, while requests keep coming, and what those requests see meanwhile.
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadTests } from '../../knowledge/index.ts';
import { writeSyntheticKnowledge } from '../synthetic-kb.ts';
import { machine, ratio, stats, type BenchContext, type SectionResult, type SummaryRow } from '../section.ts';
import { conversationsOf } from '../test-turns.ts';
import { prepareEdit } from './edit-faq.ts';
import { defaultLoadOptions, describeError, longestSilence, sentWithin, startLoad, type LoadTurn, type RequestSample } from './request-load.ts';
import { startServerProcess, type LogLine } from '../server-process.ts';

export interface ReloadBenchOptions {
  /** Reloads of the shipped KB. Full 10, quick 3. */
  shippedRounds: number;
  /** Size of the large synthetic KB. Full 10000; quick 1000 (a 10k build takes seconds, too long for CI). */
  largeEntries: number;
  /** Reloads of the large KB. Full 5, quick 2. */
  largeRounds: number;
  /** Quiet load with no reload before each reload: the baseline. Range 500-10000 ms. */
  baselineMs: { shipped: number; large: number };
  /** The reload window runs from the write until this long after /healthz shows the new version (the old engine's garbage collection comes then). Range 0-2000 ms; default 500. */
  tailMs: number;
  /** Gap after a window before the next baseline starts, so late responses land in neither. Range 0-2000 ms; default 300. */
  settleMs: number;
  /** How often /healthz is asked for the new version. Range 5-100 ms; default 10. */
  pollMs: number;
  /** Load before the first baseline, not counted (JIT, connection pool). Range 0-5000 ms; default 1000. */
  warmupMs: number;
}

export const fullReloadOptions: ReloadBenchOptions = {
  shippedRounds: 10,
  largeEntries: 10_000,
  largeRounds: 5,
  baselineMs: { shipped: 1500, large: 3000 },
  tailMs: 500,
  settleMs: 300,
  pollMs: 10,
  warmupMs: 1000,
};

export const quickReloadOptions: ReloadBenchOptions = {
  ...fullReloadOptions,
  shippedRounds: 3,
  largeEntries: 1000,
  largeRounds: 2,
  baselineMs: { shipped: 1000, large: 1500 },
  warmupMs: 500,
};

/** Which faq file the edit goes to: present in the shipped KB and in the synthetic one (it copies the shipped faq). */
const EDITED_FILE = path.join('faq', 'billing.yaml');

/** `server.ts` is started with these on top of the environment. */
const SERVER_ENV = { RATE_LIMITS: 'off', LOG_LEVEL: 'info', BUSINESS_HOURS: 'always' };

type Lat = ReturnType<typeof stats>;

interface Round {
  version: string;
  /** From the write until a /healthz poll answered with the new version (ms). */
  visibleMs: number;
  /** The server's own figure from its `kb.reloaded` line: load + validate + build (ms). */
  serverMs: number | undefined;
  /** From the write until the `kb.reloaded` line was read from the server's stdout (ms). */
  loggedMs: number | undefined;
  /** Failed requests sent in this round's reload window (load and polls). */
  failed: number;
  chatMaxMs: number;
  silenceMs: number;
}

interface KbResult {
  label: string;
  entries: number;
  files: number | undefined;
  /** The server's start-up load + build (`kb.loaded` ms). */
  startupMs: number | undefined;
  rounds: Round[];
  visible: Lat;
  server: Lat;
  logged: Lat;
  chat: { baseline: Lat; reload: Lat };
  healthz: { baseline: Lat; reload: Lat };
  /** Longest stretch with no response arriving, max over the windows of each kind (ms). */
  silence: { baseline: number; reload: number };
  requests: { total: number; baseline: number; reload: number };
  failed: { total: number; baseline: number; reload: number; examples: string[] };
}

/** "3x what" per distinct value, most frequent first. */
function countBy(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([v, n]) => `${n}x ${v}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const latencies = (samples: readonly RequestSample[]) => stats(samples.map((s) => s.end - s.start));

async function measureKb(
  ctx: BenchContext,
  o: ReloadBenchOptions,
  kb: { label: string; dir: string; files?: number; rounds: number; baselineMs: number; conversations: LoadTurn[][] },
): Promise<KbResult> {
  const reloaded: { line: LogLine; readAt: number }[] = [];
  let startupMs: number | undefined;
  ctx.progress(`reload: starting the server on the ${kb.label} KB`);
  const server = await startServerProcess({
    root: ctx.root,
    env: { ...SERVER_ENV, KNOWLEDGE_DIR: kb.dir, DATA_DIR: path.join(ctx.tmpDir, `reload-data-${kb.label}`) },
    onLog: (line, readAt) => {
      if (line.event === 'kb.reloaded') reloaded.push({ line, readAt });
      if (line.event === 'kb.loaded' && typeof line.ms === 'number') startupMs = line.ms;
    },
  });
  const polls: RequestSample[] = [];
  const health = async (): Promise<string | undefined> => {
    const start = performance.now();
    try {
      const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as { kb?: { version?: string } };
      polls.push({ kind: 'healthz', start, end: performance.now(), status: res.status, ok: res.ok, ...(res.ok ? {} : { error: `HTTP ${res.status}` }) });
      return res.ok ? body.kb?.version : undefined;
    } catch (err) {
      polls.push({ kind: 'healthz', start, end: performance.now(), status: 0, ok: false, error: describeError(err) });
      return undefined;
    }
  };

  const load = startLoad({ url: server.url, conversations: kb.conversations });
  const rounds: Round[] = [];
  let entries = 0;
  const baselineWindows: [number, number][] = [];
  const reloadWindows: [number, number][] = [];
  try {
    await sleep(o.warmupMs);
    const first = (await (await fetch(`${server.url}/healthz`)).json()) as { kb: { version: string; entries: number } };
    entries = first.kb.entries;
    let version = first.kb.version;
    for (let r = 1; r <= kb.rounds; r++) {
      ctx.progress(`reload: ${kb.label} KB, reload ${r}/${kb.rounds}`);
      const b0 = performance.now();
      await sleep(kb.baselineMs);
      baselineWindows.push([b0, performance.now()]);

      const edit = await prepareEdit(path.join(kb.dir, EDITED_FILE), r);
      const written = performance.now();
      await edit.write();
      let seen: string | undefined;
      let seenAt = written;
      const deadline = written + 120_000;
      for (;;) {
        const pollStart = performance.now();
        const v = await health();
        if (v && v !== version) {
          seen = v;
          seenAt = performance.now();
          break;
        }
        if (performance.now() > deadline) throw new Error(`bench reload: ${kb.label} KB: /healthz still shows version ${version} 120 s after the edit:\n${server.output()}`);
        await sleep(Math.max(0, o.pollMs - (performance.now() - pollStart)));
      }
      const windowEnd = seenAt + o.tailMs;
      await sleep(Math.max(0, windowEnd - performance.now()));
      reloadWindows.push([written, windowEnd]);
      const log = reloaded.find((x) => x.line.version === seen);
      const inWindow = [...sentWithin(load.samples, written, windowEnd), ...sentWithin(polls, written, windowEnd)];
      const chat = sentWithin(load.samples, written, windowEnd, 'chat');
      rounds.push({
        version: seen,
        visibleMs: seenAt - written,
        serverMs: typeof log?.line.ms === 'number' ? log.line.ms : undefined,
        loggedMs: log ? log.readAt - written : undefined,
        failed: inWindow.filter((s) => !s.ok).length,
        chatMaxMs: latencies(chat).max,
        silenceMs: longestSilence([...load.samples, ...polls], written, windowEnd),
      });
      version = seen;
      await sleep(o.settleMs);
    }
  } finally {
    await load.stop();
    await server.stop();
  }

  const all = [...load.samples, ...polls];
  const pick = (windows: [number, number][], kind?: RequestSample['kind'], source: readonly RequestSample[] = load.samples) =>
    windows.flatMap(([a, b]) => sentWithin(source, a, b, kind));
  const failedIn = (windows: [number, number][]) => pick(windows, undefined, all).filter((s) => !s.ok);
  const failedAll = all.filter((s) => !s.ok);
  const num = (xs: (number | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');
  return {
    label: kb.label,
    entries,
    files: kb.files,
    startupMs,
    rounds,
    visible: stats(rounds.map((r) => r.visibleMs)),
    server: stats(num(rounds.map((r) => r.serverMs))),
    logged: stats(num(rounds.map((r) => r.loggedMs))),
    chat: { baseline: latencies(pick(baselineWindows, 'chat')), reload: latencies(pick(reloadWindows, 'chat')) },
    healthz: { baseline: latencies(pick(baselineWindows, 'healthz')), reload: latencies(pick(reloadWindows, 'healthz')) },
    silence: {
      baseline: Math.max(0, ...baselineWindows.map(([a, b]) => longestSilence(all, a, b))),
      reload: Math.max(0, ...reloadWindows.map(([a, b]) => longestSilence(all, a, b))),
    },
    requests: { total: all.length, baseline: pick(baselineWindows, undefined, all).length, reload: pick(reloadWindows, undefined, all).length },
    failed: {
      total: failedAll.length,
      baseline: failedIn(baselineWindows).length,
      reload: failedIn(reloadWindows).length,
      examples: countBy(failedAll.map((s) => `${s.kind === 'chat' ? 'POST /api/chat' : 'GET /healthz'}: ${s.error ?? s.status}`)),
    },
  };
}

export async function runReloadBench(ctx: BenchContext): Promise<SectionResult> {
  const o = ctx.quick ? quickReloadOptions : fullReloadOptions;
  const tests = await loadTests(ctx.knowledgeDir);
  const testConversations: LoadTurn[][] = conversationsOf(tests.suites).map((c) => c.map((t) => ({ text: t.ask, ...(t.lang ? { lang: t.lang } : {}) })));
  if (testConversations.length === 0) throw new Error(`bench reload: no test cases under ${ctx.knowledgeDir}/tests to send as chat load`);

  // The shipped KB, copied so it can be edited: its YAML only (the loader's code lives beside it).
  const shippedDir = path.join(ctx.tmpDir, 'reload-kb-shipped');
  await mkdir(shippedDir, { recursive: true });
  await cp(ctx.knowledgeDir, shippedDir, { recursive: true, filter: (src) => !/\.[cm]?[jt]s$/.test(src) });
  const shipped = await measureKb(ctx, o, {
    label: 'shipped',
    dir: shippedDir,
    rounds: o.shippedRounds,
    baselineMs: o.baselineMs.shipped,
    conversations: testConversations,
  });

  ctx.progress(`reload: writing a synthetic ${o.largeEntries}-entry KB`);
  const synthetic = await writeSyntheticKnowledge({ entries: o.largeEntries, dir: path.join(ctx.tmpDir, `reload-kb-${o.largeEntries}`), shippedDir: ctx.knowledgeDir });
  // Real questions and questions about synthetic entries, alternating.
  const probes: LoadTurn[][] = synthetic.probes.map((p) => [{ text: p.text, lang: p.lang }]);
  const mixed = testConversations.flatMap((c, i) => (probes.length ? [c, probes[i % probes.length]!] : [c]));
  const large = await measureKb(ctx, o, {
    label: sizeLabel(o.largeEntries),
    dir: synthetic.dir,
    files: synthetic.files,
    rounds: o.largeRounds,
    baselineMs: o.baselineMs.large,
    conversations: mixed,
  });

  const data = { mode: ctx.quick ? 'quick' : 'full', options: o, kbs: [shipped, large] };
  return { id: 'reload', markdown: formatReload(ctx, o, [shipped, large]), data, summary: reloadSummary([shipped, large]) };
}

const sizeLabel = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
const f0 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(0));
const f1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(1));

function formatReload(ctx: BenchContext, o: ReloadBenchOptions, kbs: KbResult[]): string {
  const timeRows = kbs.map(
    (k) =>
      `| ${k.label} (${k.entries} entries${k.files ? `, ${k.files} files` : ''}) | ${k.rounds.length} | ${f0(k.visible.median)} / ${f0(k.visible.p99)} | ${f0(k.logged.median)} / ${f0(k.logged.p99)} | ${f0(k.server.median)} / ${f0(k.server.p99)} | ${f0(k.startupMs)} | ${ratio(k.visible.median, k.server.median)} |`,
  );
  const latRows = kbs.flatMap((k) => [
    `| ${k.label} | no reload (baseline) | ${k.chat.baseline.n} | ${f1(k.chat.baseline.median)} | ${f1(k.chat.baseline.p99)} | ${f1(k.chat.baseline.max)} | 1x | ${f1(k.healthz.baseline.p99)} / ${f1(k.healthz.baseline.max)} | ${f0(k.silence.baseline)} | ${k.failed.baseline} of ${k.requests.baseline} |`,
    `| ${k.label} | during reload | ${k.chat.reload.n} | ${f1(k.chat.reload.median)} | ${f1(k.chat.reload.p99)} | ${f1(k.chat.reload.max)} | ${ratio(k.chat.reload.median, k.chat.baseline.median)} / ${ratio(k.chat.reload.p99, k.chat.baseline.p99)} / ${ratio(k.chat.reload.max, k.chat.baseline.max)} | ${f1(k.healthz.reload.p99)} / ${f1(k.healthz.reload.max)} | ${f0(k.silence.reload)} | ${k.failed.reload} of ${k.requests.reload} |`,
  ]);
  const roundRows = kbs.flatMap((k) =>
    k.rounds.map((r, i) => `| ${k.label} | ${i + 1} | ${f0(r.visibleMs)} | ${f0(r.serverMs)} | ${f0(r.chatMaxMs)} | ${f0(r.silenceMs)} | ${r.failed} |`),
  );
  const failures = kbs.filter((k) => k.failed.total > 0).map((k) => `- ${k.label}: ${k.failed.total} failed request(s) in the whole run: ${k.failed.examples.join('; ')}`);
  const stalls = kbs.map(
    (k) =>
      `- ${k.label}: during reloads the slowest chat took ${f0(k.chat.reload.max)} ms (${ratio(k.chat.reload.max, k.chat.baseline.max)} the slowest without a reload, ${f0(k.chat.baseline.max)} ms), and for up to ${f0(k.silence.reload)} ms no response at all arrived (${f0(k.silence.baseline)} ms without a reload); the server's load + build took ${f0(k.server.median)} ms (median)${k.silence.reload > 0.5 * (k.server.median || Infinity) ? ': requests waited for the build, which holds the event loop' : ''}.`,
  );
  return `## Hot reload under load

${ctx.quick ? `quick: ${o.shippedRounds} reloads of the shipped KB and ${o.largeRounds} of a ${sizeLabel(o.largeEntries)}-entry synthetic KB (the 10k KB only in the full run)` : `full: ${o.shippedRounds} reloads of the shipped KB and ${o.largeRounds} of a ${sizeLabel(o.largeEntries)}-entry synthetic KB`}; debounce \`RELOAD_DEBOUNCE_MS\` at its default (200 ms), included in every time below.

### Time until an edit is live

| knowledge base | reloads | write -> /healthz shows it, median / p99 (ms) | write -> \`kb.reloaded\` logged, median / p99 (ms) | server load + build (its log), median / p99 (ms) | start-up load + build (ms) | ratio visible / server build |
|---|---|---|---|---|---|---|
${timeRows.join('\n')}

### Requests while the knowledge base is swapped

| knowledge base | window | chat requests | chat p50 (ms) | chat p99 (ms) | chat max (ms) | ratio to baseline p50 / p99 / max | /healthz p99 / max (ms) | longest time with no response (ms) | failed requests |
|---|---|---|---|---|---|---|---|---|---|
${latRows.join('\n')}

${stalls.join('\n')}
${failures.length ? `\n**Failed requests:**\n${failures.join('\n')}\n${resetNote(kbs)}` : '- No request failed: every response was a 2xx.\n'}
<details><summary>Every reload</summary>

| knowledge base | reload | visible after (ms) | server load + build (ms) | slowest chat in window (ms) | longest silence (ms) | failed |
|---|---|---|---|---|---|---|
${roundRows.join('\n')}

</details>

How measured: the real server runs as a child process (\`node --import tsx bot/server/main.ts\`, \`RATE_LIMITS=off\`,
\`LOG_LEVEL=info\`, its own SQLite file) on a copy of the KB. This process keeps ${defaultLoadOptions.chatLoops} loops of \`POST /api/chat\` (the
editors' test conversations from knowledge/tests, whole conversations with their token${kbs[1] ? `; for the synthetic KB alternating with questions about synthetic entries` : ''})
and one loop of \`GET /healthz\` in flight, each waiting ${defaultLoadOptions.thinkMs} ms after a response before its next request. Each round: ${o.baselineMs.shipped} ms
(shipped; ${o.baselineMs.large} ms for the large KB) of that load with no reload, the **baseline**; then one English question is
added to the first entry of \`${EDITED_FILE}\` and the file is saved in place, and \`/healthz\` is polled every ${o.pollMs} ms until it
reports the new version. The **reload window** runs from the write until ${o.tailMs} ms after the new version was seen (so
the old engine's garbage collection counts too); ${o.settleMs} ms pass before the next baseline. Latencies are client-side
(sent -> whole body read, \`performance.now()\`), assigned to a window by the time they were sent; medians and p99 are
nearest rank over every round's windows; "failed" is any non-2xx or network error or timeout (30 s), polls included.
The server's own figure is the \`ms\` of its \`kb.reloaded\` log line (load, validate, build; the debounce not included).
The load generator shares the machine's ${machine().nproc} cores with the server, so absolute times are noisy; compare the ratios.
`;
}

/**
 * Why connections are reset after a long stall (reproduced with a bare node:http server): a request sent on a
 * kept-alive connection while the event loop is blocked waits unread in the socket; when the block (outside
 * the timers phase) ends, the loop's next turn runs timers before it reads sockets, the connection's
 * keep-alive timeout (Node's default 5 s) has expired, and the server closes it with the request unread: RST.
 */
function resetNote(kbs: KbResult[]): string {
  const resets = kbs.some((k) => k.failed.examples.some((e) => e.includes('ECONNRESET')));
  const longStall = kbs.some((k) => k.silence.reload > 5000);
  if (!resets || !longStall) return '';
  return `- Why: the build holds the event loop longer than Node's HTTP keep-alive timeout (5 s). A request sent on a kept-alive
  connection during the stall waits unread; when the build returns, timers run before sockets are read, the
  connection's idle timeout has expired and the server closes it with the request unread, so the client gets ECONNRESET
  (reproduced with a bare node:http server blocked 7 s: every such request reset; blocked 4 s: none). Browsers retry some of
  these, API clients usually do not. Stalls under 5 s delay requests but do not fail them.
`;
}

function reloadSummary(kbs: KbResult[]): SummaryRow[] {
  const rows: SummaryRow[] = kbs.map((k) => ({
    figure: `hot reload, ${k.label} KB (${k.entries} entries): write -> /healthz shows the new version`,
    value: `p50 ${f0(k.visible.median)} ms, p99 ${f0(k.visible.p99)} ms (${k.rounds.length} reloads)`,
    baseline: `server load + build ${f0(k.server.median)} ms (its log): ${ratio(k.visible.median, k.server.median)}`,
  }));
  const failed = kbs.reduce((n, k) => n + k.failed.reload, 0);
  const sent = kbs.reduce((n, k) => n + k.requests.reload, 0);
  rows.push({
    figure: 'failed requests during reloads (chat + healthz)',
    value: `${failed} of ${sent}`,
    target: '0',
    met: failed === 0,
  });
  for (const k of kbs) {
    rows.push({
      figure: `POST /api/chat during a reload, ${k.label} KB`,
      value: `p99 ${f0(k.chat.reload.p99)} ms, max ${f0(k.chat.reload.max)} ms`,
      baseline: `no reload: p99 ${f0(k.chat.baseline.p99)} ms, max ${f0(k.chat.baseline.max)} ms: ${ratio(k.chat.reload.p99, k.chat.baseline.p99)} p99`,
    });
  }
  return rows;
}
