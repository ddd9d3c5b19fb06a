// An editor's small change to a FAQ file: one more English question on its first entry, a new one each
// round, so every save gives the knowledge base a new version.
import { readFile, writeFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument } from 'yaml';

export interface PreparedEdit {
  file: string;
  /** The new file contents; `write()` saves them in place, as an editor does. */
  text: string;
  write(): Promise<void>;
}

/** Reads `file` and prepares the edited text (the parse and print are not part of any timing). */
export async function prepareEdit(file: string, round: number): Promise<PreparedEdit> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const entries = doc.get('entries');
  const first = isSeq(entries) ? entries.items[0] : undefined;
  const questions = isMap(first) ? first.get('questions') : undefined;
  const en = isMap(questions) ? questions.get('en') : undefined;
  if (!isSeq(en)) throw new Error(`bench reload: ${file} has no entries[0].questions.en list to add a question to`);
  en.add(doc.createNode(`what changed in reload check number ${round}`));
  const text = doc.toString({ lineWidth: 0 });
  return { file, text, write: () => writeFile(file, text) };
}
