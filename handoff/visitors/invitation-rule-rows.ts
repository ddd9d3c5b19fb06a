// The invitation_rules and invited_conversations rows as both engines read them, and what is made of them.
import type { InvitationRule } from './invitation-rules.ts';

export interface RuleRow {
  id: string;
  url_pattern: string;
  dwell_seconds: number;
  text_zh: string;
  text_en: string;
  enabled: number;
}

export interface InvitedRow {
  invitation_id: string;
  kind: 'agent' | 'rule';
}

export function toInvitationRule(r: RuleRow): InvitationRule {
  return { id: r.id, urlPattern: r.url_pattern, dwellSeconds: r.dwell_seconds, text: { zh: r.text_zh, en: r.text_en }, enabled: r.enabled === 1 };
}

export function toInvitedBy(row: InvitedRow | undefined): { invitationId: string; kind: 'agent' | 'rule' } | undefined {
  return row ? { invitationId: row.invitation_id, kind: row.kind } : undefined;
}
