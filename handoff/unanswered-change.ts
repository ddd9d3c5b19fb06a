// A knowledge-base change drafted from the unanswered inbox: its schema, the checks against the live KB, its YAML.
import { stringify } from 'yaml';
import { z } from 'zod';
import { contentLimits, entrySchema } from '../knowledge/schema.ts';
import { ValidationError } from './errors.ts';

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

/** Same format as knowledge/kb-change.ts: `changes:` of addQuestions and newEntry items. */
export const kbChangeSchema = z.strictObject({
  changes: z.array(z.union([addQuestions, newEntry])).min(1).max(50),
});

export type KbChange = z.output<typeof kbChangeSchema>;

/**
 * Checks the change against the live knowledge base: questions go to entries that exist, new entries take
 * ids that are free (in the KB and within the change). The editor applies the file later; this only spares
 * them a change that cannot apply.
 */
export function checkKbChange(change: KbChange, entryExists: (id: string) => boolean): void {
  const created = new Set<string>();
  change.changes.forEach((item, i) => {
    if ('addQuestions' in item) {
      const id = item.addQuestions.entry;
      if (!entryExists(id) && !created.has(id)) {
        throw new ValidationError('unknown_entry', `no knowledge-base entry has the id ${JSON.stringify(id)}`, `changes.${i}.addQuestions.entry`);
      }
    } else {
      const id = item.newEntry.entry.id;
      if (entryExists(id) || created.has(id)) {
        throw new ValidationError('entry_exists', `the id ${JSON.stringify(id)} is already taken`, `changes.${i}.newEntry.entry.id`);
      }
      created.add(id);
    }
  });
}

/**
 * The change as plain YAML (the yaml library's stringify of the same shape): the default when no serializer is
 * injected. The server injects knowledge/kb-change.ts's kbChangeToYaml, the format `npm run kb -- apply` reads.
 */
export function kbChangeToYaml(change: KbChange): string {
  return stringify(change, { lineWidth: 0 });
}
