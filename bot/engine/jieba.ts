// Chinese word segmentation and general-language word weights from jieba's dictionaries.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

const require = createRequire(import.meta.url);

export interface ChineseLexicon {
  /** Words of a Chinese text; HMM off so unknown character runs stay single characters, not guessed words. */
  cut(text: string): string[];
  /**
   * Inverse document frequency of a word in general Chinese text (jieba's idf.txt, from a large
   * corpus): 几乎 5.0, 以后 4.3 are everyday words; 宽带 9.6, 月租 11.0 carry meaning. Undefined for
   * words the list lacks.
   */
  generalIdf(word: string): number | undefined;
  /** jieba's part-of-speech tag of a word (n, v, ns, ...), undefined for a stretch it reads as several words. */
  partOfSpeech(word: string): string | undefined;
}

let lexicon: ChineseLexicon | undefined;

/** jieba's default dictionary (about 350k words) and idf list, read once per process (~0.3 s) at engine build. */
export function loadChineseLexicon(): ChineseLexicon {
  if (lexicon) return lexicon;
  const { dict } = require('@node-rs/jieba/dict.js') as { dict: Uint8Array };
  const jieba = Jieba.withDict(dict);
  const idf = new Map<string, number>();
  for (const line of readFileSync(require.resolve('@node-rs/jieba/idf.txt'), 'utf8').split('\n')) {
    const space = line.lastIndexOf(' ');
    if (space > 0) idf.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  const tags = new Map<string, string | undefined>();
  const partOfSpeech = (word: string) => {
    if (tags.has(word)) return tags.get(word);
    const tagged = jieba.tag(word, false);
    const tag = tagged.length === 1 ? tagged[0]!.tag : undefined;
    if (tags.size > 100_000) tags.clear();
    tags.set(word, tag);
    return tag;
  };
  lexicon = { cut: (text) => jieba.cut(text, false), generalIdf: (word) => idf.get(word), partOfSpeech };
  return lexicon;
}
