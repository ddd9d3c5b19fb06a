// A knowledge-base change sent by an editor (from the unanswered inbox or a FAQ draft): the request body's
// schema, stricter than the change file's (bounded, a new entry with both languages), and the checks
// against the live KB. The change itself is knowledge/kb-change.ts's KbChange, written by its kbChangeToYaml.
import { z } from 'zod';
import type { KbChange } from '../../knowledge/kb-change.ts';
import { contentLimits, entrySchema } from '../../knowledge/schema.ts';
import { ValidationError } from '../platform/errors.ts';

const question = z.string().trim().min(1).max(contentLimits.maxQuestionChars);
const answer = z.string().trim().min(1).max(contentLimits.maxAnswerChars);
const entryId = entrySchema.shape.id;

const addQuestions = z.strictObject({
  addQuestions: z.strictObject({
    entry: entryId,
    lang: z.enum(['zh', 'en']),
    questions: z.array(question).min(1).max(contentLimits.maxQuestions),
  }),
});

const newEntry = z.strictObject({
  newEntry: z.strictObject({
    /** A file under the knowledge folder's faq/, as `npm run kb -- apply` expects. */
    file: z.string().regex(/^faq\/[a-z0-9][a-z0-9_-]*\.yaml$/, 'must be a file like faq/billing.yaml'),
    entry: z.strictObject({
      id: entryId,
      questions: z.strictObject({
        zh: z.array(question).min(1).max(contentLimits.maxQuestions),
        en: z.array(question).min(1).max(contentLimits.maxQuestions),
      }),
      answer: z.strictObject({ zh: answer, en: answer }),
    }),
  }),
});

/** A change in a request body: knowledge/kb-change.ts's format (`changes:` of addQuestions and newEntry items), bounded. */
export const kbChangeRequestSchema = z.strictObject({
  changes: z.array(z.union([addQuestions, newEntry])).min(1).max(50),
});

// The request's shape is a KbChange: a check at compile time that the two formats stay one.
const _sameFormat: (change: z.output<typeof kbChangeRequestSchema>) => KbChange = (change) => change;
void _sameFormat;

/**
 * Checks the change against the live knowledge base: questions go to entries that exist, new entries take
 * ids that are free (in the KB and within the change). The editor applies the file later; this only spares
 * them a change that cannot apply.
 */
export function checkKbChange(change: KbChange, entryExists: (id: string) => boolean): void {
  const created = new Set<string>();
  change.changes.forEach((item, i) => {
    if (item.addQuestions) {
      const id = item.addQuestions.entry;
      if (!entryExists(id) && !created.has(id)) {
        throw new ValidationError('unknown_entry', `no knowledge-base entry has the id ${JSON.stringify(id)}`, `changes.${i}.addQuestions.entry`);
      }
    } else if (item.newEntry) {
      const id = item.newEntry.entry.id;
      if (entryExists(id) || created.has(id)) {
        throw new ValidationError('entry_exists', `the id ${JSON.stringify(id)} is already taken`, `changes.${i}.newEntry.entry.id`);
      }
      created.add(id);
    }
  });
}

