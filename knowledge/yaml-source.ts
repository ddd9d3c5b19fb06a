// Parses one YAML file safely and maps paths inside it back to line:col for error messages.
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { Problem } from './knowledge-error.ts';

export interface YamlLimits {
  /** Largest file accepted, in bytes. Range 64 KiB-8 MiB; default 2 MiB. */
  maxBytes: number;
  /** Aliases allowed per file; a few are handy, thousands are a "billion laughs" bomb. Range 0-1000; default 50. */
  maxAliases: number;
}

export const defaultYamlLimits: YamlLimits = { maxBytes: 2 * 1024 * 1024, maxAliases: 50 };

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  value: unknown;
  /** Position of the node at `path`, or of its deepest existing parent. */
  posOf(path: readonly (string | number)[]): { line: number; col: number };
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; problems: Problem[] };

export function parseYamlSource(file: string, text: string, limits: YamlLimits = defaultYamlLimits): YamlResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return fail(file, 1, 1, `file is ${bytes} bytes, over the ${limits.maxBytes}-byte limit`);
  }
  const lineCounter = new LineCounter();
  // The core schema has no custom or timestamp tags: an unknown tag is a warning we turn into an error.
  const doc = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const { line, col } = at(e.pos[0]);
    return { file, line, col, message: e.message.split('\n')[0] ?? e.message, severity: 'error' as const };
  });
  if (problems.length > 0) return { ok: false, problems };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (err) {
    return fail(file, 1, 1, `cannot read YAML: ${(err as Error).message}`);
  }

  const posOf = (path: readonly (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return { line: 1, col: 1 };
  };
  return { ok: true, source: { file, doc, value, posOf } };
}

function fail(file: string, line: number, col: number, message: string): YamlResult {
  return { ok: false, problems: [{ file, line, col, message, severity: 'error' }] };
}
