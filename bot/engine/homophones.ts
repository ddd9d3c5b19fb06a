// Homophone slips of pinyin input methods (服务秘码, 营业听, 发飘) put back to the knowledge base's own words.
// Visitors type pinyin and pick a wrong character of the same sound; the slip is no word the index has,
// and a misspelled 发票 also hides the word that tells a China Mobile invoice question from an
// out-of-scope one. So a stretch whose toneless pinyin equals a KB term's is read as that term, before
// the rules and the search see the text.
import { pinyin } from 'pinyin-pro';
import type { ChineseLexicon } from './jieba.ts';

export type HomophoneFixer = (normalizedText: string) => string;

/** Longest and shortest stretch compared, in characters. Range 2-8; defaults 2 and 6. */
const MIN_CHARS = 2;
const MAX_CHARS = 6;
/**
 * General-language idf below which a stretch is an everyday word of its own and stays as typed:
 * 重置 (reset, 11.0) is not a slip for 充值, 事实 (6.3) not for 实时; 发飘 (12.5) is a slip for 发票.
 * Range 9-14; default 11.5.
 */
const EVERYDAY_WORD_IDF = 11.5;

const HAN_RUN = /\p{Script=Han}+/gu;

// Each character's toneless pinyin, its commonest reading, looked up once per character: the same reading
// on both sides (terms and visitor text) keeps them comparable, and a term costs a few map lookups
// instead of a pinyin-pro call (a KB of 100k entries has hundreds of thousands of keywords).
const charSounds = new Map<string, string>();
const soundOf = (c: string): string => {
  let s = charSounds.get(c);
  if (s === undefined) {
    s = pinyin(c, { toneType: 'none', v: true });
    charSounds.set(c, s);
  }
  return s;
};
const syllables = (text: string): string[] => [...text].map(soundOf);

/**
 * `terms`: the knowledge base's own terms (keywords, synonym terms), which slips are read as. Only those:
 * everyday words of its questions (要钱, 不交) would turn real words (要签, 补交) into errors.
 * A sound shared by two different terms is ambiguous and never corrected.
 */
export function buildHomophoneFixer(terms: Iterable<string>, lexicon: ChineseLexicon): HomophoneFixer {
  const bySound = new Map<string, string | null>();
  const known = new Set<string>();
  for (const term of terms) {
    const chars = [...term];
    if (chars.length < MIN_CHARS || chars.length > MAX_CHARS || !/^\p{Script=Han}+$/u.test(term) || known.has(term)) continue;
    known.add(term);
    const key = syllables(term).join(' ');
    const seen = bySound.get(key);
    bySound.set(key, seen === undefined || seen === term ? term : null);
  }
  if (bySound.size === 0) return (t) => t;

  const fixRun = (run: string): string => {
    const chars = [...run];
    if (chars.length < MIN_CHARS) return run;
    const sounds = syllables(run);
    if (sounds.length !== chars.length) return run;

    /** The KB term a typed stretch is a slip for, if it is one. */
    const everyday = (word: string) => {
      const idf = lexicon.generalIdf(word);
      return idf !== undefined && idf < EVERYDAY_WORD_IDF;
    };
    /** True when chars[at] is part of an everyday word of 2-4 characters other than the stretch [i, i+n) itself. */
    const inEverydayWord = (at: number, i: number, n: number): boolean => {
      for (let len = 2; len <= 4; len++) {
        for (let s = Math.max(0, at - len + 1); s <= at && s + len <= chars.length; s++) {
          if (s === i && len === n) continue;
          if (everyday(chars.slice(s, s + len).join(''))) return true;
        }
      }
      return false;
    };
    const slipAt = (i: number, n: number): string | undefined => {
      const typed = chars.slice(i, i + n).join('');
      if (known.has(typed)) return undefined;
      const term = bySound.get(sounds.slice(i, i + n).join(' '));
      if (!term || !sharesACharacter(typed, term) || everyday(typed)) return undefined;
      // A character that differs from the term must be no part of an everyday word with its neighbour:
      // in 手机号 the 机 of 手机 is no slip for 几号's 几, in 补交费 the 补 of 补交 none for 不交费's 不.
      // The same holds for longer words: the 加 of 新加坡 is no slip for 新家's 家.
      const want = [...term];
      for (let k = 0; k < n; k++) {
        if (chars[i + k] === want[k]) continue;
        if (inEverydayWord(i + k, i, n)) return undefined;
      }
      return term;
    };
    /** A slip starting inside chars[i, end) and reaching past it ("了解邦": 解邦 reaches past 了解). */
    const slipReachingPast = (i: number, end: number): boolean => {
      for (let j = i + 1; j < end; j++) for (let n = MIN_CHARS; n <= MAX_CHARS && j + n <= chars.length; n++) if (j + n > end && slipAt(j, n)) return true;
      return false;
    };
    let out = '';
    for (let i = 0; i < chars.length; ) {
      let step = 1;
      let emitted = chars[i]!;
      for (let n = Math.min(MAX_CHARS, chars.length - i); n >= MIN_CHARS; n--) {
        const typed = chars.slice(i, i + n).join('');
        if (known.has(typed)) {
          // A KB word as typed is no slip, and no slip is read inside it (手机号 holds no 几号), unless
          // one reaches past its end: in 了解邦 the KB term 解绑 wins over the everyday 了解.
          if (!slipReachingPast(i, i + n)) {
            emitted = typed;
            step = n;
          }
          break;
        }
        const term = slipAt(i, n);
        if (term) {
          emitted = term;
          step = n;
          break;
        }
      }
      out += emitted;
      i += step;
    }
    return out;
  };
  const cache = new Map<string, string>();
  return (text) =>
    text.replace(HAN_RUN, (run) => {
      let fixed = cache.get(run);
      if (fixed === undefined) {
        fixed = fixRun(run);
        if (cache.size > 20_000) cache.clear();
        cache.set(run, fixed);
      }
      return fixed;
    });
}

