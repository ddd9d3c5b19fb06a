// Reads and validates JSON bodies of the agent API: 415 unless declared JSON, 400 naming the bad field.
import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/** Per top-level field: the code and message of a ValidationError when the field's value is wrong. */
export type FieldMessages = Record<string, { code: string; message: string }>;

/**
 * `value` through `schema`, or a ValidationError for the first problem: `missing_field`, `unknown_field`
 * (strict schemas), the code of a custom issue (`params.code`), else the field's entry in `messages`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, messages: FieldMessages): z.output<S> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('invalid_body', 'the request body must be a JSON object');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw new ValidationError('unknown_field', `${key} is not a field of this request`, key);
  }
  const field = String(issue.path[0] ?? '');
  if (issue.code === 'custom' && typeof issue.params?.code === 'string') {
    throw new ValidationError(issue.params.code, issue.message, field);
  }
  if (issue.code === 'invalid_type' && issue.path.length === 1 && (value as Record<string, unknown>)[field] === undefined) {
    throw new ValidationError('missing_field', `${field} is required`, field);
  }
  const rule = messages[field] ?? { code: 'invalid_value', message: `${field} is not valid` };
  throw new ValidationError(rule.code, rule.message, field);
}
