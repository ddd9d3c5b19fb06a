// `kb lint` with the engine: the knowledge-only rules read through the engine's tokenizer, plus what retrieval does with each entry's own questions.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  lintKnowledge, parseYamlSource, questionKey,
  type Entry, type KnowledgeBase, type Lang, type LintFinding, type LintOptions, type LintRule, type LocateInEntry, type Problem,
} from '../../knowledge/index.ts';
import type { Engine } from '../engine/engine.ts';
import type { Decision } from '../engine/decision.ts';
import { normalize } from '../engine/normalize.ts';
import { buildSynonyms } from '../engine/synonyms.ts';
import { createAnalyzer } from '../engine/tokenize.ts';
import { loadChineseLexicon } from '../engine/jieba.ts';

export type KbLintOptions = Partial<Pick<LintOptions, 'today' | 'nearDuplicate' | 'locate'>>;

export interface KbLintReport {
  findings: LintFinding[];
  errors: number;
  warnings: number;
}

/**
 * Positions of every question, answer and follow-up inside its file, from the YAML documents
 * (the loaded entries keep only the entry's own line).
 */
export async function entryLocator(kb: KnowledgeBase): Promise<LocateInEntry> {
  const sources = new Map<string, ReturnType<typeof parseYamlSource>>();
  for (const file of new Set(kb.entries.map((e) => e.pos.file))) {
    sources.set(file, parseYamlSource(file, await readFile(path.join(kb.dir, file), 'utf8')));
  }
  const indexInFile = new Map<Entry, number>();
  const seen = new Map<string, number>();
  for (const e of kb.entries) {
    const n = seen.get(e.pos.file) ?? 0;
    indexInFile.set(e, n);
    seen.set(e.pos.file, n + 1);
  }
  return (entry, p) => {
    const parsed = sources.get(entry.pos.file);
    const i = indexInFile.get(entry);
    if (!parsed?.ok || i === undefined) return { line: entry.pos.line, col: entry.pos.col };
    return parsed.source.posOf(['entries', i, ...p]);
  };
}

/** The engine's reading of a question: its normalization and synonyms, and its tokenizer over the KB's own vocabulary. */
export function engineReading(kb: KnowledgeBase): Pick<LintOptions, 'normalizeQuestion' | 'tokenize'> {
  const rewrite = buildSynonyms(kb.synonyms);
  const prepare = (t: string) => rewrite(normalize(t)).trim();
  const analyze = createAnalyzer(loadChineseLexicon(), kb.entries.flatMap((e) => e.keywords.map(prepare)), kb.synonyms.flatMap((g) => g.terms).map(prepare));
  return {
    normalizeQuestion: (t) => questionKey(prepare(t)),
    // Content words and function words, without the bigram parts of long words: "怎么屏蔽联通在信" and
    // "联通在信是什么" share the parts of 联通在信 but ask different things.
    tokenize: (t) => {
      const a = analyze(prepare(t));
      return [...a.units.map((u) => u.text), ...a.context];
    },
  };
}

function describe(d: Decision): string {
  if (d.kind === 'answer') return `answered with ${d.entryId}`;
  if (d.kind === 'handoff') return `handed off${d.ruleId ? ` by rule ${d.ruleId}` : ''}`;
  if (d.kind === 'fallback') return `a fallback${d.ruleId ? ` by rule ${d.ruleId}` : ''}`;
  return `a clarify between ${d.suggestions.map((s) => s.entryId).join(', ')}`;
}

/**
 * Every rule: lintKnowledge's, then retrieval.
 *
 * "Nothing reaches" an entry: a visitor gets an entry's answer either by asking (one of its own
 * questions, asked at the start of a chat, is answered with it) or by tapping a follow-up chip
 * under another answer (the widget sends the chip's text, the entry's first question in that
 * language, in the same conversation). An entry is reached when one of its questions answers it,
 * or when a reached entry shows it among its first `maxSuggestions` follow-ups and tapping the chip
 * answers it; repeated until nothing changes. An entry reached by neither is content no visitor
 * sees. Clarify suggestions are left out on purpose: a clarify is a question back to the visitor,
 * not a route an editor should rely on.
 */
