// The audit rows of an account change (admin API and CLI alike): one row per kind of change, never the password.
import type { AgentPatchInput } from './agent-input.ts';
import type { AgentRecord } from './agent-store.ts';
import { AuditAction, type AuditActor, type AuditLog } from '../supervision/audit-log.ts';

const target = (agent: AgentRecord) => ({ type: 'agent', id: agent.id });

export async function auditAgentCreated(audit: AuditLog, actor: AuditActor, agent: AgentRecord): Promise<void> {
  await audit.record(actor, AuditAction.agentCreated, target(agent), {
    username: agent.username,
    role: agent.role,
    groups: agent.groups,
    capacity: agent.capacity,
  });
}

/**
 * Role, disable/enable and password reset each get their own row (the ones an audit is read for); the other
 * fields one `agent.updated` row naming them, with the groups before and after when those changed.
 */
export async function auditAgentUpdated(audit: AuditLog, actor: AuditActor, before: AgentRecord, after: AgentRecord, patch: AgentPatchInput): Promise<void> {
  const about = { username: after.username };
  if (after.role !== before.role) {
    await audit.record(actor, AuditAction.agentRoleChanged, target(after), { ...about, from: before.role, to: after.role });
  }
  if (after.disabled !== before.disabled) {
    await audit.record(actor, after.disabled ? AuditAction.agentDisabled : AuditAction.agentEnabled, target(after), about);
  }
  if (patch.password !== undefined) await audit.record(actor, AuditAction.agentPasswordReset, target(after), about);

  const changed: string[] = [];
  if (after.displayName !== before.displayName) changed.push('displayName');
  if (after.capacity !== before.capacity) changed.push('capacity');
  const groupsChanged = after.groups.join(',') !== before.groups.join(',');
  if (groupsChanged) changed.push('groups');
  if (changed.length === 0) return;
  await audit.record(actor, AuditAction.agentUpdated, target(after), {
    ...about,
    fields: changed,
    ...(after.capacity !== before.capacity ? { capacity: { from: before.capacity, to: after.capacity } } : {}),
    ...(groupsChanged ? { groups: { from: before.groups, to: after.groups } } : {}),
  });
}
