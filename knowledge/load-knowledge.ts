// Loads a knowledge directory (faq/*.yaml, rules.yaml, synonyms.yaml, messages.yaml) into a checked KnowledgeBase.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KnowledgeBase } from './types.ts';
import type { Problem } from './knowledge-error.ts';
import { type YamlLimits, defaultYamlLimits } from './yaml-source.ts';
import { checkKnowledge } from './check-knowledge.ts';
import { emptyContent, readKnowledgeFile, readKnowledgeText, type FileContent } from './read-file.ts';
import { readInParallel } from './parallel-read.ts';

export type LoadResult = { ok: true; kb: KnowledgeBase; problems: Problem[] } | { ok: false; problems: Problem[] };

export interface LoadOptions {
  limits?: YamlLimits;
  /** Threads parsing faq files at once (default: the machine's cores, at most 8; 1 parses inline). */
  threads?: number;
  /**
   * Below this much YAML (characters) files are parsed inline: starting a thread costs ~0.3 s, more
   * than a few hundred entries take to parse. Default 4,000,000 (about 7,000 entries).
   */
  parallelFromChars?: number;
  /**
   * Files read by an earlier load, by name: a file whose text is unchanged is not parsed again (a
   * reload after one edit of a 10k-entry KB parses one file, not thirty). The loader keeps it up to
   * date; pass the same map to every load of one directory.
   */
  cache?: FileCache;
}

/** What each file held when it was last read. Its contents are never mutated, so they can be shared between versions. */
export type FileCache = Map<string, { text: string; content: FileContent }>;

const MAX_THREADS = 8;
const PARALLEL_FROM_CHARS = 4_000_000;

const YAML_FILE = /\.ya?ml$/i;

/** The files that make up a knowledge base, relative to its directory, in a stable order. */
export async function listKnowledgeFiles(dir: string): Promise<string[]> {
  const top = await readdir(dir, { withFileTypes: true });
  const files = top.filter((d) => d.isFile() && YAML_FILE.test(d.name)).map((d) => d.name);
  let faq: string[] = [];
  try {
    faq = (await readdir(path.join(dir, 'faq'))).filter((n) => YAML_FILE.test(n)).map((n) => `faq/${n}`);
  } catch {
    // No faq folder: reported below as a missing-content problem.
  }
  return [...files, ...faq].sort();
}

export async function loadKnowledge(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const limits = options.limits ?? defaultYamlLimits;
  let names: string[];
  try {
    names = await listKnowledgeFiles(dir);
  } catch (err) {
    return { ok: false, problems: [{ file: dir, line: 1, col: 1, message: `cannot read knowledge directory: ${(err as Error).message}`, severity: 'error' }] };
  }
  // Sizes are checked before reading: a file over limits.maxBytes is refused unread, with its problem as its content.
  const read = await Promise.all(names.map((name) => readKnowledgeText(dir, name, limits)));
  const texts = read.map((r) => (r.ok ? r.text : ''));
  const hash = createHash('sha256');
  names.forEach((name, i) => hash.update(name).update('\0').update(texts[i]!).update('\0'));

  const { cache } = options;
  const cached = names.map((name, i) => {
    const r = read[i]!;
    if (!r.ok) return r.content;
    const hit = cache?.get(name);
    return hit && hit.text === texts[i] && !hit.content.problems.some((p) => p.severity === 'error') ? hit.content : undefined;
  });
  const stale = names.flatMap((name, i) => (cached[i] ? [] : [i]));
  const staleNames = stale.map((i) => names[i]!);
  const staleTexts = stale.map((i) => texts[i]!);
  const bytes = staleTexts.reduce((n, t) => n + t.length, 0);
  const threads = Math.min(options.threads ?? os.availableParallelism(), MAX_THREADS);
  const fresh = threads > 1 && bytes >= (options.parallelFromChars ?? PARALLEL_FROM_CHARS)
    ? await readInParallel(staleNames, staleTexts, limits, threads)
    : await readInline(staleNames, staleTexts, limits);
  const contents = cached.slice();
  stale.forEach((i, k) => (contents[i] = fresh[k]!));
  if (cache) {
    cache.clear();
    names.forEach((name, i) => cache.set(name, { text: texts[i]!, content: contents[i]! }));
  }

  // Appended one by one, never spread into push(): a list can be as long as the input makes it (a big KB's
  // warnings, an entry with 100k follow-ups), and spreading passes each item as an argument on the stack.
  const merged = emptyContent();
  for (const c of contents as FileContent[]) {
    appendAll(merged.problems, c.problems);
    appendAll(merged.topics, c.topics);
    appendAll(merged.entries, c.entries);
    appendAll(merged.rules, c.rules);
    appendAll(merged.answerTypes, c.answerTypes);
    appendAll(merged.synonyms, c.synonyms);
    appendAll(merged.contrasts, c.contrasts);
    Object.assign(merged.messages, c.messages);
  }
  const { problems, topics, entries, rules, answerTypes, synonyms, contrasts, messages } = merged;

  const kb: KnowledgeBase = { version: hash.digest('hex').slice(0, 12), dir, topics, entries, rules, answerTypes, synonyms, contrasts, messages };
  appendAll(problems, checkKnowledge(kb));
  if (problems.some((p) => p.severity === 'error')) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, kb, problems: sortProblems(problems) };
}

/** One file after another, giving the event loop back in between (a server reloading stays responsive). */
async function readInline(names: readonly string[], texts: readonly string[], limits: YamlLimits): Promise<FileContent[]> {
  const out: FileContent[] = [];
  for (let i = 0; i < names.length; i++) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    out.push(readKnowledgeFile(names[i]!, texts[i]!, limits));
  }
  return out;
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
