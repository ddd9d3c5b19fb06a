// Turns normalized text into search tokens and the content units that confidence is measured on.
import { stem as porterStem, wordTokenizer } from './natural.ts';
import { enStopwords, zhStopwords } from './stopwords.ts';
import type { ChineseLexicon } from './jieba.ts';

/** A piece of the query that carries meaning; confidence asks how many of them an entry covers. */
export interface Unit {
  text: string;
  /** Bigrams that together stand for a Chinese word the index may have split differently. */
  parts: string[];
  latin: boolean;
  /** A bigram guessed from characters no dictionary knew: it may straddle two words. */
  soft: boolean;
  /** How much the unit means in general Chinese (0..1, from its general-language idf); 1 for Latin and unknown words. */
  salience: number;
  /** The thing asked for: the word right after 什么/哪个/多少/what/which ("要用什么密码": 密码). */
  focus?: boolean;
  /**
   * A noun by jieba's tags (电子, IPTV, 门店): a thing the question is about. An entry lacking it is about
   * something else more often than one lacking a verb or an adverb (乱七八糟, 一直).
   */
  noun?: boolean;
}

export interface Analysis {
  /** Search tokens: content words, Chinese bigrams, English stems, numbers. Deduplicated. */
  tokens: string[];
  units: Unit[];
  /**
   * Function words left out of `tokens` ("哪些", "谁", "who", "when"). Search ignores them, but
   * comparing whole questions needs them: "哪些人能办" and "在哪办" differ only in these.
   */
  context: string[];
}

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

/**
 * General-language idf at or below which a word counts as everyday (几乎 5.0, 以后 4.3), and at or
 * above which it counts fully (宽带 9.6). Range 3-12; defaults 4.5 and 9.
 */
const EVERYDAY_IDF = 4.5;
const MEANINGFUL_IDF = 9;
/** Weight left to an everyday word. Range 0-1; default 0.2. */
const EVERYDAY_SALIENCE = 0.2;

function salience(lexicon: ChineseLexicon, word: string): number {
  const idf = lexicon.generalIdf(word);
  if (idf === undefined) return 1;
  const t = Math.min(1, Math.max(0, (idf - EVERYDAY_IDF) / (MEANINGFUL_IDF - EVERYDAY_IDF)));
  return EVERYDAY_SALIENCE + (1 - EVERYDAY_SALIENCE) * t;
}

/** jieba's noun tags: common, person, place, organisation, other proper, verbal and adjectival nouns. */
const isNoun = (tag: string | undefined) => tag !== undefined && (/^n/.test(tag) || tag === 'vn' || tag === 'an');

/** Longest dictionary word tried when re-segmenting single characters. Range 2-8; default 6. */
const MAX_WORD_CHARS = 6;

/** The knowledge base's own words, and the first two characters of each (every word has two or more). */
interface Dictionary {
  words: ReadonlySet<string>;
  starts: ReadonlySet<string>;
}

function analyzeHan(run: string, lexicon: ChineseLexicon, dictionary: Dictionary, atomic: ReadonlySet<string>, tokens: Set<string>, context: Set<string>, units: Map<string, Unit>): void {
  const addUnit = (text: string, soft: boolean) => {
    tokens.add(text);
    if (!units.has(text)) units.set(text, { text, parts: [...text].length > 2 ? bigrams(text) : [], latin: false, soft, salience: salience(lexicon, text), noun: isNoun(lexicon.partOfSpeech(text)) });
  };
  // The knowledge base's own words first (forward maximum matching): they are atomic, so
  // 网上营业厅 stays one term instead of bigrams shared with 营业厅 and 微信营业厅.
  const chars = [...run];
  // The longest dictionary word starting at `i`; most positions start none, which the two-character
  // check tells without building any candidate (indexing 100k entries runs this a million times).
  const longestAt = (i: number): string => {
    let word = '';
    if (i + 1 < chars.length) {
      let candidate = chars[i]! + chars[i + 1]!;
      if (dictionary.starts.has(candidate)) {
        const end = Math.min(chars.length, i + MAX_WORD_CHARS);
        for (let j = i + 2; ; j++) {
          if (dictionary.words.has(candidate)) word = candidate;
          if (j >= end) break;
          candidate += chars[j];
        }
      }
    }
    return word;
  };
  let gap = '';
  for (let i = 0; i < chars.length; ) {
    let word = longestAt(i);
    if (word) {
      // A word starting inside this one that reaches further, and is as long, wins: in 了解绑 the
      // KB term 解绑 beats 了解, which only borrows its first character.
      const len = [...word].length;
      for (let j = i + 1; j < i + len; j++) {
        const inner = longestAt(j);
        if (inner && j + [...inner].length > i + len && [...inner].length >= len) {
          word = '';
          break;
        }
      }
    }
    if (word) {
      analyzeGap(gap, lexicon, tokens, context, addUnit);
      gap = '';
      addUnit(word, false);
      // Keywords also match in part (自助终端 ~ 自助服务终端机); synonym terms stay atomic.
      if (!atomic.has(word)) for (const b of bigrams(word)) tokens.add(b);
      i += [...word].length;
    } else {
      gap += chars[i];
      i++;
    }
  }
  analyzeGap(gap, lexicon, tokens, context, addUnit);
}

