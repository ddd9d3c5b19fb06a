// Reads one knowledge file (faq/*.yaml, rules.yaml, synonyms.yaml or messages.yaml) into what it
// contributes to the knowledge base, with positioned problems. Pure: the loader runs it inline or on
// parsing threads.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { KnowledgeBase } from './types.ts';
import type { Problem } from './knowledge-error.ts';
import { parseYamlSource, tooLargeMessage, type YamlLimits, type YamlSource } from './yaml-source.ts';
import { faqFileSchema, messagesFileSchema, rulesFileSchema, synonymsFileSchema } from './schema.ts';

/** What one file contributes to the knowledge base. Plain data: it crosses from a parsing thread intact. */
export type FileContent = Pick<KnowledgeBase, 'topics' | 'entries' | 'rules' | 'answerTypes' | 'synonyms' | 'contrasts' | 'messages'> & {
  problems: Problem[];
};

export const emptyContent = (): FileContent => ({ problems: [], topics: [], entries: [], rules: [], answerTypes: [], synonyms: [], contrasts: [], messages: {} });

/** A file's text, or what it contributes when it was refused unread (only the problem). */
export type FileText = { ok: true; text: string } | { ok: false; content: FileContent };

/**
 * Reads one knowledge file as UTF-8, refusing one over `limits.maxBytes` from its size on disk before a
 * byte is read: a multi-gigabyte file (even a sparse one that takes no disk) would otherwise be read
 * whole into memory, or past Node's string limit, before parseYamlSource could refuse its text. At most
 * maxBytes + 1 bytes are ever read, so a file that grows after the size check is refused too.
 */
export async function readKnowledgeText(dir: string, name: string, limits: Pick<YamlLimits, 'maxBytes'>): Promise<FileText> {
  const refuse = (message: string): FileText => {
    const content = emptyContent();
    content.problems.push({ file: name, line: 1, col: 1, message, severity: 'error' });
    return { ok: false, content };
  };
  const file = path.join(dir, name);
  // stat before open: opening a FIFO or device named *.yaml would block or never end.
  const info = await stat(file);
  if (!info.isFile()) return refuse('not a regular file');
  if (info.size > limits.maxBytes) return refuse(tooLargeMessage(info.size, limits.maxBytes));
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(info.size, limits.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limits.maxBytes) {
      const { size } = await handle.stat();
      return refuse(tooLargeMessage(Math.max(size, length), limits.maxBytes));
    }
    // More bytes than stat saw: the file grew while being read (an editor saving). Its text may be cut short yet
    // still valid YAML with entries missing, so it is refused; the save's own change event reloads it.
    if (length > info.size) return refuse('the file changed while it was being read; it is read again on its next change');
    return { ok: true, text: buffer.toString('utf8', 0, length) };
  } finally {
    await handle.close();
  }
}

/**
 * Parses and validates one knowledge file. The parsed YAML document (many times the size of its
 * text) lives only inside this call, so a 100k-entry KB never holds all of them at once.
 */
export function readKnowledgeFile(name: string, text: string, limits: YamlLimits): FileContent {
  const out = emptyContent();
  const parsed = parseYamlSource(name, text, limits);
  if (!parsed.ok) {
    for (const problem of parsed.problems) out.problems.push(problem);
    return out;
  }
  const { source } = parsed;
  if (name.startsWith('faq/')) {
    const data = validate(source, faqFileSchema, out.problems);
    if (!data) return out;
    out.topics.push({ id: data.topic, label: data.label, group: data.group, file: name });
    data.entries.forEach((e, i) => {
      const { line, col } = source.posOf(['entries', i]);
      out.entries.push({
        id: e.id,
        topic: data.topic,
        questions: e.questions,
        keywords: e.keywords,
        answer: e.answer,
        followups: e.followups,
        validUntil: e.valid_until,
        group: e.group ?? data.group,
        ...(e.tailor ? { tailor: e.tailor } : {}),
        pos: { file: name, line, col },
      });
    });
  } else if (name === 'rules.yaml') {
    const data = validate(source, rulesFileSchema, out.problems);
    const compile = (list: string[], path: (string | number)[]) =>
      list.flatMap((p, j) => {
        try {
          return [new RegExp(p, 'iu')];
        } catch (err) {
          out.problems.push({ file: name, ...source.posOf([...path, j]), message: `invalid pattern: ${(err as Error).message}`, severity: 'error' });
          return [];
        }
      });
    data?.answer_types.forEach((t, i) => {
      out.answerTypes.push({
        id: t.id,
        asks: compile(t.asks, ['answer_types', i, 'asks']),
        answers: compile(t.answers, ['answer_types', i, 'answers']),
        pos: { file: name, ...source.posOf(['answer_types', i]) },
      });
    });
    data?.rules.forEach((r, i) => {
      const pos = { file: name, ...source.posOf(['rules', i]) };
      out.rules.push({
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
    const data = validate(source, synonymsFileSchema, out.problems);
    data?.groups.forEach((terms, i) => out.synonyms.push({ terms, pos: { file: name, ...source.posOf(['groups', i]) } }));
    data?.contrasts.forEach(({ sides, sticky, ...rest }, i) => out.contrasts.push({ sides, sticky, defaultSide: 'default' in rest ? rest.default : undefined, pos: { file: name, ...source.posOf(['contrasts', i]) } }));
  } else if (name === 'messages.yaml') {
    const data = validate(source, messagesFileSchema, out.problems);
    if (data) Object.assign(out.messages, data.messages);
  } else {
    out.problems.push({ file: name, line: 1, col: 1, message: 'unknown knowledge file (expected faq/*.yaml, rules.yaml, synonyms.yaml or messages.yaml)', severity: 'warning' });
  }
  return out;
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
