// Multi-turn: reads a short follow-up ("那联通呢?", "and for a data card?") against the previous question.
import type { SynonymGroup } from '../knowledge/types.ts';
import { normalize } from './normalize.ts';

// Openers and closers that mark a message as leaning on the one before it.
const ZH_MARKER = /^(那|那么|还有|另外|然后|如果是|要是)|呢[?？]?$|的呢|怎么样[?？]?$|多少钱|收费吗|要钱吗/u;
const EN_MARKER = /^(and|what about|how about|what if|also|then|same for|ok and|so)\b|\b(instead|too|before|after)\b|\bhow much\b/u;

export function looksLikeFollowUp(normalizedText: string): boolean {
  return ZH_MARKER.test(normalizedText) || EN_MARKER.test(normalizedText);
}

export type ContrastFilter = (previous: string, current: string) => string;

/**
 * Removes from the previous question the terms the follow-up replaces: after "移动发票能打几个月",
 * "那联通呢" should ask about 联通, not about 移动 and 联通 at once.
 */
export function buildContrastFilter(groups: readonly SynonymGroup[], rewrite: (t: string) => string): ContrastFilter {
  const sets = groups.map((g) => [...new Set(g.terms.map((t) => rewrite(normalize(t)).trim()))].filter(Boolean));
  return (previous, current) => {
    let out = previous;
    for (const terms of sets) {
      const named = terms.filter((t) => current.includes(t));
      if (named.length === 0) continue;
      for (const t of terms) if (!named.includes(t)) out = out.split(t).join(' ');
    }
    return out;
  };
}
