// Editors' lint beyond `check`: what loads fine but will disappoint visitors (near-duplicate questions, untranslated answers, stale facts, hidden follow-ups).
import type { Entry, KnowledgeBase, Lang } from './types.ts';
import type { Problem } from './knowledge-error.ts';
import { questionKey } from './check-knowledge.ts';

/** Which lint rule found something; stable, for --json consumers. */
export type LintRule =
  | 'duplicate-question'
  | 'near-duplicate-question'
  | 'retrieves-other-entry'
  | 'missing-language'
  | 'wrong-language-question'
  | 'expired-fact'
  | 'followup-not-shown'
  | 'followup-lands-elsewhere'
  | 'unreachable-entry';

export interface LintFinding extends Problem {
  rule: LintRule;
  entryId: string;
  /** The other entry involved (the duplicate's owner, the entry that answered instead...). */
  otherEntryId?: string;
}

/** Where a path inside an entry (["questions", "zh", 2]) is in its file; defaults to the entry's own line. */
export type LocateInEntry = (entry: Entry, path: readonly (string | number)[]) => { line: number; col: number };

export interface LintOptions {
  /** Today as YYYY-MM-DD; facts whose valid_until is before it are reported. Default: today in Asia/Shanghai. */
  today: string;
  /** The engine's reading of a question as one comparable string (normalized, synonyms folded). Default: questionKey. */
  normalizeQuestion: (text: string) => string;
  /** The engine's words of a question (content and function words). Default: Latin words and Han bigrams. */
  tokenize: (text: string) => readonly string[];
  /** Token overlap (Jaccard) at or above which two questions of different entries are near-duplicates. Range 0.5-1; default 0.8. */
  nearDuplicate: number;
  /** Follow-ups the bot shows after an answer (the engine's maxSuggestions). Range 1-10; default 3. */
  shownFollowups: number;
  locate: LocateInEntry;
}

