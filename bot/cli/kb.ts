// The editors' CLI, `npm run kb -- <check|test|lint|apply|ask|export>`: wires the knowledge loader to the engine.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  applyKbChange, formatEdits, formatProblem, loadKnowledge, loadTests, parseKbChange, rate, reliability, runTestSuites,
  type FileCache, type KnowledgeBase, type Lang, type LoadResult, type Outcome, type Problem, type TestReport,
} from '../../knowledge/index.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import type { ConversationContext, Decision } from '../engine/decision.ts';
import { lintWithEngine } from './kb-lint.ts';

const USAGE = `usage: npm run kb -- <command>
  check                         validate every knowledge file (exit 1 on errors)
  publish                       check, then publish the knowledge base to every node of the cluster (DATABASE_URL,
                                REDIS_URL, REDIS_PREFIX as the nodes have them): each serves it within 10 s and from
                                then on serves the newest publication, not its own KNOWLEDGE_DIR (exit 1 on errors)
  test [--verbose] [--sealed]   run knowledge/tests (the tuning part); pass rates per topic, language and
                                expected outcome, and the reliability table (exit 1 below thresholds).
                                --sealed: the sealed part (tests/sealed) instead, figures only (--verbose
                                shows its cases: once seen, a sealed batch becomes tuning data)
  lint [--json] [--today YYYY-MM-DD]   near-duplicate questions, questions answered by another entry,
                                untranslated answers, expired facts, follow-ups nothing reaches (exit 1 on errors)
  apply <change.yaml> [--dry-run]   apply a reviewed change file (new questions, new entries); check +
                                regression pass rate before/after; refuses and writes nothing on any problem
  ask "question" [--lang zh|en] [--explain]   the decision the API would give
  export --json                 entries as JSON on stdout
options: --dir <knowledge dir> (default: $KNOWLEDGE_DIR or ./knowledge)`;

export function toOutcome(d: Decision): Outcome {
  return {
    kind: d.kind,
    entryId: d.kind === 'answer' ? d.entryId : undefined,
    options: d.kind === 'clarify' ? d.suggestions.map((s) => s.entryId) : undefined,
    text: d.text,
    confidence: d.confidence,
    trace: d.explain,
  };
}

/** One conversation against the engine, remembering context between turns as the API does. */
export function engineConversation(engine: Engine) {
  return () => {
    let ctx: ConversationContext = {};
    return (text: string, lang?: Lang): Outcome => {
      const d = engine.decide(text, { lang, context: ctx });
      ctx = engine.nextContext(ctx, d);
      return toOutcome(d);
    };
  };
}

export function formatTrace(d: Decision['explain']): string {
  const cands = d.candidates
    .slice(0, 3)
    .map((c) => `${c.entryId} score=${c.score.toFixed(2)} sim=${c.similarity.toFixed(2)} cover=${c.coverage.toFixed(2)} [${Object.entries(c.matched).map(([f, ts]) => `${f}:${ts.join(',')}`).join(' ')}]`)
    .join('\n      ');
  const lines = [
    `query="${d.query}" lang=${d.lang}${d.rule ? ` rule=${d.rule.id}` : ''}${d.followUp ? ` follow-up-from="${d.followUp.from}"${d.followUp.expected ? ' (expected: the previous answer lists it, or only the place changed)' : ''}${d.followUp.stayed ? ' (stays on the previous entry: its own words read as no entry\'s)' : ''}` : ''}${d.answerType ? ` asks-for=${d.answerType.id} (best entry holding one: ${d.answerType.entryId || 'none'})` : ''}`,
  ];
  // Each stage that changed or decided something says so.
  if (d.typed) lines.push(`homophone slips read as KB terms: "${d.typed}" -> "${d.normalized}"`);
  if (d.accountAction) lines.push(`account action requested: "${d.accountAction}"`);
  if (d.handoffYielded) lines.push(`handoff by ${d.handoffYielded} gave way to the knowledge base`);
  if (d.request !== undefined) lines.push(`reads as a request: ${d.request}${d.requestHandoff ? ' (handed over by the request detector)' : ''}`);
  if (d.answerTypeRelaxed) lines.push('read without the kind-of-fact filter: surely a question the KB covers');
  if (d.outside !== undefined) lines.push(`reads as outside the knowledge base: ${d.outside}${d.insideAnswer ? ' (surely inside: answered under the gate\'s bar)' : ''}`);
  if (d.clauses) lines.push(`clauses: ${d.clauses.map((c) => `"${c.text}" -> ${c.entryId ?? '-'} ${c.confidence}`).join('; ')}${d.alsoAnswered ? ` (also answered: ${d.alsoAnswered})` : ''}`);
  lines.push(
    `confidence=${d.confidence.toFixed(3)} coverage=${d.coverage.toFixed(2)} margin=${d.margin.toFixed(2)} (answer>=${d.thresholds.answer}, margin>=${d.thresholds.margin}, clarify>=${d.thresholds.clarify})`,
  );
  if (d.gate) lines.push(`gate inputs: ${Object.entries(d.gate).map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' ')}`);
  lines.push(`candidates: ${cands || '(none)'}`);
  return lines.join('\n    ');
}

