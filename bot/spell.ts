// English typo correction against the knowledge base's own vocabulary ("invioce" -> "invoice").
import { editDistance } from './natural.ts';

export type Speller = (normalizedText: string) => string;

/** Words shorter than this are never corrected: too many short words are one edit apart. Range 4-6; default 5. */
const MIN_WORD = 5;
/** Edits allowed: one for words up to 7 letters, two beyond (Damerau: a swap counts once). */
const maxEdits = (len: number) => (len <= 7 ? 1 : 2);

const WORD = /[a-z]+/g;

/**
 * Corrects a Latin word not in `vocabulary` to the closest vocabulary word within the edit budget,
 * preferring the most frequent word on ties. Chinese needs no speller: bigrams and synonyms absorb
 * its variants.
 */
export function buildSpeller(vocabulary: Iterable<string>): Speller {
  const freq = new Map<string, number>();
  for (const text of vocabulary) for (const w of text.toLowerCase().match(WORD) ?? []) freq.set(w, (freq.get(w) ?? 0) + 1);
  const byLength = new Map<number, string[]>();
  for (const w of freq.keys()) {
    if (w.length < MIN_WORD - 1) continue;
    const list = byLength.get(w.length) ?? [];
    list.push(w);
    byLength.set(w.length, list);
  }
  const cache = new Map<string, string>();
  const correct = (word: string): string => {
    if (word.length < MIN_WORD || freq.has(word)) return word;
    const hit = cache.get(word);
    if (hit !== undefined) return hit;
    const budget = maxEdits(word.length);
    let best = word;
    let bestDistance = budget + 1;
    let bestFreq = 0;
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const candidate of byLength.get(len) ?? []) {
        const d = editDistance(word, candidate);
        const f = freq.get(candidate)!;
        if (d < bestDistance || (d === bestDistance && f > bestFreq)) {
          best = candidate;
          bestDistance = d;
          bestFreq = f;
        }
      }
    }
    if (cache.size < 10_000) cache.set(word, best);
    return best;
  };
  return (text) => text.replace(WORD, correct);
}