/** The calendar date in Asia/Shanghai, where the business and its editors are. */
export function shanghaiDate(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /[a-z]{2,}/gi;
/** An en answer with fewer English words than this is untranslated. Range 1-10; default 3. */
const MIN_EN_WORDS = 3;
/** Han characters per English word above which an en answer reads as Chinese. Range 1.5-10; default 4. */
const HAN_PER_EN_WORD = 4;

function simpleTokens(text: string): string[] {
  const key = text.normalize('NFKC').toLowerCase();
  const words = key.match(/[a-z0-9]+/g) ?? [];
  const han = [...key.replace(/[^\p{Script=Han}]+/gu, ' ')].join('').split(' ').flatMap((run) => {
    const cs = [...run];
    return cs.length === 1 ? cs : cs.slice(1).map((c, i) => cs[i]! + c);
  });
  return [...words, ...han.filter(Boolean)];
}

export const defaultLintOptions: LintOptions = {
  get today() {
    return shanghaiDate();
  },
  normalizeQuestion: questionKey,
  tokenize: simpleTokens,
  nearDuplicate: 0.8,
  shownFollowups: 3,
  locate: (entry) => ({ line: entry.pos.line, col: entry.pos.col }),
};

/** Rules that need no engine; bot/cli/kb-lint.ts adds the retrieval rules and passes the engine's tokenizer. */
export function lintKnowledge(kb: KnowledgeBase, options: Partial<LintOptions> = {}): LintFinding[] {
  const opts: LintOptions = { ...defaultLintOptions, today: options.today ?? shanghaiDate(), ...options };
  const findings: LintFinding[] = [];
  const at = (entry: Entry, path: (string | number)[], rule: LintRule, severity: Problem['severity'], message: string, otherEntryId?: string) =>
    findings.push({ file: entry.pos.file, ...opts.locate(entry, path), rule, severity, entryId: entry.id, otherEntryId, message: `${entry.id}: ${message}` });

  nearDuplicates(kb, opts, at);

  for (const e of kb.entries) {
    // The schema demands text in both languages, so a missing language shows up as the other
    // language copied or left untranslated in its place.
    const zhHan = e.answer.zh.match(HAN)?.length ?? 0;
    const enHan = e.answer.en.match(HAN)?.length ?? 0;
    const enWords = e.answer.en.match(LATIN_WORD)?.length ?? 0;
    if (zhHan === 0) at(e, ['answer', 'zh'], 'missing-language', 'error', 'the zh answer has no Chinese text');
    // English answers may quote Chinese UI labels (`工具` (Tools)), so only a few English words among many Han characters counts.
    if (enWords < MIN_EN_WORDS || enHan > enWords * HAN_PER_EN_WORD) at(e, ['answer', 'en'], 'missing-language', 'error', 'the en answer is not in English (untranslated?)');
    else if (questionKey(e.answer.zh) === questionKey(e.answer.en)) at(e, ['answer', 'en'], 'missing-language', 'error', 'the en answer is the zh answer copied');
    for (const lang of ['zh', 'en'] as Lang[]) {
      e.questions[lang].forEach((q, i) => {
        const han = q.match(HAN)?.length ?? 0;
        const words = q.match(LATIN_WORD)?.length ?? 0;
        const other = lang === 'zh' ? han === 0 && words > 0 : words === 0 && han > 0;
        if (other) at(e, ['questions', lang, i], 'wrong-language-question', 'warning', `${lang} question "${q}" is in the other language`);
      });
    }

    if (e.validUntil && e.validUntil < opts.today) {
      at(e, ['valid_until'], 'expired-fact', 'warning', `valid_until ${e.validUntil} has passed (today ${opts.today} in Asia/Shanghai): review the answer and move the date`);
    }

    // The bot offers only the first few follow-ups after an answer; the rest are never seen.
    e.followups.forEach((f, i) => {
      if (i >= opts.shownFollowups) {
        at(e, ['followups', i], 'followup-not-shown', 'warning', `follow-up "${f}" is never shown: the bot offers only the first ${opts.shownFollowups}`, f);
      }
    });
  }
  // Follow-ups to ids that do not exist are a `check` error (the knowledge base does not load), so not repeated here.
  return findings;
}

function nearDuplicates(kb: KnowledgeBase, opts: LintOptions, at: (e: Entry, path: (string | number)[], rule: LintRule, severity: Problem['severity'], message: string, other?: string) => void): void {
  interface Q { entry: Entry; lang: Lang; index: number; text: string; key: string; tokens: Set<string>; sides: Map<number, Set<number>> }
  const contrastTerms = kb.contrasts.map((c) => c.sides.map((side) => side.map(opts.normalizeQuestion).filter(Boolean)));
  const sidesOf = (key: string) => {
    const named = new Map<number, Set<number>>();
    contrastTerms.forEach((sides, ci) => sides.forEach((terms, si) => {
      if (terms.some((t) => key.includes(t))) named.set(ci, (named.get(ci) ?? new Set()).add(si));
    }));
    // A question naming no side leans to the default one (联通 on Unicom's hall), as the engine reads it.
    kb.contrasts.forEach((c, ci) => {
      if (c.defaultSide !== undefined && !named.has(ci)) named.set(ci, new Set([c.defaultSide]));
    });
    return named;
  };
  const opposed = (a: Map<number, Set<number>>, b: Map<number, Set<number>>) =>
    [...a].some(([ci, sa]) => { const sb = b.get(ci); return !!sb && ![...sa].some((s) => sb.has(s)); });
  const all: Q[] = kb.entries.flatMap((entry) =>
    (['zh', 'en'] as Lang[]).flatMap((lang) =>
      entry.questions[lang].map((text, index) => {
        const key = opts.normalizeQuestion(text);
        return { entry, lang, index, text, key, tokens: new Set(opts.tokenize(text)), sides: sidesOf(key) };
      }),
    ),
  );
  // An inverted index keeps this near-linear: only questions sharing a token are compared.
  const byToken = new Map<string, number[]>();
  all.forEach((q, i) => {
    for (const t of q.tokens) {
      const list = byToken.get(t);
      if (list) list.push(i);
      else byToken.set(t, [i]);
    }
  });
  const byKey = new Map<string, number>();
  all.forEach((q, i) => {
    const first = byKey.get(q.key);
    if (first === undefined) {
      byKey.set(q.key, i);
      return;
    }
    const o = all[first]!;
    if (o.entry.id !== q.entry.id) {
      at(q.entry, ['questions', q.lang, q.index], 'duplicate-question', 'error',
        `question "${q.text}" reads the same to the bot as "${o.text}" of ${o.entry.id} (${o.entry.pos.file}:${opts.locate(o.entry, ['questions', o.lang, o.index]).line})`, o.entry.id);
    }
  });
  all.forEach((q, i) => {
    const shared = new Map<number, number>();
    for (const t of q.tokens) for (const j of byToken.get(t) ?? []) if (j < i) shared.set(j, (shared.get(j) ?? 0) + 1);
    for (const [j, n] of shared) {
      const o = all[j]!;
      // Questions on two sides of a contrast (联通 / 移动) are meant to look alike: the engine keeps them apart.
      if (o.entry.id === q.entry.id || o.key === q.key || o.lang !== q.lang || opposed(q.sides, o.sides)) continue;
      const jaccard = n / (q.tokens.size + o.tokens.size - n);
      if (jaccard >= opts.nearDuplicate) {
        at(q.entry, ['questions', q.lang, q.index], 'near-duplicate-question', 'warning',
          `question "${q.text}" is nearly the same as "${o.text}" of ${o.entry.id} (${o.entry.pos.file}:${opts.locate(o.entry, ['questions', o.lang, o.index]).line}; token overlap ${jaccard.toFixed(2)})`, o.entry.id);
      }
    }
  });
}