/**
 * Text between known words: jieba's word segmentation, stop words dropped, character bigrams for
 * recall. Runs of characters jieba leaves single become bigrams marked soft, since a guessed bigram
 * may straddle two words.
 */
function analyzeGap(gap: string, lexicon: ChineseLexicon, tokens: Set<string>, context: Set<string>, addUnit: (text: string, soft: boolean) => void): void {
  if (!gap) return;
  const flushGroup = (group: string[]) => {
    for (const b of bigrams(group.join(''))) tokens.add(b);
    let singles = '';
    const flushSingles = () => {
      if ([...singles].length >= 2) for (const b of bigrams(singles)) addUnit(b, true);
      // A lone character can carry the question ("炫铃怎么关": 关); it counts, softly.
      else if (singles) addUnit(singles, true);
      singles = '';
    };
    for (const seg of group) {
      if ([...seg].length === 1) singles += seg;
      else {
        flushSingles();
        addUnit(seg, false);
      }
    }
    flushSingles();
  };
  let group: string[] = [];
  for (const segment of lexicon.cut(gap)) {
    if (zhStopwords.has(segment)) {
      flushGroup(group);
      group = [];
      context.add(segment);
    } else group.push(segment);
  }
  flushGroup(group);
}

/**
 * A bounded memo for pure word functions: a knowledge base repeats the same words and phrases in
 * thousands of questions (indexing 100k entries stems "cancel" tens of thousands of times).
 */
function memo<T>(fn: (s: string) => T, max = 100_000): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size >= max) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

const stem = memo(porterStem);

function analyzeLatin(span: string, tokens: Set<string>, context: Set<string>, units: Map<string, Unit>): void {
  const numbers = span.match(NUMBER) ?? [];
  for (const n of numbers) {
    const c = canonicalNumber(n);
    tokens.add(c);
    units.set(c, { text: c, parts: [], latin: true, soft: false, salience: 1 });
  }
  for (const word of wordTokenizer.tokenize(span.replace(NUMBER, ' '))) {
    const w = word.toLowerCase();
    if (enStopwords.has(w)) context.add(w);
    if (w.length < 2 || enStopwords.has(w)) continue;
    const s = stem(w);
    tokens.add(s);
    units.set(s, { text: s, parts: [], latin: true, soft: false, salience: 1 });
  }
}

export type Analyze = (text: string) => Analysis;

// The word after an interrogative names what the visitor wants to know.
const ZH_FOCUS = /(?:什么|啥|哪个|哪种|哪些|哪家|哪一个|几种|几个|几位|多少)(\p{Script=Han}{1,4})/gu;
const EN_FOCUS = /\b(?:what|which)\s+([a-z]{3,})/g;

function markFocus(text: string, units: Map<string, Unit>): void {
  for (const [, after] of text.matchAll(ZH_FOCUS)) {
    for (const u of units.values()) if (!u.latin && after!.startsWith(u.text)) u.focus = true;
  }
  for (const [, word] of text.matchAll(EN_FOCUS)) {
    const unit = units.get(stem(word!));
    if (unit) unit.focus = true;
  }
}

const HAN_WORD = /^\p{Script=Han}{2,}$/u;

/**
 * The one tokenizer used for indexing and querying (input already normalized and synonym-rewritten).
 * `vocabulary` is the knowledge base's own Chinese words (keywords), matched before jieba segments the rest;
 * `atomicTerms` (synonym terms) are matched too but never split into bigrams.
 */
export function createAnalyzer(jieba: ChineseLexicon, vocabulary: Iterable<string> = [], atomicTerms: Iterable<string> = []): Analyze {
  // The stretches between known words repeat across questions ("怎么办理", "在哪里"): cut each once.
  const lexicon: ChineseLexicon = { cut: memo((t) => jieba.cut(t), 50_000), generalIdf: (w) => jieba.generalIdf(w), partOfSpeech: (w) => jieba.partOfSpeech(w) };
  const usable = (w: string) => HAN_WORD.test(w) && [...w].length <= MAX_WORD_CHARS && !zhStopwords.has(w);
  const atomic = new Set([...atomicTerms].filter(usable));
  const words = new Set([...vocabulary].filter(usable));
  for (const w of atomic) words.add(w);
  const dictionary: Dictionary = { words, starts: new Set([...words].map((w) => [...w].slice(0, 2).join(''))) };
  return (text) => {
    const tokens = new Set<string>();
    const context = new Set<string>();
    const units = new Map<string, Unit>();
    for (const piece of text.split(HAN_RUN)) {
      if (!piece) continue;
      if (HAN_RUN.test(piece)) analyzeHan(piece, lexicon, dictionary, atomic, tokens, context, units);
      else analyzeLatin(piece, tokens, context, units);
    }
    markFocus(text, units);
    return { tokens: [...tokens], units: [...units.values()], context: [...context] };
  };
}
