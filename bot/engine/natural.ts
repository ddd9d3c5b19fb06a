// The parts of `natural` the engine uses, loaded one by one.
// Why not `import natural from 'natural'`: its index also loads storage adapters that call
// dotenv.config(), which reads a .env file from the working directory and prints to stdout.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Tokenizer {
  tokenize(text: string): string[];
}

const { WordTokenizer } = require('natural/lib/natural/tokenizers/regexp_tokenizer.js') as { WordTokenizer: new () => Tokenizer };
const PorterStemmer = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(word: string): string };
const { DamerauLevenshteinDistance } = require('natural/lib/natural/distance/levenshtein_distance.js') as {
  DamerauLevenshteinDistance(a: string, b: string): number;
};
const { words: stopwords } = require('natural/lib/natural/util/stopwords.js') as { words: string[] };

export const wordTokenizer: Tokenizer = new WordTokenizer();
export const stem = (word: string): string => PorterStemmer.stem(word);
export const editDistance = (a: string, b: string): number => DamerauLevenshteinDistance(a, b);
export const englishStopwords: readonly string[] = stopwords;
