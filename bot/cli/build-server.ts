// The production server for `npm start` (part of `npm run build`, beside widget/build.ts): TypeScript compiled to
// dist/server by tsconfig.build.json, with the SQL migrations and the worker boot file copied beside the modules
// that load them. With --if-stale (prestart) it is skipped when the build is newer than every source.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'server');
/** What `npm start` runs. */
export const SERVER_ENTRY = path.join(OUT, 'bot', 'server', 'main.js');
const SOURCE_DIRS = ['bot', 'handoff', 'knowledge'];
/** Files the compiled modules load by path, copied next to them. */
const ASSETS = [/\.sql$/, /\.mjs$/];

function newestMtime(dir: string, accept: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, accept));
    else if (accept(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export function serverIsStale(): boolean {
  if (!existsSync(SERVER_ENTRY)) return true;
  const built = statSync(SERVER_ENTRY).mtimeMs;
  const sources = Math.max(...SOURCE_DIRS.map((d) => newestMtime(path.join(ROOT, d), (f) => f.endsWith('.ts') || ASSETS.some((a) => a.test(f)))));
  return sources > built;
}

function copyAssets(dir: string): void {
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(rel);
    else if (ASSETS.some((a) => a.test(entry.name))) {
      mkdirSync(path.join(OUT, dir), { recursive: true });
      copyFileSync(path.join(ROOT, rel), path.join(OUT, rel));
    }
  }
}

export async function buildServer(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const dir of SOURCE_DIRS) copyAssets(dir);
  // tsc leaves an unchanged file alone (incremental): the entry's time marks this build.
  const now = new Date();
  utimesSync(SERVER_ENTRY, now, now);
}

/** Builds when a source is newer than the build (prestart, the tests of real processes); true when it built. */
export async function buildServerIfStale(): Promise<boolean> {
  if (!serverIsStale()) return false;
  await buildServer();
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  if (!ifStale || serverIsStale()) {
    await buildServer();
    process.stdout.write(`built ${path.relative(process.cwd(), OUT) || '.'}/\n`);
  } else process.stdout.write(`${path.relative(process.cwd(), OUT) || '.'}/ is up to date\n`);
}
