// Validates a JSON request body with a zod schema: the value, or a 400 naming the first bad field.
import type { z } from 'zod';
import { ValidationError } from '../platform/errors.ts';

/** Per field (dotted path): the code and message of the ValidationError when the field's value is wrong. */
export type FieldMessages = Record<string, { code: string; message: string }>;

/**
 * `code` of a custom issue (`params.code`) when set; `missing_field` for an absent required field;
 * `unknown_field` for a key a strict schema does not know; else `invalid_<field>` (dots as underscores).
 * The field is the issue's path joined with dots (`hours.open`); messages come from `messages`, else the schema.
 */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, messages: FieldMessages = {}): z.output<S> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('invalid_body', 'the request body must be a JSON object');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = [...issue.path, issue.keys[0] ?? ''].join('.');
    throw new ValidationError('unknown_field', `${key} is not a field of this request`, key);
  }
  const field = issue.path.map(String).join('.');
  if (issue.code === 'custom' && typeof issue.params?.code === 'string') {
    throw new ValidationError(issue.params.code, issue.message, field || undefined);
  }
  if (issue.path.length > 0 && valueAt(value, issue.path) === undefined) {
    throw new ValidationError('missing_field', `${field} is required`, field);
  }
  // A message for the exact field, else for its top-level field (a bad entry of `groups` is about `groups`).
  const top = String(issue.path[0] ?? '');
  // Own keys only: a field called `constructor` must not find Object.prototype.constructor.
  const named = Object.hasOwn(messages, field) ? field : Object.hasOwn(messages, top) ? top : undefined;
  if (named !== undefined) throw new ValidationError(messages[named]!.code, messages[named]!.message, named || undefined);
  const message = issue.message.startsWith('Invalid') || issue.message.startsWith('Too') ? `${field} is not valid` : issue.message;
  throw new ValidationError(`invalid_${field.replace(/\.\d+/g, '').replace(/\./g, '_')}`, message, field || undefined);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
