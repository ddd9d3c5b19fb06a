// The audit log in words: display names instead of ids, a template per action in each language, and a plain
// fallback for an action without one.
import { expect, it } from 'vitest';
import type { AuditEntry } from '../../../handoff/http/wire.ts';
import { STRINGS } from '../console-strings.ts';
import { auditSentence } from './audit-sentence.ts';

const names = {
  agents: new Map([['u-alice', 'Alice'], ['u-bob', 'Bob']]),
  groups: new Map([['broadband', '宽带组']]),
};
const entry = (action: string, target: AuditEntry['target'], details: Record<string, unknown> = {}): AuditEntry =>
  ({ id: 1, at: '2026-12-07T10:00:00Z', actor: { id: 'u-alice', displayName: 'alice-old' }, action, target, details }) as AuditEntry;

it('says who changed whose role, by display name, in both languages', () => {
  const e = entry('agent.role_changed', { type: 'agent', id: 'u-bob' }, { username: 'bob', from: 'agent', to: 'admin' });
  expect(auditSentence(e, names, STRINGS.en.audit.says)).toBe("Alice changed Bob's role to admin");
  expect(auditSentence(e, names, STRINGS.zh.audit.says)).toBe('Alice 将 Bob 的角色改为 admin');
});

it('falls back to the kept username and the stored actor name for accounts it does not know', () => {
  const e = { ...entry('agent.disabled', { type: 'agent', id: 'u-gone' }, { username: 'carol' }), actor: { id: 'u-x', displayName: 'Xu' } };
  expect(auditSentence(e, names, STRINGS.en.audit.says)).toBe('Xu disabled carol');
});

it('names groups by their name and reads an action without a template plainly', () => {
  expect(auditSentence(entry('group.saved', { type: 'group', id: 'broadband' }), names, STRINGS.en.audit.says)).toBe('Alice saved the group 宽带组');
  expect(auditSentence(entry('privacy.transcripts_expired', { type: 'system', id: null }), names, STRINGS.en.audit.says)).toBe('Alice: privacy.transcripts_expired');
});

it('says a colleague gone offline was taken out of a chat by the system, and a leave by hand as before', () => {
  const bySystem = { ...entry('colleague.left', { type: 'conversation', id: 'c-1' }, { agent: 'u-bob', agentName: 'Bob', reason: 'offline' }), actor: { id: null, displayName: 'system' } };
  expect(auditSentence(bySystem, names, STRINGS.en.audit.says)).toMatch(/^Bob went offline and was taken out of the chat .*c-1.* by the system$/);
  expect(auditSentence(bySystem, names, STRINGS.zh.audit.says)).toMatch(/^Bob 已离线，系统让其离开了会话 .*c-1/);
  expect(auditSentence(entry('colleague.left', { type: 'conversation', id: 'c-1' }), names, STRINGS.en.audit.says)).toMatch(/^Alice left the chat .*c-1/);
});
