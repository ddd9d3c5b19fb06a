// The layout rules of ARCHITECTURE.md, checked on the source itself: imports point one way, there is no
// file-level cycle, folders stay small, handoff's surface stays short, and only storage files hold SQL.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const FOLDERS = ['knowledge', 'bot', 'handoff', 'widget', 'test', 'bench'];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

interface Edge {
  to: string;
  typeOnly: boolean;
}

const files = FOLDERS.flatMap((f) => walk(path.join(ROOT, f)));
const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/');
// Static imports and re-exports with a relative specifier; `import type` / `export type` are type-only.
const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC = /import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const graph = new Map<string, Edge[]>();
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  const edges: Edge[] = [];
  for (const m of source.matchAll(IMPORT)) edges.push({ to: rel(path.resolve(path.dirname(file), m[3]!)), typeOnly: m[2] !== undefined });
  for (const m of source.matchAll(DYNAMIC)) edges.push({ to: rel(path.resolve(path.dirname(file), m[1]!)), typeOnly: false });
  graph.set(rel(file), edges);
}
const isTest = (f: string) => f.endsWith('.test.ts') || f.startsWith('test/') || f.includes('/testing/');
const sources = [...graph.keys()].filter((f) => !isTest(f) && !f.startsWith('bench/'));
const importsOf = (f: string) => graph.get(f) ?? [];

describe('the layout (ARCHITECTURE.md)', () => {
  it('has no file-level import cycle', () => {
    // Tarjan's strongly connected components over every import, type-only ones included.
    let index = 0;
    const stack: string[] = [];
    const onStack = new Set<string>();
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      order.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const { to: w } of importsOf(v)) {
        if (!graph.has(w)) continue;
        if (!order.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
      if (low.get(v) === order.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component);
      }
    };
    for (const v of graph.keys()) if (!order.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });

  it('keeps imports one way: knowledge is a leaf, the engine uses only knowledge, handoff never imports bot', () => {
    const wrong: string[] = [];
    for (const f of sources) {
      for (const { to } of importsOf(f)) {
        const bad =
          (f.startsWith('knowledge/') && !to.startsWith('knowledge/')) ||
          (f.startsWith('bot/engine/') && !to.startsWith('bot/engine/') && !to.startsWith('knowledge/')) ||
          (f.startsWith('handoff/') && !to.startsWith('handoff/') && !to.startsWith('knowledge/')) ||
          // The chat turn uses the engine and handoff's surface, not its modules (nor the server's).
          (f.startsWith('bot/chat/') && (to.startsWith('bot/server/') || to.startsWith('bot/cli/') || (to.startsWith('handoff/') && to !== 'handoff/index.ts')));
        if (bad) wrong.push(`${f} -> ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets the browser code import only types, and only from the wire contracts', () => {
    const wrong: string[] = [];
    for (const f of sources.filter((s) => s.startsWith('widget/') && s !== 'widget/build.ts')) {
      for (const { to, typeOnly } of importsOf(f)) {
        if (to.startsWith('widget/')) continue;
        if (!typeOnly || (to !== 'handoff/http/wire.ts' && to !== 'bot/chat/wire.ts')) wrong.push(`${f} -> ${to}${typeOnly ? '' : ' (value)'}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps every folder at 30 source files or fewer', () => {
    const counts = new Map<string, number>();
    for (const f of sources) counts.set(path.dirname(f), (counts.get(path.dirname(f)) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 30)).toEqual([]);
  });

  it('keeps SQL in the storage files only (sqlite-*.ts, postgres-*.ts, handoff/sqlite/ and handoff/postgres/)', () => {
    const SQL = /\bdb\.(prepare|exec|transaction)\(|\b(SELECT\s+[\s\S]{0,200}?\sFROM|INSERT\s+INTO|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER))\b|\bUPDATE\s+\w+\s+SET\b/;
    const holders = sources.filter((f) => /^(bot|handoff|knowledge)\//.test(f) && !/\/(sqlite|postgres)-[^/]+\.ts$/.test(f) && !f.startsWith('handoff/sqlite/') && !f.startsWith('handoff/postgres/'));
    expect(holders.filter((f) => SQL.test(readFileSync(path.join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('defines one Lit element per file, and every DOM event in widget/shared/events.ts', () => {
    const widgetFiles = sources.filter((f) => f.startsWith('widget/'));
    const text = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
    expect(widgetFiles.filter((f) => (text(f).match(/customElements\.define\(/g) ?? []).length > 1)).toEqual([]);
    expect(widgetFiles.filter((f) => f !== 'widget/shared/events.ts' && /new CustomEvent\b/.test(text(f)))).toEqual([]);
  });

  it("keeps handoff's surface short: handoff/index.ts exports at most 80 names", () => {
    const text = readFileSync(path.join(ROOT, 'handoff/index.ts'), 'utf8');
    expect(text).not.toMatch(/export \*/);
    const names = [...text.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((n) => n.trim()).filter(Boolean));
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(80);
  });
});
