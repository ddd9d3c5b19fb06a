// English typo correction against the knowledge base's own vocabulary ("invioce" -> "invoice").
import { editDistance } from './natural.ts';

export type Speller = (normalizedText: string) => string;

/** Words shorter than this are never corrected: too many short words are one edit apart. Range 4-6; default 5. */
const MIN_WORD = 5;
/**
 * Edits allowed: two for words up to 7 letters, three beyond (Damerau: a swap counts once); the
 * closest word wins, ties go to the more frequent one. Tuned on knowledge/tests ("owner" and
 * "promo" are two edits from the words the KB uses).
 */
const maxEdits = (len: number) => (len <= 7 ? 2 : 3);

const WORD = /[a-z]+/g;

/**
 * Corrects a Latin word not in `vocabulary` to the closest vocabulary word within the edit budget,
 * preferring the most frequent word on ties. A word `isWord` knows (an English word list) is never
 * corrected: the knowledge base's vocabulary alone would turn "query" into "every". Chinese needs no
 * speller: bigrams, synonyms and the homophone reader absorb its variants.
 */
export function buildSpeller(vocabulary: Iterable<string>, isWord: (word: string) => boolean = () => false): Speller {
  const freq = new Map<string, number>();
  for (const text of vocabulary) for (const w of text.toLowerCase().match(WORD) ?? []) freq.set(w, (freq.get(w) ?? 0) + 1);
  const byLength = new Map<number, { word: string; letters: number }[]>();
  for (const w of freq.keys()) {
    if (w.length < MIN_WORD - 1) continue;
    const list = byLength.get(w.length) ?? [];
    list.push({ word: w, letters: letterMask(w) });
    byLength.set(w.length, list);
  }
  const cache = new Map<string, string>();
  const correct = (word: string): string => {
    if (word.length < MIN_WORD || freq.has(word) || isWord(word)) return word;
    const hit = cache.get(word);
    if (hit !== undefined) return hit;
    const budget = maxEdits(word.length);
    const letters = letterMask(word);
    let best = word;
    let bestDistance = budget + 1;
    let bestFreq = 0;
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const { word: candidate, letters: candidateLetters } of byLength.get(len) ?? []) {
        // Each edit adds or removes at most two letters from the set of letters used, so a word
        // whose letter set differs by more cannot be within budget: skips most of a large vocabulary
        // before the quadratic edit distance.
        if (bitCount(letters ^ candidateLetters) > 2 * budget) continue;
        const d = editDistance(word, candidate);
        const f = freq.get(candidate)!;
        if (d <= budget && (d < bestDistance || (d === bestDistance && f > bestFreq))) {
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

/** Which of a-z occur in the word, one bit each. */
function letterMask(word: string): number {
  let mask = 0;
  for (let i = 0; i < word.length; i++) mask |= 1 << (word.charCodeAt(i) - 97);
  return mask;
}

function bitCount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
