// The audit log in words for the admin screen: "Alice changed Bob's role to admin", with display names for the
// accounts and groups a row names, instead of action codes and ids.
import type { AuditEntry } from '../../../handoff/http/wire.ts';

/** What a sentence may name: the actor, the target in words, and the details a template reads. */
export interface AuditWords {
  actor: string;
  target: string;
  details: Record<string, unknown>;
}

/** One template per action, per language; an action without one reads as "actor: action target". */
export type AuditTemplates = Record<string, (w: AuditWords) => string>;

/** Display names by id: accounts and groups the console knows. */
export interface AuditNames {
  agents: ReadonlyMap<string, string>;
  groups: ReadonlyMap<string, string>;
}

/** The target in words: an account's or group's display name, else the name the row kept, else type and id. */
export function targetName(entry: AuditEntry, names: AuditNames): string {
  const id = entry.target.id ?? '';
  const username = typeof entry.details.username === 'string' ? entry.details.username : undefined;
  if (entry.target.type === 'agent') return names.agents.get(id) ?? username ?? id;
  if (entry.target.type === 'group') return names.groups.get(id) ?? id;
  const shortcut = typeof entry.details.shortcut === 'string' ? entry.details.shortcut : undefined;
  return shortcut ?? id;
}

export function auditSentence(entry: AuditEntry, names: AuditNames, templates: AuditTemplates): string {
  const words: AuditWords = {
    actor: (entry.actor.id && names.agents.get(entry.actor.id)) || entry.actor.displayName,
    target: targetName(entry, names),
    details: entry.details as Record<string, unknown>,
  };
  const template = templates[entry.action];
  return template ? template(words) : `${words.actor}: ${entry.action}${words.target ? ` ${words.target}` : ''}`;
}
