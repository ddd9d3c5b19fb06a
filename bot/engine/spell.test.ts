// The speller's letter-set prefilter must never change a correction: compared with a brute-force scan.
import { describe, expect, it } from 'vitest';
import { editDistance } from './natural.ts';
import { buildSpeller } from './spell.ts';

/** The speller's contract without the prefilter: closest vocabulary word within the budget, ties to the commoner. */
function bruteForce(vocabulary: string[]): (word: string) => string {
  const freq = new Map<string, number>();
  for (const w of vocabulary) freq.set(w, (freq.get(w) ?? 0) + 1);
  return (word) => {
    if (word.length < 5 || freq.has(word)) return word;
    const budget = word.length <= 7 ? 2 : 3;
    let best = word;
    let bestD = budget + 1;
    let bestF = 0;
    // Same scan order as the speller (by length, then first appearance), so ties break alike.
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const [c, f] of freq) {
        if (c.length !== len || c.length < 4) continue;
        const d = editDistance(word, c);
        if (d <= budget && (d < bestD || (d === bestD && f > bestF))) {
          best = c;
          bestD = d;
          bestF = f;
        }
      }
    }
    return best;
  };
}

/** Deterministic pseudo-random words and their typos. */
function words(count: number, seed: number): string[] {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
  return Array.from({ length: count }, () => Array.from({ length: 4 + Math.floor(next() * 7) }, () => String.fromCharCode(97 + Math.floor(next() * 8))).join(''));
}

describe('speller', () => {
  it('corrects exactly as a brute-force scan does, on words one to three edits away', () => {
    const vocabulary = words(800, 7);
    const speller = buildSpeller([vocabulary.join(' ')]);
    const reference = bruteForce(vocabulary);
    let corrected = 0;
    for (const typo of words(250, 99)) {
      const want = reference(typo);
      expect(speller(typo), typo).toBe(want);
      if (want !== typo) corrected++;
    }
    // The comparison means something only if many of the words were corrected.
    expect(corrected).toBeGreaterThan(50);
  });

  it('fixes a real typo from the knowledge base vocabulary and leaves known words alone', () => {
    const speller = buildSpeller(['how do i get an invoice for my top-up', 'invoice title']);
    expect(speller('invioce for my top-up')).toBe('invoice for my top-up');
    expect(speller('title')).toBe('title');
  });
});
