// Admins' automatic invitation rules (page path glob + dwell time + text per language), stored in SQLite (013).
import picomatch from 'picomatch';
import { z } from 'zod';
import { ValidationError } from '../platform/errors.ts';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';

export interface InvitationRule {
  id: string;
  /** A glob on the page path: `*` any characters but `/`, `**` any characters; `/broadband/*`. */
  urlPattern: string;
  /** Seconds on one matching page before the invitation. Range 5-3600. */
  dwellSeconds: number;
  text: { zh: string; en: string };
  enabled: boolean;
}

/** Rules kept at most: each is checked on every sweep for every visitor. */
export const MAX_INVITATION_RULES = 50;
const MAX_RULE_TEXT = 200;

export interface InvitationRuleStore {
  list(): Promise<InvitationRule[]>;
  /** Replaces every rule (the admin screen saves the whole list); a rule without id gets one. */
  replace(rules: ReadonlyArray<Omit<InvitationRule, 'id'> & { id?: string | undefined }>, at: Date): Promise<InvitationRule[]>;
  /** Marks a conversation as started from an invitation. */
  markInvited(conversationId: string, invitation: { id: string; kind: 'agent' | 'rule'; agentId?: string; ruleId?: string }, at: Date): Promise<void>;
  invitedBy(conversationId: string): Promise<{ invitationId: string; kind: 'agent' | 'rule' } | undefined>;
}

/** Compiled matchers by pattern: rules are few (MAX_INVITATION_RULES) and checked every sweep. */
const matchers = new Map<string, picomatch.Matcher>();

/**
 * A path glob (picomatch): `*` matches within one path segment, `**` any number of segments (`/**` is every
 * page, `/broadband/*` the pages right under /broadband/). Case-sensitive, like paths.
 */
export function matchesUrlPattern(pattern: string, path: string): boolean {
  let match = matchers.get(pattern);
  if (!match) {
    if (matchers.size >= 4 * MAX_INVITATION_RULES) matchers.clear();
    match = picomatch(pattern);
    matchers.set(pattern, match);
  }
  return match(path);
}

const ruleText = z.string().max(MAX_RULE_TEXT * 4).transform(cleanVisitorText).pipe(z.string().min(1).max(MAX_RULE_TEXT));
const ruleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  urlPattern: z.string().regex(/^\/[\x21-\x7e]{0,199}$/),
  dwellSeconds: z.number().int().min(5).max(3600),
  text: z.strictObject({ zh: ruleText, en: ruleText }),
  enabled: z.boolean(),
});
const rulesBody = z.strictObject({ rules: z.array(ruleSchema).max(MAX_INVITATION_RULES) });

/** PUT /api/admin/invitation-rules body -> rules, or a ValidationError naming the field (`rules.0.dwellSeconds`). */
export function parseInvitationRules(body: unknown): Array<Omit<InvitationRule, 'id'> & { id?: string | undefined }> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'the request body must be a JSON object { rules: [...] }');
  }
  const parsed = rulesBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      const key = issue.keys[0] ?? '';
      throw new ValidationError('unknown_field', `${key} is not a field of this request`, key);
    }
    const field = issue.path.map(String).join('.') || 'rules';
    const last = String(issue.path.at(-1) ?? '');
    const hint: Record<string, string> = {
      urlPattern: 'urlPattern must be a path glob starting with / (at most 200 printable characters), e.g. /broadband/*',
      dwellSeconds: 'dwellSeconds must be a whole number from 5 to 3600',
      zh: `text.zh must be 1-${MAX_RULE_TEXT} characters`,
      en: `text.en must be 1-${MAX_RULE_TEXT} characters`,
      enabled: 'enabled must be true or false',
      id: 'id must be 1-64 of A-Z, a-z, 0-9, _ and -',
    };
    throw new ValidationError('invalid_rule', hint[last] ?? `rules must be a list of at most ${MAX_INVITATION_RULES} { urlPattern, dwellSeconds, text: { zh, en }, enabled }`, field);
  }
  const ids = new Set<string>();
  for (const [i, r] of parsed.data.rules.entries()) {
    if (r.id === undefined) continue;
    if (ids.has(r.id)) throw new ValidationError('duplicate_rule', `rule id ${r.id} appears twice`, `rules.${i}.id`);
    ids.add(r.id);
  }
  return parsed.data.rules;
}
