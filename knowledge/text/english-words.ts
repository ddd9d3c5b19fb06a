// The English word list (the word-list package, about 274k words), read once per process: the speller
// corrects only words that are not English words ("query" must not become "every").
import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';

let words: ReadonlySet<string> | undefined;

export function englishWords(): ReadonlySet<string> {
  words ??= new Set(readFileSync(wordListPath, 'utf8').split('\n'));
  return words;
}