export function formatReport(report: TestReport, thresholds: { overall: number; perTopic: number }, verbose = false, showCases = true): string {
  const pct = (t: { pass: number; total: number }) => `${(rate(t) * 100).toFixed(1).padStart(5)}%  ${String(t.pass).padStart(3)}/${t.total}`;
  const lines: string[] = [];
  const failures = report.results.filter((r) => !r.pass);
  for (const r of !showCases ? [] : verbose ? report.results : failures) {
    const expect = r.expect.kind === 'answer' ? [r.expect.entryId, r.expect.terms && `terms [${r.expect.terms.join(', ')}]`].filter(Boolean).join(' ') : r.expect.kind;
    const got = r.outcome.kind === 'answer' ? r.outcome.entryId : r.outcome.kind;
    lines.push(`${r.pass ? 'PASS' : 'FAIL'} ${r.file}:${r.line} "${r.ask}" expected ${expect}, got ${got}`);
    if (!r.pass && r.outcome.trace) lines.push(`    ${formatTrace(r.outcome.trace as Decision['explain'])}`);
  }
  lines.push('', 'topic                 pass rate');
  for (const [topic, t] of [...report.byTopic].sort()) lines.push(`${topic.padEnd(20)} ${pct(t)}${rate(t) < thresholds.perTopic ? '  < threshold' : ''}`);
  lines.push('', 'language');
  for (const [lang, t] of report.byLang) lines.push(`${lang.padEnd(20)} ${pct(t)}`);
  lines.push('', 'expected outcome');
  for (const [kind, t] of report.byKind) lines.push(`${kind.padEnd(20)} ${pct(t)}`);
  lines.push('', `overall              ${pct(report.overall)}  (thresholds: overall ${thresholds.overall}, per topic ${thresholds.perTopic})`);
  lines.push('', formatReliability(report));
  return lines.join('\n');
}

/** The reliability table: precision of the answers given in each confidence band, and wrong answers overall. */
export function formatReliability(report: TestReport): string {
  const r = reliability(report);
  const lines = ['reliability (answers given, by confidence)', 'confidence     answered  right   precision'];
  for (const b of r.bands) {
    if (b.answered === 0) continue;
    lines.push(`${b.from.toFixed(2)}-${b.to.toFixed(2)}    ${String(b.answered).padStart(8)}  ${String(b.right).padStart(5)}   ${((b.right / b.answered) * 100).toFixed(1).padStart(6)}%`);
  }
  const share = (n: number, d: number) => `${d === 0 ? '0.0' : ((n / d) * 100).toFixed(1)}%`;
  lines.push(`wrong answers  ${r.wrong}: ${share(r.wrong, r.answerExpected)} of ${r.answerExpected} answer-expected turns, ${share(r.wrong, r.total)} of all ${r.total} turns`);
  return lines.join('\n');
}

