// Parses one YAML file safely and maps paths inside it back to line:col for error messages.
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { Problem } from './knowledge-error.ts';

export interface YamlLimits {
  /** Largest file accepted, in bytes. Range 64 KiB-8 MiB; default 2 MiB. */
  maxBytes: number;
  /** Aliases allowed per file; a few are handy, thousands are a "billion laughs" bomb. Range 0-1000; default 50. */
  maxAliases: number;
  /**
   * Nesting allowed: flow collections ([ {) inside each other, and block indentation in columns. The
   * YAML parser recurses per level: a few thousand levels overflow its stack, and ten thousand
   * nested brackets exhaust the process's memory outright, so depth is checked before parsing. A
   * knowledge file needs 3 flow levels and a dozen columns. Defaults 32 and 200.
   */
  maxFlowDepth: number;
  maxIndent: number;
}

export const defaultYamlLimits: YamlLimits = { maxBytes: 2 * 1024 * 1024, maxAliases: 50, maxFlowDepth: 32, maxIndent: 200 };

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  value: unknown;
  /** Position of the node at `path`, or of its deepest existing parent. */
  posOf(path: readonly (string | number)[]): { line: number; col: number };
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; problems: Problem[] };

/** The one wording of the size refusal, whether found on disk before reading (read-file.ts) or in a text. */
export function tooLargeMessage(bytes: number, maxBytes: number): string {
  return `file is ${bytes} bytes, over the ${maxBytes}-byte limit`;
}

export function parseYamlSource(file: string, text: string, limits: YamlLimits = defaultYamlLimits): YamlResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) return fail(file, 1, 1, tooLargeMessage(bytes, limits.maxBytes));
  const deep = tooDeep(text, limits);
  if (deep) return fail(file, deep.line, 1, deep.message);
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

/**
 * The first place where the text nests deeper than the limits, by a single pass over the text.
 * Quotes are taken as quotes only where a scalar can start, and only to the end of their line (a
 * bracket inside a string is not nesting; a string running on is scanned again on the next line,
 * which can only over-count); comments are skipped.
 */
function tooDeep(text: string, limits: YamlLimits): { line: number; message: string } | undefined {
  let line = 1;
  let depth = 0;
  let quote = '';
  let lineStart = true;
  let indent = 0;
  // The last character on this line that is not a space: a quote right after one of these (or at
  // the start of the line) opens a quoted scalar; elsewhere ("what's") it is just a character.
  let previous = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      lineStart = true;
      indent = 0;
      quote = '';
      previous = '';
      continue;
    }
    if (lineStart) {
      // Leading spaces, and compact block indicators ("- - - x" nests three sequences on one line).
      const compact = (ch === '-' || ch === '?') && text[i + 1] === ' ';
      if (ch === ' ' || compact) {
        if (compact) i++;
        indent += compact ? 2 : 1;
        if (indent > limits.maxIndent) return { line, message: `indented more than ${limits.maxIndent} columns: nesting this deep is refused` };
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if ((ch === '"' || ch === "'") && (previous === '' || ':-[{,?'.includes(previous))) quote = ch;
    else if (ch === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (ch === '[' || ch === '{') {
      if (++depth > limits.maxFlowDepth) return { line, message: `collections nested more than ${limits.maxFlowDepth} deep: refused` };
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
    if (ch !== ' ' && ch !== '\t') previous = ch;
  }
  return undefined;
}

function fail(file: string, line: number, col: number, message: string): YamlResult {
  return { ok: false, problems: [{ file, line, col, message, severity: 'error' }] };
}
