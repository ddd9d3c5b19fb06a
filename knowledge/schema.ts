// The shape of each knowledge file, as zod schemas; consistency across files is check-knowledge.ts.
import { z } from 'zod';

/** Size limits that keep one careless edit from slowing every answer. */
export const contentLimits = {
  /** Characters per question. Range 2-200; default 120. */
  maxQuestionChars: 120,
  /** Characters per answer. Range 50-4000; default 1500. */
  maxAnswerChars: 1500,
  /** Question variants per language per entry. Range 1-100; default 40. */
  maxQuestions: 40,
  /** Variants an entry should have: editors get a warning below these. */
  minQuestions: { zh: 5, en: 3 },
};

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `longer than ${max} characters`);
const idPattern = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)+$/;
const id = z.string().regex(idPattern, 'must be a dotted lower-case id like "recharge.sms-topup"');
const bilingual = <T extends z.ZodTypeAny>(t: T) => z.strictObject({ zh: t, en: t });
const questionList = z.array(text(contentLimits.maxQuestionChars)).min(1, 'needs at least one question').max(contentLimits.maxQuestions);

export const entrySchema = z.strictObject({
  id,
  questions: bilingual(questionList),
  keywords: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  answer: bilingual(text(contentLimits.maxAnswerChars)),
  followups: z.array(id).default([]),
  valid_until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').optional(),
  group: z.string().optional(),
  tailor: z.enum(['agent_hours']).optional(),
});

export const faqFileSchema = z.strictObject({
  topic: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case topic id'),
  label: bilingual(text(40)),
  group: z.string().optional(),
  entries: z.array(entrySchema).min(1, 'a topic file needs at least one entry'),
});

export const ruleSchema = z.strictObject({
  id,
  action: z.enum(['handoff', 'reply']),
  /** handoff: requested | complaint | account_action; reply: smalltalk (default) | unsafe | password | out_of_scope. */
  reason: z.enum(['requested', 'complaint', 'account_action', 'smalltalk', 'unsafe', 'password', 'out_of_scope']).optional(),
  /** Store the visitor's message masked (a password typed into the chat). */
  redact: z.boolean().default(false),
  exact: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  patterns: z.array(z.string().min(1)).default([]),
  unless: z.array(z.string().min(1)).default([]),
  max_length: z.number().int().positive().optional(),
  unless_after: z.array(z.string()).default([]),
  reply: bilingual(text(600)).optional(),
});

export const answerTypeSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  /** Patterns that mark a question as asking for this type (a price, a duration...). */
  asks: z.array(z.string().min(1)).min(1),
  /** An answer can serve such a question only if it matches one of these (either language). */
  answers: z.array(z.string().min(1)).min(1),
});

export const rulesFileSchema = z.strictObject({ rules: z.array(ruleSchema), answer_types: z.array(answerTypeSchema).default([]) });

const contrastSides = z
  .array(z.union([z.string(), z.array(z.string()).min(1)]).transform((side) => (Array.isArray(side) ? side : [side])))
  .min(2, 'a contrast needs two or more sides');

export const synonymsFileSchema = z.strictObject({
  groups: z.array(z.array(z.union([z.string(), z.number()]).transform(String)).min(2, 'a group needs two or more terms')),
  /** Each contrast lists sides that exclude each other; a side is one term or a list of terms meaning the same. */
  contrasts: z
    .array(
      z.union([
        contrastSides.transform((sides) => ({ sides, sticky: false })),
        z.strictObject({ sides: contrastSides, sticky: z.boolean().default(false), default: z.number().int().min(0).optional() }),
      ]),
    )
    .default([]),
});

export const messagesFileSchema = z.strictObject({
  messages: z.record(z.string(), bilingual(text(600))),
});

/** Messages the engine and the API cannot do without. */
export const requiredMessages = ['fallback', 'clarify', 'handoff_low_confidence', 'password_warning'] as const;

const expectation = z.string().min(1);
const turnSchema = z.strictObject({
  ask: z.union([z.string(), z.number()]).transform(String),
  lang: z.enum(['zh', 'en']).optional(),
  expect: expectation,
  /** With `expect: answer`: key terms the right reply must contain (blind cases name no entry). */
  terms: z.array(z.union([z.string().min(1), z.number()]).transform(String)).min(1).optional(),
  why: z.string().optional(),
});

export const testFileSchema = z.strictObject({
  thresholds: z.strictObject({ overall: z.number().min(0).max(1), per_topic: z.number().min(0).max(1) }).optional(),
  cases: z.array(
    z.union([
      turnSchema.extend({ name: z.string().optional(), topic: z.string().optional() }),
      z.strictObject({ name: z.string().optional(), topic: z.string().optional(), turns: z.array(turnSchema).min(1) }),
    ]),
  ),
});
