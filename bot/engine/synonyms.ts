// Rewrites every synonym to its group's first term, at index and query time alike.
import type { SynonymGroup } from '../../knowledge/types.ts';
import { normalize } from './normalize.ts';

export type Rewrite = (normalizedText: string) => string;

const HAN = /\p{Script=Han}/u;

export function buildSynonyms(groups: readonly SynonymGroup[]): Rewrite {
  const canonical = new Map<string, string>();
  for (const g of groups) {
    const [head, ...rest] = g.terms.map(normalize);
    if (!head) continue;
    for (const term of rest) if (term && term !== head) canonical.set(term, head);
  }
  if (canonical.size === 0) return (t) => t;
  // Terms by first character, longest first, so 网上营业厅 wins over 营业厅. Chinese terms match as
  // substrings (no word boundaries in Chinese); Latin terms only as whole words. A scan trying only the
  // terms that start with the character at hand: one alternation of some 600 terms, each with
  // lookarounds, was tried at every position of every text (the costliest step of a long English message).
  const byFirst = new Map<string, string[]>();
  for (const term of canonical.keys()) {
    const list = byFirst.get(term[0]!) ?? [];
    list.push(term);
    byFirst.set(term[0]!, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  const wordChar = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);
  return (text) => {
    let out = '';
    let copied = 0;
    for (let i = 0; i < text.length; i++) {
      const terms = byFirst.get(text[i]!);
      if (!terms) continue;
      for (const term of terms) {
        if (!text.startsWith(term, i)) continue;
        if (!HAN.test(term) && (wordChar(text[i - 1]) || wordChar(text[i + term.length]))) continue;
        const head = canonical.get(term)!;
        // Keep a Latin replacement from gluing onto neighbouring Latin letters.
        out += text.slice(copied, i) + (HAN.test(head) ? head : ` ${head} `);
        i += term.length - 1;
        copied = i + 1;
        break;
      }
    }
    return copied === 0 ? text : out + text.slice(copied);
  };
}
