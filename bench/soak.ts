// A soak run, by hand: `npx tsx --expose-gc bench/soak.ts [--minutes 10] [--visitors 500] [--agents 20] [--rate 100]`.
// The live-delivery load (visitors and agents on SSE from a separate client process, messages both ways
// at a steady rate) for many minutes, while this process samples the server's resident memory and the
// size of its WAL file every 10 s. Prints the samples and the live section's figures (latency, lost
// messages, errors); exit code 1 if a message was lost or a send failed. Not part of `npm run bench`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { runLiveBenchWith, fullLiveOptions } from './live/live-bench.ts';
import type { BenchContext } from './section.ts';

const run = promisify(execFile);

/** Resident memory of the service: the child process running probed-server.ts (KiB), by its command line. */
async function serverRssKiB(): Promise<number | undefined> {
  const { stdout } = await run('ps', ['-eo', 'rss=,args=']).catch(() => ({ stdout: '' }));
  const line = stdout.split('\n').find((l) => l.includes('probed-server'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { minutes: { type: 'string', default: '10' }, visitors: { type: 'string', default: '500' }, agents: { type: 'string', default: '20' }, rate: { type: 'string', default: '100' } },
  });
  const minutes = Number(values.minutes);
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'soak-'));
  const ctx: BenchContext = {
    quick: false,
    root: path.resolve(import.meta.dirname, '..'),
    knowledgeDir: path.resolve(import.meta.dirname, '..', 'knowledge'),
    tmpDir,
    progress: (msg) => process.stderr.write(`soak: ${msg}\n`),
  };
  const wal = path.join(tmpDir, 'live-data', 'chat.sqlite-wal');
  const samples: { minute: number; rssMiB?: number; walMiB?: number }[] = [];
  const started = Date.now();
  const timer = setInterval(async () => {
    const rss = await serverRssKiB();
    const walBytes = await stat(wal).then((s) => s.size).catch(() => undefined);
    const sample = { minute: (Date.now() - started) / 60_000, ...(rss ? { rssMiB: rss / 1024 } : {}), ...(walBytes !== undefined ? { walMiB: walBytes / 2 ** 20 } : {}) };
    samples.push(sample);
    ctx.progress(`t=${sample.minute.toFixed(1)} min, server RSS ${sample.rssMiB?.toFixed(0) ?? '?'} MiB, WAL ${sample.walMiB?.toFixed(1) ?? '?'} MiB`);
  }, 10_000);
  try {
    const result = await runLiveBenchWith(ctx, {
      ...fullLiveOptions,
      visitors: Number(values.visitors),
      agents: Number(values.agents),
      rate: Number(values.rate),
      durationMs: minutes * 60_000,
      baselineMs: 2000,
      relayMs: 1000,
    });
    clearInterval(timer);
    process.stdout.write(`${result.markdown}\n`);
    const rss = samples.flatMap((s) => (s.rssMiB ? [s.rssMiB] : []));
    const wals = samples.flatMap((s) => (s.walMiB !== undefined ? [s.walMiB] : []));
    const half = Math.floor(rss.length / 2);
    process.stdout.write(
      `\nSoak: ${minutes} min, ${values.visitors} visitors, ${values.agents} agents, ${values.rate} msg/s. Server RSS first/mid/last/max: ` +
        `${rss[0]?.toFixed(0)} / ${rss[half]?.toFixed(0)} / ${rss.at(-1)?.toFixed(0)} / ${Math.max(...rss).toFixed(0)} MiB; ` +
        `WAL max ${Math.max(...wals).toFixed(1)} MiB, last ${wals.at(-1)?.toFixed(1)} MiB (${samples.length} samples every 10 s).\n`,
    );
    const loaded = (result.data as { loaded?: { sent?: number; lost?: number; postErrors?: number } } | null)?.loaded;
    process.stdout.write(`Sent ${loaded?.sent}, lost ${loaded?.lost}, failed posts ${loaded?.postErrors}.\n`);
    if ((loaded?.lost ?? 0) > 0 || (loaded?.postErrors ?? 0) > 0) process.exitCode = 1;
  } finally {
    clearInterval(timer);
    await rm(tmpDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
