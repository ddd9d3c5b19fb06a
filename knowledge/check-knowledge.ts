// Consistency across knowledge files: what a schema of one file cannot see.
import type { KnowledgeBase, Lang } from './types.ts';
import type { Problem } from './knowledge-error.ts';
import { contentLimits, requiredMessages } from './schema.ts';

/** Folds case, width and punctuation so "充值卡密码几位？" and "充值卡密码几位" count as the same question. */
export function questionKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, '');
}

/**
 * Answers are shown to visitors as plain text: the widget renders no markup, so backticks, markdown
 * and HTML would show as typed, and notes for editors ("资料中写作…", "the source says") are not for visitors.
 */
const MARKUP: readonly [RegExp, string][] = [
  [/`/, 'has a backtick (the widget shows plain text: write the term as it is)'],
  [/\*\*|__|\[[^\]]+\]\([^)]+\)|^#{1,6}\s/m, 'has markdown (the widget shows plain text)'],
  [/<\/?[a-z][^>]*>/i, 'has an HTML tag (the widget shows plain text)'],
  [/资料中|这里没有资料|根据资料|\bthe source\b/i, 'has a note for editors ("资料中…", "the source"): say it as the service would, e.g. "我这里没有相关信息"'],
];

export function visitorTextProblem(text: string): string | undefined {
  return MARKUP.find(([pattern]) => pattern.test(text))?.[1];
}

export function checkKnowledge(kb: KnowledgeBase): Problem[] {
  const problems: Problem[] = [];
  const at = (pos: { file: string; line: number; col: number }, message: string, severity: Problem['severity'] = 'error') =>
    problems.push({ file: pos.file, line: pos.line, col: pos.col, message, severity });

  if (kb.entries.length === 0) problems.push({ file: 'faq', line: 1, col: 1, message: 'no FAQ entries found under faq/', severity: 'error' });

  const byId = new Map<string, (typeof kb.entries)[number]>();
  for (const e of kb.entries) {
    const first = byId.get(e.id);
    if (first) at(e.pos, `duplicate id "${e.id}" (first defined at ${first.pos.file}:${first.pos.line})`);
    else byId.set(e.id, e);
    if (!e.id.startsWith(`${e.topic}.`)) at(e.pos, `id "${e.id}" must start with its file's topic "${e.topic}."`);
  }

  const topicFiles = new Map<string, string>();
  for (const t of kb.topics) {
    const other = topicFiles.get(t.id);
    if (other) problems.push({ file: t.file, line: 1, col: 1, message: `topic "${t.id}" is also declared in ${other}`, severity: 'error' });
    topicFiles.set(t.id, t.file);
  }

  const questionOwner = new Map<string, string>();
  for (const e of kb.entries) {
    for (const f of e.followups) {
      if (!byId.has(f)) at(e.pos, `${e.id}: follow-up "${f}" does not exist`);
      if (f === e.id) at(e.pos, `${e.id}: follows up to itself`);
    }
    for (const lang of ['zh', 'en'] as Lang[]) {
      const qs = e.questions[lang];
      if (qs.length < contentLimits.minQuestions[lang]) {
        at(e.pos, `${e.id}: only ${qs.length} ${lang} question(s); visitors phrase things many ways (aim for ${contentLimits.minQuestions[lang]}+)`, 'warning');
      }
      for (const q of qs) {
        const key = questionKey(q);
        const owner = questionOwner.get(key);
        if (owner && owner !== e.id) at(e.pos, `${e.id}: question "${q}" is also a question of ${owner}`);
        else if (owner === e.id) at(e.pos, `${e.id}: question "${q}" is listed twice`, 'warning');
        questionOwner.set(key, e.id);
      }
    }
    if (e.validUntil && Number.isNaN(Date.parse(e.validUntil))) at(e.pos, `${e.id}: valid_until "${e.validUntil}" is not a date`);
    for (const lang of ['zh', 'en'] as Lang[]) {
      const problem = visitorTextProblem(e.answer[lang]);
      if (problem) at(e.pos, `${e.id}: ${lang} answer ${problem}`);
    }
  }

  const ruleIds = new Set<string>();
  for (const r of kb.rules) {
    if (ruleIds.has(r.id)) at(r.pos, `duplicate rule id "${r.id}"`);
    ruleIds.add(r.id);
    if (r.exact.length === 0 && r.patterns.length === 0) at(r.pos, `rule "${r.id}" has neither exact texts nor patterns`);
    if (r.action === 'handoff' && !['requested', 'complaint', 'account_action'].includes(r.reason ?? '')) {
      at(r.pos, `handoff rule "${r.id}" needs a reason: requested, complaint or account_action`);
    }
    if (r.action === 'reply' && r.reason && !['smalltalk', 'unsafe', 'password', 'out_of_scope'].includes(r.reason)) {
      at(r.pos, `reply rule "${r.id}" has reason "${r.reason}"; use smalltalk, unsafe, password or out_of_scope`);
    }
    if (r.action === 'reply' && !r.reply) at(r.pos, `reply rule "${r.id}" needs a reply in zh and en`);
  }

  const termGroup = new Map<string, number>();
  kb.synonyms.forEach((g, i) => {
    for (const term of g.terms) {
      const key = term.normalize('NFKC').toLowerCase().trim();
      const other = termGroup.get(key);
      if (other !== undefined && other !== i) at(g.pos, `synonym "${term}" is in two groups (see ${kb.synonyms[other]!.pos.file}:${kb.synonyms[other]!.pos.line})`);
      termGroup.set(key, i);
    }
  });

  for (const c of kb.contrasts) {
    if (c.defaultSide !== undefined && c.defaultSide >= c.sides.length) at(c.pos, `contrast default ${c.defaultSide} is not one of its ${c.sides.length} sides (count from 0)`);
  }

  for (const key of requiredMessages) {
    if (!kb.messages[key]) problems.push({ file: 'messages.yaml', line: 1, col: 1, message: `missing message "${key}"`, severity: 'error' });
  }
  return problems;
}
