// Turns normalized text into search tokens and the content units that confidence is measured on.
import { stem as porterStem, wordTokenizer } from './natural.ts';
import { enStopwords, zhStopwords } from './stopwords.ts';

/** A piece of the query that carries meaning; confidence asks how many of them an entry covers. */
export interface Unit {
  text: string;
  /** Bigrams that together stand for a Chinese word the index may have split differently. */
  parts: string[];
  latin: boolean;
  /** A bigram guessed from characters no dictionary knew: it may straddle two words. */
  soft: boolean;
}

export interface Analysis {
  /** Search tokens: content words, Chinese bigrams, English stems, numbers. Deduplicated. */
  tokens: string[];
  units: Unit[];
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN_RUN = /(\p{Script=Han}+)/u;
const NUMBER = /\d+(?:\.\d+)?/g;

function bigrams(s: string): string[] {
  const chars = [...s];
  if (chars.length < 2) return [];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** "0.20" and "0.2" are the same price. */
function canonicalNumber(n: string): string {
  return n.includes('.') ? String(Number(n)) : n;
}

/** Longest dictionary word tried when re-segmenting single characters. Range 2-8; default 6. */
const MAX_WORD_CHARS = 6;

function analyzeHan(run: string, dictionary: ReadonlySet<string>, tokens: Set<string>, units: Map<string, Unit>): void {
  // ICU's dictionary knows common words (联通, 发票, 密码) but splits domain words into single
  // characters (宽|带, 网|厅, 详|单). Runs of single characters are re-segmented by forward
  // maximum matching against the knowledge base's own vocabulary; what is left becomes bigrams.
  const addUnit = (text: string, soft: boolean) => {
    tokens.add(text);
    if (!units.has(text)) units.set(text, { text, parts: [...text].length > 2 ? bigrams(text) : [], latin: false, soft });
  };
  const resegment = (chars: string[]) => {
    let leftover = '';
    const flushLeftover = () => {
      if ([...leftover].length >= 2) for (const b of bigrams(leftover)) addUnit(b, true);
      else if (leftover) tokens.add(leftover);
      leftover = '';
    };
    for (let i = 0; i < chars.length; ) {
      let word = '';
      for (let n = Math.min(MAX_WORD_CHARS, chars.length - i); n >= 2; n--) {
        const candidate = chars.slice(i, i + n).join('');
        if (dictionary.has(candidate)) {
          word = candidate;
          i += n;
          break;
        }
      }
      if (word) {
        flushLeftover();
        addUnit(word, false);
      } else {
        leftover += chars[i];
        i++;
      }
    }
    flushLeftover();
  };
  const flushGroup = (group: string[]) => {
    for (const b of bigrams(group.join(''))) tokens.add(b);
    let singles: string[] = [];
    for (const seg of group) {
      if ([...seg].length === 1) {
        singles.push(seg);
        continue;
      }
      resegment(singles);
      singles = [];
      addUnit(seg, false);
    }
    resegment(singles);
  };
  let group: string[] = [];
  for (const { segment } of segmenter.segment(run)) {
    if (zhStopwords.has(segment)) {
      flushGroup(group);
      group = [];
    } else group.push(segment);
  }
  flushGroup(group);
}

function analyzeLatin(span: string, tokens: Set<string>, units: Map<string, Unit>): void {
  const numbers = span.match(NUMBER) ?? [];
  for (const n of numbers) {
    const c = canonicalNumber(n);
    tokens.add(c);
    units.set(c, { text: c, parts: [], latin: true, soft: false });
  }
  for (const word of wordTokenizer.tokenize(span.replace(NUMBER, ' '))) {
    const w = word.toLowerCase();
    if (w.length < 2 || enStopwords.has(w)) continue;
    const stem = porterStem(w);
    tokens.add(stem);
    units.set(stem, { text: stem, parts: [], latin: true, soft: false });
  }
}

export type Analyze = (text: string) => Analysis;

const HAN_WORD = /^\p{Script=Han}{2,}$/u;

/**
 * The one tokenizer used for indexing and querying (input already normalized and synonym-rewritten).
 * `vocabulary` is the knowledge base's own Chinese words (keywords, synonym terms), used to
 * re-segment what ICU splits into single characters.
 */
export function createAnalyzer(vocabulary: Iterable<string> = []): Analyze {
  const dictionary = new Set([...vocabulary].filter((w) => HAN_WORD.test(w) && [...w].length <= MAX_WORD_CHARS));
  return (text) => {
    const tokens = new Set<string>();
    const units = new Map<string, Unit>();
    for (const piece of text.split(HAN_RUN)) {
      if (!piece) continue;
      if (HAN_RUN.test(piece)) analyzeHan(piece, dictionary, tokens, units);
      else analyzeLatin(piece, tokens, units);
    }
    return { tokens: [...tokens], units: [...units.values()] };
  };
}
