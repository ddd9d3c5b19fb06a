// Rewrites every synonym to its group's first term, at index and query time alike.
import type { SynonymGroup } from '../knowledge/types.ts';
import { normalize } from './normalize.ts';

export type Rewrite = (normalizedText: string) => string;

const HAN = /\p{Script=Han}/u;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function buildSynonyms(groups: readonly SynonymGroup[]): Rewrite {
  const canonical = new Map<string, string>();
  for (const g of groups) {
    const [head, ...rest] = g.terms.map(normalize);
    if (!head) continue;
    for (const term of rest) if (term && term !== head) canonical.set(term, head);
  }
  if (canonical.size === 0) return (t) => t;
  // One alternation, longest first, so 网上营业厅 wins over 营业厅. Chinese terms match as
  // substrings (no word boundaries in Chinese); Latin terms only as whole words.
  const alternatives = [...canonical.keys()]
    .sort((a, b) => b.length - a.length)
    .map((t) => (HAN.test(t) ? escape(t) : `(?<![a-z0-9])${escape(t)}(?![a-z0-9])`));
  const pattern = new RegExp(alternatives.join('|'), 'gu');
  return (text) => text.replace(pattern, (m) => {
    const head = canonical.get(m) ?? m;
    // Keep a Latin replacement from gluing onto neighbouring Latin letters.
    return HAN.test(head) ? head : ` ${head} `;
  });
}
