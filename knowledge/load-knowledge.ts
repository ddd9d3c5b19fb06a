// Loads a knowledge directory (faq/*.yaml, rules.yaml, synonyms.yaml, messages.yaml) into a checked KnowledgeBase.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { AnswerType, Bilingual, ContrastGroup, Entry, KnowledgeBase, Rule, SynonymGroup, Topic } from './types.ts';
import type { Problem } from './knowledge-error.ts';
import { parseYamlSource, type YamlLimits, defaultYamlLimits, type YamlSource } from './yaml-source.ts';
import { faqFileSchema, messagesFileSchema, rulesFileSchema, synonymsFileSchema } from './schema.ts';
import { checkKnowledge } from './check-knowledge.ts';

export type LoadResult = { ok: true; kb: KnowledgeBase; problems: Problem[] } | { ok: false; problems: Problem[] };

export interface LoadOptions {
  limits?: YamlLimits;
}

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
  const problems: Problem[] = [];
  let names: string[];
  try {
    names = await listKnowledgeFiles(dir);
  } catch (err) {
    return { ok: false, problems: [{ file: dir, line: 1, col: 1, message: `cannot read knowledge directory: ${(err as Error).message}`, severity: 'error' }] };
  }

  const hash = createHash('sha256');
  const sources = new Map<string, YamlSource>();
  for (const name of names) {
    const text = await readFile(path.join(dir, name), 'utf8');
    hash.update(name).update('\0').update(text).update('\0');
    const parsed = parseYamlSource(name, text, limits);
    if (parsed.ok) sources.set(name, parsed.source);
    else problems.push(...parsed.problems);
  }

  const topics: Topic[] = [];
  const entries: Entry[] = [];
  const rules: Rule[] = [];
  const answerTypes: AnswerType[] = [];
  const synonyms: SynonymGroup[] = [];
  const contrasts: ContrastGroup[] = [];
  const messages: Record<string, Bilingual<string>> = {};

  for (const [name, source] of sources) {
    if (name.startsWith('faq/')) {
      const data = validate(source, faqFileSchema, problems);
      if (!data) continue;
      topics.push({ id: data.topic, label: data.label, group: data.group, file: name });
      data.entries.forEach((e, i) => {
        const { line, col } = source.posOf(['entries', i]);
        entries.push({
          id: e.id,
          topic: data.topic,
          questions: e.questions,
          keywords: e.keywords,
          answer: e.answer,
          followups: e.followups,
          validUntil: e.valid_until,
          group: e.group ?? data.group,
          pos: { file: name, line, col },
        });
      });
    } else if (name === 'rules.yaml') {
      const data = validate(source, rulesFileSchema, problems);
      const compile = (list: string[], path: (string | number)[]) =>
        list.flatMap((p, j) => {
          try {
            return [new RegExp(p, 'iu')];
          } catch (err) {
            problems.push({ file: name, ...source.posOf([...path, j]), message: `invalid pattern: ${(err as Error).message}`, severity: 'error' });
            return [];
          }
        });
      data?.answer_types.forEach((t, i) => {
        answerTypes.push({
          id: t.id,
          asks: compile(t.asks, ['answer_types', i, 'asks']),
          answers: compile(t.answers, ['answer_types', i, 'answers']),
          pos: { file: name, ...source.posOf(['answer_types', i]) },
        });
      });
      data?.rules.forEach((r, i) => {
        const pos = { file: name, ...source.posOf(['rules', i]) };
        rules.push({
          id: r.id,
          action: r.action,
          reason: r.reason,
          exact: r.exact,
          patterns: compile(r.patterns, ['rules', i, 'patterns']),
          unless: compile(r.unless, ['rules', i, 'unless']),
          redact: r.redact,
          maxLength: r.max_length,
          unlessAfter: r.unless_after,
          reply: r.reply,
          pos,
        });
      });
    } else if (name === 'synonyms.yaml') {
      const data = validate(source, synonymsFileSchema, problems);
      data?.groups.forEach((terms, i) => synonyms.push({ terms, pos: { file: name, ...source.posOf(['groups', i]) } }));
      data?.contrasts.forEach(({ sides, sticky, ...rest }, i) => contrasts.push({ sides, sticky, defaultSide: 'default' in rest ? rest.default : undefined, pos: { file: name, ...source.posOf(['contrasts', i]) } }));
    } else if (name === 'messages.yaml') {
      const data = validate(source, messagesFileSchema, problems);
      if (data) Object.assign(messages, data.messages);
    } else {
      problems.push({ file: name, line: 1, col: 1, message: 'unknown knowledge file (expected faq/*.yaml, rules.yaml, synonyms.yaml or messages.yaml)', severity: 'warning' });
    }
  }

  const kb: KnowledgeBase = { version: hash.digest('hex').slice(0, 12), dir, topics, entries, rules, answerTypes, synonyms, contrasts, messages };
  problems.push(...checkKnowledge(kb));
  if (problems.some((p) => p.severity === 'error')) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, kb, problems: sortProblems(problems) };
}

/** Validates a parsed file against its schema, turning zod issues into positioned problems. */
export function validate<S extends z.ZodTypeAny>(source: YamlSource, schema: S, problems: Problem[]): z.output<S> | undefined {
  const result = schema.safeParse(source.value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const where = p.length ? `${p.join('.')}: ` : '';
    problems.push({ file: source.file, ...source.posOf(p), message: `${where}${issue.message}`, severity: 'error' });
  }
  return undefined;
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