export async function lintWithEngine(engine: Engine, options: KbLintOptions = {}): Promise<KbLintReport> {
  const { kb } = engine;
  const locate = options.locate ?? (await entryLocator(kb));
  const shownFollowups = engine.options.maxSuggestions;
  const findings = lintKnowledge(kb, { ...options, ...engineReading(kb), locate, shownFollowups });
  const at = (entry: Entry, p: (string | number)[], rule: LintRule, severity: Problem['severity'], message: string, otherEntryId?: string) =>
    findings.push({ file: entry.pos.file, ...locate(entry, p), rule, severity, entryId: entry.id, otherEntryId, message: `${entry.id}: ${message}` });

  const reached = new Set<string>();
  for (const e of kb.entries) {
    for (const lang of ['zh', 'en'] as Lang[]) {
      e.questions[lang].forEach((q, i) => {
        const d = engine.decide(q, { lang });
        if (d.kind === 'answer' && d.entryId === e.id) {
          reached.add(e.id);
          return;
        }
        const top = d.explain.candidates[0]?.entryId;
        if (d.kind === 'answer') {
          at(e, ['questions', lang, i], 'retrieves-other-entry', 'error', `its own ${lang} question "${q}" is ${describe(d)}`, d.entryId);
        } else if (d.explain.rule) {
          at(e, ['questions', lang, i], 'retrieves-other-entry', 'warning', `its own ${lang} question "${q}" is ${describe(d)} before retrieval`);
        } else if (top !== e.id) {
          at(e, ['questions', lang, i], 'retrieves-other-entry', 'warning', `its own ${lang} question "${q}" ranks ${top ?? 'nothing'} first (${describe(d)})`, top);
        }
      });
    }
  }

  // Follow-up chips: tapping one sends the target's first question after the parent's answer.
  const tapped = new Map<string, boolean>();
  const tap = (parent: Entry, target: Entry, lang: Lang): boolean => {
    const key = `${parent.id}>${target.id}>${lang}`;
    let ok = tapped.get(key);
    if (ok === undefined) {
      const first = engine.decide(parent.questions[lang][0]!, { lang });
      const ctx = first.kind === 'answer' && first.entryId === parent.id ? engine.nextContext({}, first) : { lang, lastEntryId: parent.id, lastTopic: parent.topic };
      const d = engine.decide(target.questions[lang][0]!, { lang, context: ctx });
      ok = d.kind === 'answer' && d.entryId === target.id;
      tapped.set(key, ok);
      if (!ok) {
        const i = parent.followups.indexOf(target.id);
        at(parent, ['followups', i], 'followup-lands-elsewhere', 'warning', `tapping the ${lang} follow-up "${target.questions[lang][0]}" (${target.id}) is ${describe(d)}`, target.id);
      }
    }
    return ok;
  };
  const byId = new Map(kb.entries.map((e) => [e.id, e]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of kb.entries) {
      if (!reached.has(e.id)) continue;
      for (const f of e.followups.slice(0, shownFollowups)) {
        const target = byId.get(f);
        if (!target || reached.has(f)) continue;
        if ((['zh', 'en'] as Lang[]).some((lang) => tap(e, target, lang))) {
          reached.add(f);
          grew = true;
        }
      }
    }
  }
  for (const e of kb.entries) {
    if (reached.has(e.id)) continue;
    const offeredBy = kb.entries.filter((o) => o.followups.includes(e.id)).map((o) => o.id);
    at(e, [], 'unreachable-entry', 'warning',
      `nothing reaches this entry: none of its own questions is answered with it${offeredBy.length ? `, and the follow-ups from ${offeredBy.join(', ')} do not land on it` : ', and no entry offers it as a follow-up'}`);
  }

  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, errors, warnings: findings.length - errors };
}
