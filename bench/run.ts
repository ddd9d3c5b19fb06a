// `npm run bench [-- --quick] [-- --only engine,http]`: every benchmark section in turn (engine vs nlp.js,
// scale, HTTP, live delivery, hot reload, widget, a flood from one address,
// request logging, one and two nodes on PostgreSQL + Redis). Prints markdown and saves it as bench/results/latest.md
// (raw figures in latest.json, git-ignored) when every section ran in full, also refreshing the README's
// table; quick or partial runs are saved as partial.md instead.
// Never fails on a time: only a section that cannot run at all makes the exit code non-zero.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runEngineBench } from './engine-bench.ts';
import { runScaleBench } from './scale/scale-bench.ts';
import { runHttpBench } from './http/http-bench.ts';
import { runLiveBench } from './live/live-bench.ts';
import { runReloadBench } from './reload/reload-bench.ts';
import { runWidgetBench } from './widget/widget-bench.ts';
import { runFloodBench } from './flood/flood-bench.ts';
import { runLoggingBench } from './logging/logging-bench.ts';
import { runClusterBench } from './cluster/cluster-bench.ts';
import { machine, type BenchContext, type Section, type SectionResult } from './section.ts';
import { formatSummary, replaceReadmeTable } from './summary-table.ts';

const SECTIONS: Record<string, Section> = {
  engine: runEngineBench,
  scale: runScaleBench,
  http: runHttpBench,
  live: runLiveBench,
  reload: runReloadBench,
  widget: runWidgetBench,
  flood: runFloodBench,
  logging: runLoggingBench,
  cluster: runClusterBench,
};

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS_DIR = path.join(import.meta.dirname, 'results');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const ids = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(SECTIONS);
  const unknown = ids.filter((id) => !SECTIONS[id]);
  if (unknown.length) throw new Error(`bench: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'bench-'));
  const ctx: BenchContext = {
    quick: values.quick,
    root: ROOT,
    knowledgeDir: path.resolve(process.env.KNOWLEDGE_DIR ?? path.join(ROOT, 'knowledge')),
    tmpDir,
    progress: (msg) => process.stderr.write(`bench: ${msg}\n`),
  };
  const results: SectionResult[] = [];
  const failures: string[] = [];
  try {
    for (const id of ids) {
      ctx.progress(`section ${id}`);
      const started = performance.now();
      try {
        const result = await SECTIONS[id]!(ctx);
        results.push(result);
        process.stdout.write(`${result.markdown}\n`);
        ctx.progress(`section ${id} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures.push(id);
        console.error(`bench: section ${id} could not run:`, err);
      }
    }
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }

  const m = machine();
  const command = `npm run bench${values.quick || values.only ? ` --${values.quick ? ' --quick' : ''}${values.only ? ` --only ${ids.join(',')}` : ''}` : ''}`;
  const header = `# Benchmarks\n\n${new Date().toISOString()}, \`${command}\`\nMachine: ${m.cpu}, nproc ${m.nproc}, ${m.memGiB} GiB, Node ${m.node}, ${m.platform}\n`;
  const summary = formatSummary(results);
  const report = `${header}\n${summary}\n${results.map((r) => r.markdown).join('\n')}`;
  process.stdout.write(`\n${summary}`);
  // Only a complete full run speaks for the project (latest.md, committed, and the README's table);
  // quick and partial runs go to partial.md (git-ignored) so they never overwrite it.
  const complete = !values.quick && !values.only && failures.length === 0;
  const base = complete ? 'latest' : 'partial';
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, `${base}.md`), report);
  await writeFile(path.join(RESULTS_DIR, `${base}.json`), `${JSON.stringify({ date: new Date().toISOString(), command, machine: m, sections: results.map(({ id, data, summary }) => ({ id, summary, data })) }, null, 2)}\n`);
  ctx.progress(`saved ${path.relative(process.cwd(), RESULTS_DIR)}/${base}.md`);
  if (complete) {
    const readme = path.join(ROOT, 'README.md');
    const updated = replaceReadmeTable(await readFile(readme, 'utf8'), `${new Date().toISOString().slice(0, 10)}, \`${command}\` on ${m.cpu}, nproc ${m.nproc}, ${m.memGiB} GiB, Node ${m.node}\n\n${summary}`);
    if (updated) {
      await writeFile(readme, updated);
      ctx.progress('README.md table updated');
    }
  }
  if (failures.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
