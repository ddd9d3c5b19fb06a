// Ordered intent rules from rules.yaml: the first rule whose text matches wins.
import type { Rule } from '../../knowledge/types.ts';
import { normalize } from './normalize.ts';

export type RuleMatcher = (normalizedText: string, lastTopic?: string) => Rule | undefined;

// "转人工！！" and "转人工" are the same request.
const EDGE_PUNCTUATION = /^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu;

export function buildRuleMatcher(rules: readonly Rule[]): RuleMatcher {
  const compiled = rules.map((rule) => ({
    rule,
    exact: new Set(rule.exact.map((e) => normalize(e).replace(EDGE_PUNCTUATION, ''))),
    // One alternation per list: the regex engine scans the text once instead of once per pattern,
    // which on every message is most of what rules cost.
    patterns: anyOf(rule.patterns),
    unless: anyOf(rule.unless),
  }));
  return (text, lastTopic) => {
    const bare = text.replace(EDGE_PUNCTUATION, '');
    for (const { rule, exact, patterns, unless } of compiled) {
      if (rule.maxLength !== undefined && [...bare].length > rule.maxLength) continue;
      if (lastTopic && rule.unlessAfter.includes(lastTopic)) continue;
      const hit = exact.has(bare) || (patterns?.test(text) ?? false);
      if (hit && !(unless?.test(text) ?? false)) return rule;
    }
    return undefined;
  };
}

/**
 * For a rule that matched: the text with the rule's words taken out ("转人工", "投诉" are how a person is
 * asked for, not what about), or '' when the rule lists the whole message. Patterns compiled once.
 */
export function buildRuleWordRemover(rules: readonly Rule[]): (rule: Rule, text: string) => string {
  const compiled = new Map(
    rules.map((rule) => [
      rule,
      {
        exact: new Set(rule.exact.map((e) => normalize(e).replace(EDGE_PUNCTUATION, ''))),
        patterns: rule.patterns.map((p) => new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`)),
        // The whole-message words also inside a longer message ("我要人工客服": 人工客服 is the asking, not
        // a subject), longest first; whole words only for Latin ones ("rep" is not in "report").
        phrases: phraseRemover(rule.exact.map((e) => normalize(e).replace(EDGE_PUNCTUATION, '')).filter((e) => [...e].length >= 2 && !/^\d+$/.test(e))),
      },
    ]),
  );
  return (rule, text) => {
    const c = compiled.get(rule);
    if (!c) return text;
    if (c.exact.has(text.replace(EDGE_PUNCTUATION, ''))) return '';
    const rest = c.patterns.reduce((t, p) => t.replace(p, ' '), text);
    return c.phrases ? rest.replace(c.phrases, ' ') : rest;
  };
}

function phraseRemover(phrases: string[]): RegExp | undefined {
  if (phrases.length === 0) return undefined;
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sorted = [...new Set(phrases)].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((p) => (/^[\p{Script=Han}\d]/u.test(p) ? escape(p) : `\\b${escape(p)}\\b`)).join('|'), 'gu');
}

/**
 * A regex matching where any of `patterns` matches, or undefined for none: one alternation, so the
 * text is scanned once instead of once per pattern. Groups are non-capturing wrappers, so
 * alternatives cannot interfere (rules use no backreferences, which renumbering would break).
 */
function anyOf(patterns: readonly RegExp[]): { test(text: string): boolean } | undefined {
  if (patterns.length === 0) return undefined;
  const flags = patterns[0]!.flags;
  const combinable = patterns.every((p) => p.flags === flags && !p.global && !p.sticky && !/\\[1-9]|\\k</.test(p.source));
  if (!combinable) return { test: (text) => patterns.some((p) => p.test(text)) };
  return withoutUnicodeMode(patterns.map((p) => `(?:${p.source})`).join('|'), flags);
}

// Escapes only the `u` flag understands, and characters outside the BMP (two code units without it).
const NEEDS_UNICODE_MODE = /\\[pP]\{|\\u\{|[\uD800-\uDFFF]/;

/**
 * The loader compiles rule patterns with `iu`. Matching in unicode mode costs V8 about three times
 * as much per message, and these patterns gain nothing from it: their characters are all in the BMP
 * (Chinese, Latin) and they use no \p{...}. Those are compiled without `u`; any other keeps it.
 */
function withoutUnicodeMode(source: string, flags: string): RegExp {
  if (!flags.includes('u') || NEEDS_UNICODE_MODE.test(source)) return new RegExp(source, flags);
  try {
    return new RegExp(source, flags.replace('u', ''));
  } catch {
    return new RegExp(source, flags);
  }
}
