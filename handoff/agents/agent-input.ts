// The shape of agent account input (admin API and CLI alike): username, name, role, groups, capacity.
import { z } from 'zod';
import type { AgentRole } from './agent.ts';
import { normalizeUsername } from './agent-store.ts';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import { parseBody, type FieldMessages } from '../http/parse-body.ts';

/** Letters and digits of any script, then also . _ @ -; 1-64 characters after normalization. */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u;
/** Group ids as routing knows them: mobile, broadband, billing, xinjiang-mobile ... */
const GROUP_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** Most groups one agent belongs to. */
const MAX_GROUPS = 20;
/** Most chats one agent may hold at once. */
export const MAX_CAPACITY = 50;
/** Chats held at once when not given. */
export const DEFAULT_CAPACITY = 3;
const MAX_DISPLAY_NAME = 64;
/** Passwords are checked by checkNewPassword; this only bounds what is read. */
const MAX_PASSWORD_INPUT = 1024;

const username = z.string().transform(normalizeUsername).pipe(z.string().regex(USERNAME));
const displayName = z
  .string()
  // Control characters and direction overrides have no place in a name shown to visitors.
  .transform(cleanVisitorText)
  .pipe(z.string().min(1).refine((s) => [...s].length <= MAX_DISPLAY_NAME));
const role = z.enum(['agent', 'editor', 'admin']);
const groups = z
  .array(z.string().trim().toLowerCase().pipe(z.string().regex(GROUP_ID)))
  .max(MAX_GROUPS)
  .transform((list) => [...new Set(list)]);
const capacity = z.number().int().min(0).max(MAX_CAPACITY);
const password = z.string().max(MAX_PASSWORD_INPUT);

const MESSAGES: FieldMessages = {
  username: {
    code: 'invalid_username',
    message: 'username must be 1-64 letters or digits (also . _ @ -), starting with a letter or digit',
  },
  displayName: { code: 'invalid_display_name', message: `displayName must be 1-${MAX_DISPLAY_NAME} characters` },
  role: { code: 'invalid_role', message: 'role must be "agent", "editor" or "admin"' },
  groups: {
    code: 'invalid_groups',
    message: `groups must be a list of at most ${MAX_GROUPS} group ids (lower case letters, digits, _ and -)`,
  },
  capacity: { code: 'invalid_capacity', message: `capacity must be an integer from 0 to ${MAX_CAPACITY}` },
  disabled: { code: 'invalid_disabled', message: 'disabled must be true or false' },
  password: { code: 'invalid_password', message: `password must be a string of at most ${MAX_PASSWORD_INPUT} characters` },
};

export interface NewAgentInput {
  username: string;
  displayName: string;
  role: AgentRole;
  groups: string[];
  capacity: number;
  password: string;
}

export interface AgentPatchInput {
  displayName?: string;
  role?: AgentRole;
  groups?: string[];
  capacity?: number;
  disabled?: boolean;
  password?: string;
}

const newAgentSchema = z.strictObject({
  username,
  displayName,
  role: role.default('agent'),
  groups: groups.default([]),
  capacity: capacity.default(DEFAULT_CAPACITY),
  password,
});

const patchSchema = z
  .strictObject({
    displayName: displayName.optional(),
    role: role.optional(),
    groups: groups.optional(),
    capacity: capacity.optional(),
    disabled: z.boolean().optional(),
    password: password.optional(),
  })
  .superRefine((patch, ctx) => {
    if (Object.values(patch).every((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'nothing to change: send at least one field', params: { code: 'empty_patch' } });
    }
  });

/** A new agent's fields, defaults filled in (role agent, no groups, capacity 3); the password is checked later. */
export function parseNewAgent(body: unknown): NewAgentInput {
  return parseBody(newAgentSchema, body, MESSAGES);
}

export function parseAgentPatch(body: unknown): AgentPatchInput {
  const parsed = parseBody(patchSchema, body, MESSAGES);
  const patch: AgentPatchInput = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== undefined) (patch as Record<string, unknown>)[key] = value;
  }
  return patch;
}