export function exportEntries(kb: KnowledgeBase) {
  return {
    entries: kb.entries.map((e) => ({ id: e.id, topic: e.topic, questions: { zh: e.questions.zh, en: e.questions.en }, answer: { zh: e.answer.zh, en: e.answer.en } })),
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      lang: { type: 'string' },
      explain: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      sealed: { type: 'boolean', default: false },
      today: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const dir = path.resolve(values.dir ?? process.env.KNOWLEDGE_DIR ?? 'knowledge');
  const show = (p: Problem) => formatProblem({ ...p, file: path.relative(process.cwd(), path.join(dir, p.file)) || p.file });

  if (command === 'apply') return apply(dir, rest[0], values['dry-run']);
  // The texts the loader read, by file: what `publish` stores is exactly what was checked (and hashed as the version).
  const read: FileCache = new Map();
  const loaded = await loadKnowledge(dir, { cache: read });
  if (command === 'check') return check(dir, loaded, show);
  if (command === 'publish') {
    const code = await check(dir, loaded, show);
    if (code !== 0 || !loaded.ok) {
      console.error('publish refused: the knowledge base has errors (above); nothing published');
      return code || 1;
    }
    return publish(loaded.kb, read);
  }
  if (!loaded.ok) {
    for (const p of loaded.problems) console.error(show(p));
    console.error('knowledge base has errors: run `npm run kb -- check`');
    return 1;
  }
  const engine = createEngine(loaded.kb);

  switch (command) {
    case 'test': {
      const tests = await loadTests(dir, values.sealed ? 'sealed' : 'tuning');
      for (const p of tests.problems) console.error(show(p));
      if (tests.problems.some((p) => p.severity === 'error')) return 1;
      const report = runTestSuites(tests.suites, engineConversation(engine));
      if (values.sealed) {
        // The sealed part reports figures, not cases: a case read while tuning is no longer blind.
        console.log(`sealed part: ${tests.suites.map((s) => s.file).join(', ') || '(none)'}`);
        console.log(formatReport(report, tests.thresholds, values.verbose, values.verbose));
        return 0;
      }
      console.log(formatReport(report, tests.thresholds, values.verbose));
      const topicsOk = [...report.byTopic.values()].every((t) => rate(t) >= tests.thresholds.perTopic);
      return rate(report.overall) >= tests.thresholds.overall && topicsOk ? 0 : 1;
    }
    case 'lint': {
      if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today)) {
        console.error('--today must be a date YYYY-MM-DD');
        return 2;
      }
      const report = await lintWithEngine(engine, { today: values.today });
      if (values.json) {
        const findings = report.findings.map((f) => ({ ...f, file: path.relative(process.cwd(), path.join(dir, f.file)) || f.file }));
        process.stdout.write(`${JSON.stringify({ errors: report.errors, warnings: report.warnings, findings }, null, 2)}\n`);
      } else {
        for (const f of report.findings) console.log(`${show(f)} [${f.rule}]`);
        console.log(`${report.errors === 0 ? 'ok' : 'FAILED'}: ${loaded.kb.entries.length} entries linted; ${report.errors} error(s), ${report.warnings} warning(s)`);
      }
      return report.errors === 0 ? 0 : 1;
    }
    case 'ask': {
      const question = rest.join(' ');
      if (!question) {
        console.error('ask needs a question: npm run kb -- ask "充值卡密码几位"');
        return 2;
      }
      if (values.lang && values.lang !== 'zh' && values.lang !== 'en') {
        console.error('--lang must be zh or en');
        return 2;
      }
      const d = engine.decide(question, { lang: values.lang as Lang | undefined });
      const head = d.kind === 'answer' ? `answer ${d.entryId}` : d.kind === 'handoff' ? `handoff (${d.reason})` : d.kind === 'fallback' ? `fallback (${d.reason})` : 'clarify';
      console.log(`${head}  confidence=${d.confidence}`);
      console.log(d.text);
      for (const s of d.suggestions) console.log(`  - ${s.question}  [${s.entryId}]`);
      if (values.explain) console.log(`explain:\n    ${formatTrace(d.explain)}`);
      return 0;
    }
    case 'export': {
      if (!values.json) {
        console.error('export supports --json only');
        return 2;
      }
      process.stdout.write(`${JSON.stringify(exportEntries(loaded.kb), null, 2)}\n`);
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

/** `kb check`: every problem as file:line:col, then a summary; 0 when there is no error. */
async function check(dir: string, loaded: LoadResult, show: (p: Problem) => string): Promise<number> {
  const tests = await loadTests(dir);
  const problems = [...loaded.problems, ...tests.problems];
  if (loaded.ok) {
    const ids = new Set(loaded.kb.entries.map((e) => e.id));
    for (const s of tests.suites) for (const c of s.cases) for (const t of c.turns) {
      if (t.expect.kind === 'answer' && !t.expect.entryId && !t.expect.terms) {
        problems.push({ ...t.pos, message: 'expect: answer needs terms (or name an entry id)', severity: 'error' });
      }
      if (t.expect.kind === 'answer' && t.expect.entryId && !ids.has(t.expect.entryId)) {
        problems.push({ ...t.pos, message: `test expects unknown entry "${t.expect.entryId}"`, severity: 'error' });
      }
    }
  }
  for (const p of problems) console.log(show(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const summary = loaded.ok ? `${loaded.kb.entries.length} entries, ${loaded.kb.rules.length} rules, ${loaded.kb.synonyms.length} synonym groups` : 'knowledge base not loaded';
  console.log(`${errors === 0 ? 'ok' : 'FAILED'}: ${summary}; ${errors} error(s), ${problems.length - errors} warning(s)`);
  return errors === 0 ? 0 : 1;
}

/** `kb publish`, after a passing check: stores the files read and announces them to the nodes. */
async function publish(kb: KnowledgeBase, read: FileCache): Promise<number> {
  const { ConfigError, loadConfig } = await import('../server/config.ts');
  let config: ReturnType<typeof loadConfig>;
  try {
    // The nodes' own reading of the environment, so the CLI reaches the same database, Redis and prefix.
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`publish: ${err.message}`);
    return 2;
  }
  if (!config.databaseUrl) {
    console.error('publish needs DATABASE_URL (postgres://...), the database the nodes share; REDIS_URL too, to tell them at once');
    return 2;
  }
  const files = new Map([...read].map(([file, { text }]) => [file.split(path.sep).join('/'), text] as const));
  // Loaded only here: the other commands never need the database drivers.
  const { openKbPublications } = await import('../../handoff/index.ts');
  const publications = await openKbPublications({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl, redisPrefix: config.redisPrefix });
  try {
    const { publication, announced } = await publications.publish({ version: kb.version, entries: kb.entries.length, files, publishedBy: whoAmI() });
    console.log(`published ${publication.version} (${publication.entries} entries, ${files.size} files) as publication #${publication.id} at ${publication.publishedAt}`);
    console.log(announced
      ? 'every node serves it within 10 s'
      : `every node serves it within 10 s (${config.redisUrl ? 'the Redis notice failed' : 'no REDIS_URL'}: the nodes find it by polling the database)`);
    return 0;
  } finally {
    await publications.close();
  }
}

function whoAmI(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    // No passwd entry for this uid (some containers).
    return os.hostname();
  }
}

/** The regression pass rate (0..1) of a knowledge directory, as `kb test` measures it. */
export async function regressionPassRate(dir: string): Promise<number> {
  const loaded = await loadKnowledge(dir);
  if (!loaded.ok) return 0;
  const tests = await loadTests(dir);
  return rate(runTestSuites(tests.suites, engineConversation(createEngine(loaded.kb))).overall);
}

async function apply(dir: string, changeFile: string | undefined, dryRun: boolean): Promise<number> {
  if (!changeFile) {
    console.error('apply needs a change file: npm run kb -- apply change.yaml [--dry-run]');
    return 2;
  }
  let text: string;
  try {
    text = await readFile(changeFile, 'utf8');
  } catch (err) {
    console.error(`cannot read ${changeFile}: ${(err as Error).message}`);
    return 2;
  }
  const parsed = parseKbChange(changeFile, text);
  if (!parsed.ok) {
    for (const p of parsed.problems) console.error(formatProblem(p));
    console.error('change file refused; nothing written');
    return 1;
  }
  const result = await applyKbChange(dir, parsed.change, { dryRun, measure: regressionPassRate, source: parsed.source });
  const rel = (f: string) => path.relative(process.cwd(), path.join(dir, f)) || f;
  if (result.edits.length > 0) console.log(formatEdits(result.edits.map((e) => ({ ...e, file: rel(e.file) }))));
  if (!result.ok) {
    for (const p of result.problems) console.error(formatProblem({ ...p, file: p.file === changeFile ? changeFile : rel(p.file) }));
    console.error('change refused; nothing written');
    return 1;
  }
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  if (result.passRate) console.log(`regression pass rate: ${pct(result.passRate.before)} before, ${pct(result.passRate.after)} after${result.passRate.after < result.passRate.before ? '  (DROPPED: run `npm run kb -- test` to see which cases)' : ''}`);
  console.log(result.written ? `applied: ${result.edits.length} file(s) written; check passes` : `dry run: check passes; nothing written`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // exitCode, not exit(): a piped stdout must drain before the process ends.
  main(process.argv.slice(2)).then((code) => (process.exitCode = code), (err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
