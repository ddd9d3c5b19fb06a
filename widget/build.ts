// Bundles the visitor widget and the agent console with esbuild and copies the pages into the folder the server serves.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface BuildOptions {
  /** Where widget.js, agent.js, their maps and the pages go. Default dist/public. */
  outdir: string;
  /** The widget's entry (one-tag embed). Default widget/widget-entry.ts. */
  widgetEntry: string;
  /** The console's entry. Default widget/console-entry.ts. */
  consoleEntry: string;
  /** The HTML pages and their stylesheet, copied as they are. Default widget/pages. */
  pagesDir: string;
  /** Skip the build when every output is newer than every input (prestart). Default false. */
  ifStale: boolean;
  /** Which bundles to build. Default both. */
  bundles: BundleName[];
}

export type BundleName = 'widget.js' | 'agent.js';

export const defaultBuildOptions: BuildOptions = {
  outdir: path.join(ROOT, 'dist', 'public'),
  widgetEntry: path.join(ROOT, 'widget', 'widget-entry.ts'),
  consoleEntry: path.join(ROOT, 'widget', 'console-entry.ts'),
  pagesDir: path.join(ROOT, 'widget', 'pages'),
  ifStale: false,
  bundles: ['widget.js', 'agent.js'],
};

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface BuildResult {
  /** false when the outputs were up to date and nothing was built. */
  built: boolean;
  files: BuiltFile[];
}

/** The bundles; their source maps sit beside them as `<name>.map`. */
const ALL_BUNDLES: Array<{ name: BundleName; entry: (o: BuildOptions) => string }> = [
  { name: 'widget.js', entry: (o) => o.widgetEntry },
  { name: 'agent.js', entry: (o) => o.consoleEntry },
];

export async function buildWidgets(options: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const o = { ...defaultBuildOptions, ...options };
  const BUNDLES = ALL_BUNDLES.filter((b) => o.bundles.includes(b.name));
  const pages = existsSync(o.pagesDir) ? readdirSync(o.pagesDir).filter((f) => statSync(path.join(o.pagesDir, f)).isFile()) : [];
  const outputs = [...BUNDLES.flatMap((b) => [b.name, `${b.name}.map`]), ...pages].map((f) => path.join(o.outdir, f));

  if (o.ifStale && !isStale(outputs, inputsOf(o, BUNDLES))) {
    return { built: false, files: sizes(o.outdir, BUNDLES) };
  }
  for (const b of BUNDLES) {
    if (!existsSync(b.entry(o))) throw new Error(`widget build: entry ${path.relative(ROOT, b.entry(o))} is missing`);
  }

  const result = await build({
    entryPoints: Object.fromEntries(BUNDLES.map((b) => [b.name.replace(/\.js$/, ''), b.entry(o)])),
    outdir: o.outdir,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    // Sources inside the map: a stack trace in the browser reads as the TypeScript that wrote it.
    sourcesContent: true,
    // Classic scripts (one <script async> tag, document.currentScript works), no module loader needed.
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    charset: 'utf8',
    // Lit's BSD notices, once each, at the end of the bundle.
    legalComments: 'eof',
    logLevel: 'silent',
    write: false,
  });
  mkdirSync(o.outdir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  for (const page of pages) writeAtomically(path.join(o.outdir, page), readFileSync(path.join(o.pagesDir, page)));
  return { built: true, files: sizes(o.outdir, BUNDLES) };
}

/** Every file the bundles and pages come from: the widget folder and the installed packages' lock. */
function inputsOf(o: BuildOptions, bundles: typeof ALL_BUNDLES): string[] {
  const files: string[] = [path.join(ROOT, 'package-lock.json')];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  walk(path.join(ROOT, 'widget'));
  walk(o.pagesDir);
  for (const b of bundles) files.push(b.entry(o));
  return files;
}

function isStale(outputs: string[], inputs: string[]): boolean {
  if (outputs.some((f) => !existsSync(f))) return true;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const newestInput = Math.max(...inputs.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
  return newestInput > oldestOutput;
}

/**
 * Write to a temporary name, then rename: test files that build concurrently, and a server reading
 * while a build runs, only ever see a whole file.
 */
function writeAtomically(file: string, contents: Uint8Array): void {
  const tmp = `${file}.${process.pid}.${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 8)}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

function sizes(outdir: string, bundles: typeof ALL_BUNDLES): BuiltFile[] {
  return bundles.filter((b) => existsSync(path.join(outdir, b.name))).map((b) => {
    const contents = readFileSync(path.join(outdir, b.name));
    return { name: b.name, bytes: contents.length, gzipBytes: gzipSync(contents, { level: 9 }).length };
  });
}

function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} KB`;
}

// `npm run build` (always) and `npm start`'s prestart (`--if-stale`).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  try {
    const { built, files } = await buildWidgets({ ifStale });
    const rel = path.relative(process.cwd(), defaultBuildOptions.outdir) || '.';
    process.stdout.write(built ? `built ${rel}/\n` : `${rel}/ is up to date\n`);
    for (const f of files) process.stdout.write(`  ${f.name.padEnd(10)} ${kb(f.bytes).padStart(9)}  ${kb(f.gzipBytes).padStart(8)} gzipped\n`);
  } catch (err) {
    // esbuild's own message lists every error with file:line:column.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
