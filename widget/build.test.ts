// The esbuild pipeline on two tiny entries: minified IIFE bundles with linked maps, pages copied, stale check.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildWidgets } from './build.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fixture() {
  const dir = mkdtempSync(path.join(tmpdir(), 'widget-build-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'pages'));
  writeFileSync(path.join(dir, 'w.ts'), 'const greeting: string = "hello from the widget";\ndocument.body.append(greeting);\n');
  writeFileSync(path.join(dir, 'c.ts'), 'export const unused = 1;\ndocument.title = "console";\n');
  writeFileSync(path.join(dir, 'pages', 'index.html'), '<!doctype html>');
  return {
    dir,
    options: { outdir: path.join(dir, 'out'), widgetEntry: path.join(dir, 'w.ts'), consoleEntry: path.join(dir, 'c.ts'), pagesDir: path.join(dir, 'pages') },
  };
}

describe('buildWidgets', () => {
  it('writes minified bundles with linked source maps and copies the pages', async () => {
    const { options } = fixture();
    const result = await buildWidgets(options);
    expect(result.built).toBe(true);
    expect(result.files.map((f) => f.name)).toEqual(['widget.js', 'agent.js']);
    const js = readFileSync(path.join(options.outdir, 'widget.js'), 'utf8');
    expect(js).toContain('hello from the widget');
    expect(js).toMatch(/\/\/# sourceMappingURL=widget\.js\.map\s*$/);
    expect(js.split('\n').length).toBeLessThanOrEqual(3);
    const map = JSON.parse(readFileSync(path.join(options.outdir, 'widget.js.map'), 'utf8'));
    expect(map.sourcesContent.join('')).toContain('const greeting: string');
    expect(existsSync(path.join(options.outdir, 'index.html'))).toBe(true);
    for (const f of result.files) expect(f.gzipBytes).toBeGreaterThan(0);
  });

  it('skips an up-to-date build and rebuilds after a source changes', async () => {
    const { options } = fixture();
    await buildWidgets(options);
    expect((await buildWidgets({ ...options, ifStale: true })).built).toBe(false);
    const later = new Date(Date.now() + 10_000);
    utimesSync(options.pagesDir + '/index.html', later, later);
    expect((await buildWidgets({ ...options, ifStale: true })).built).toBe(true);
  });

  it('names a missing entry', async () => {
    const { options, dir } = fixture();
    await expect(buildWidgets({ ...options, widgetEntry: path.join(dir, 'nope.ts') })).rejects.toThrow(/entry .*nope\.ts is missing/);
  });

  it('reports a type-free syntax error with its file and line', async () => {
    const { options } = fixture();
    writeFileSync(options.widgetEntry, 'const = ;\n');
    await expect(buildWidgets(options)).rejects.toThrow(/w\.ts:1/);
  });
});
