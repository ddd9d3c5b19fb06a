// Turns a FAQ draft into a knowledge-base change: the visitor's question as a new variant of the entry the bot suggested.
import { ValidationError } from '../platform/errors.ts';
import type { FaqDraft } from './faq-draft-store.ts';
import type { KbChange } from '../../knowledge/kb-change.ts';

/**
 * The default change for a draft: add its question to the suggested entry, in the draft's language. A draft
 * without a suggestion (or whose entry left the KB) needs the editor's own change (a new entry needs both
 * languages, which a draft never has), hence a 400 naming `change`.
 */
export function draftToChange(draft: FaqDraft, entryExists: (id: string) => boolean): KbChange {
  const entry = draft.suggestedEntry;
  if (entry === undefined || !entryExists(entry)) {
    throw new ValidationError(
      'change_required',
      entry === undefined
        ? 'this draft has no suggested entry: send a change (addQuestions to an entry, or newEntry with both languages)'
        : `the suggested entry ${JSON.stringify(entry)} is no longer in the knowledge base: send a change`,
      'change',
    );
  }
  return { changes: [{ addQuestions: { entry, lang: draft.lang, questions: [draft.question] } }] };
}