/** A slip changes some characters, not all: 秘码 keeps 码 of 密码. Two unrelated words that merely sound alike share none. */
function sharesACharacter(typed: string, term: string): boolean {
  const a = [...typed];
  const b = [...term];
  return a.some((c, i) => c === b[i]);
}

/** Reads words typed in toneless pinyin as the knowledge base's terms ("yidong zizhuji fapiao" -> 移动 自助机 发票). */
export type PinyinReader = (normalizedText: string) => string;

/** A word made of toneless pinyin syllables (an initial, then a final), as a pinyin typist writes them. */
const PINYIN_WORD = /^(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|an|ao|ei|en|er|ia|ie|in|iu|ou|ua|ue|ui|un|uo|ve|a|e|i|o|u|v))+$/;

/** Most Latin words joined into one term's pinyin ("lian tong" -> 联通). Range 1-6; default 4. */
const MAX_PINYIN_WORDS = 4;
/** Shortest pinyin read as a term: two syllables at least ("mima"); a lone syllable is too often English or noise. Range 3-8; default 4. */
const MIN_PINYIN_LETTERS = 4;

/**
 * Visitors without a Chinese keyboard type the pinyin of what they mean ("yidong zizhuji fapiao mima wang le").
 * A run of Latin words whose letters, joined, spell the toneless pinyin of one KB term (keywords, synonym
 * terms) of two or more characters is read as that term. An English word on its own stays English ("long",
 * "pin"); a pinyin shared by two terms is ambiguous and stays as typed.
 */
export function buildPinyinReader(terms: Iterable<string>, isEnglishWord: (word: string) => boolean): PinyinReader {
  const byPinyin = new Map<string, string | null>();
  for (const term of terms) {
    const chars = [...term];
    if (chars.length < MIN_CHARS || chars.length > MAX_CHARS || !/^\p{Script=Han}+$/u.test(term)) continue;
    const key = syllables(term).join('');
    if (key.length < MIN_PINYIN_LETTERS || !/^[a-z]+$/.test(key)) continue;
    const seen = byPinyin.get(key);
    byPinyin.set(key, seen === undefined || seen === term ? term : null);
  }
  if (byPinyin.size === 0) return (t) => t;
  return (text) => {
    if (!/[a-z]{2}/.test(text)) return text;
    // Words and what separates them, so that what is not read as pinyin is given back as typed.
    const parts = text.split(/([a-z]+)/);
    // Only a message typed in pinyin: in an English sentence "fapiao" or "weixin" is a loanword the
    // synonyms already know, and the English around it decides. Words that are both (wang, long, same)
    // say nothing; of the rest, pinyin must be at least two words and twice the words that are not pinyin.
    const latin = parts.filter((_, i) => i % 2 === 1 && parts[i]!.length >= 2);
    const pinyinOnly = latin.filter((w) => PINYIN_WORD.test(w) && !isEnglishWord(w)).length;
    const notPinyin = latin.filter((w) => !PINYIN_WORD.test(w)).length;
    if (pinyinOnly < 2 || pinyinOnly < 2 * notPinyin) return text;
    let changed = false;
    for (let i = 1; i < parts.length; i += 2) {
      for (let n = MAX_PINYIN_WORDS; n >= 1; n--) {
        // The words i, i+2, ... joined by nothing but spaces.
        const words: string[] = [];
        let ok = true;
        for (let k = 0; k < n; k++) {
          const w = parts[i + 2 * k];
          if (w === undefined || (k > 0 && parts[i + 2 * k - 1] !== ' ')) { ok = false; break; }
          words.push(w);
        }
        if (!ok) continue;
        const joined = words.join('');
        const term = byPinyin.get(joined);
        if (!term || (n === 1 && isEnglishWord(joined))) continue;
        parts[i] = term;
        for (let k = 1; k < n; k++) { parts[i + 2 * k - 1] = ''; parts[i + 2 * k] = ''; }
        changed = true;
        i += 2 * (n - 1);
        break;
      }
    }
    if (!changed) return text;
    // What is left in pinyin is mostly the words of a sentence's frame (wo xiang, yao shen me, de, ma) that
    // no term holds: as Latin words no entry has, they would only count against every entry.
    // An English word of three letters or more among them stays (china mobile ... fapiao).
    for (let i = 1; i < parts.length; i += 2) {
      const w = parts[i]!;
      if (/^[a-z]+$/.test(w) && PINYIN_WORD.test(w) && (w.length <= 2 || !isEnglishWord(w))) parts[i] = '';
    }
    return parts.join('').replace(/\s+/g, ' ').trim();
  };
}
