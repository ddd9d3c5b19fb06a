// Ordered intent rules from rules.yaml: the first rule whose text matches wins.
import type { Rule } from '../knowledge/types.ts';
import { normalize } from './normalize.ts';

export type RuleMatcher = (normalizedText: string, lastTopic?: string) => Rule | undefined;

// "转人工！！" and "转人工" are the same request.
const EDGE_PUNCTUATION = /^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu;

export function buildRuleMatcher(rules: readonly Rule[]): RuleMatcher {
  const compiled = rules.map((rule) => ({ rule, exact: new Set(rule.exact.map((e) => normalize(e).replace(EDGE_PUNCTUATION, ''))) }));
  return (text, lastTopic) => {
    const bare = text.replace(EDGE_PUNCTUATION, '');
    for (const { rule, exact } of compiled) {
      if (rule.maxLength !== undefined && [...bare].length > rule.maxLength) continue;
      if (lastTopic && rule.unlessAfter.includes(lastTopic)) continue;
      const hit = exact.has(bare) || rule.patterns.some((p) => p.test(text));
      if (hit && !rule.unless.some((p) => p.test(text))) return rule;
    }
    return undefined;
  };
}
