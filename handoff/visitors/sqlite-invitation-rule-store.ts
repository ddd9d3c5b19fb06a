// The automatic invitation rules in SQLite (migration 013): replaced as a whole list, in order.
import { randomUUID } from 'node:crypto';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { toInvitationRule, toInvitedBy, type InvitedRow, type RuleRow } from './invitation-rule-rows.ts';
import type { InvitationRule, InvitationRuleStore } from './invitation-rules.ts';

export function createSqliteInvitationRuleStore(db: Db): InvitationRuleStore {
  const selectAll = db.prepare<[], RuleRow>('SELECT * FROM invitation_rules ORDER BY position');
  const deleteAll = db.prepare('DELETE FROM invitation_rules');
  const insert = db.prepare(`INSERT INTO invitation_rules (id, url_pattern, dwell_seconds, text_zh, text_en, enabled, position, updated_at)
    VALUES (@id, @urlPattern, @dwellSeconds, @zh, @en, @enabled, @position, @at)`);
  const insertInvited = db.prepare(`INSERT OR IGNORE INTO invited_conversations (conversation_id, invitation_id, kind, agent_id, rule_id, created_at)
    VALUES (@conversationId, @invitationId, @kind, @agentId, @ruleId, @at)`);
  const selectInvited = db.prepare<[string], InvitedRow>(
    'SELECT invitation_id, kind FROM invited_conversations WHERE conversation_id = ?',
  );
  // Read on every sweep: cached, refreshed on replace (the only writer on this node).
  let cache: InvitationRule[] | undefined;
  const replaceTx = db.transaction((rules: InvitationRule[], at: string) => {
    deleteAll.run();
    rules.forEach((r, position) =>
      insert.run({ id: r.id, urlPattern: r.urlPattern, dwellSeconds: r.dwellSeconds, zh: r.text.zh, en: r.text.en, enabled: r.enabled ? 1 : 0, position, at }),
    );
  });
  const store: InvitationRuleStore = {
    async list() {
      cache ??= selectAll.all().map(toInvitationRule);
      return cache.map((r) => ({ ...r, text: { ...r.text } }));
    },
    async replace(rules, at) {
      const withIds = rules.map((r) => ({ ...r, id: r.id ?? randomUUID() }));
      replaceTx(withIds, at.toISOString());
      cache = undefined;
      return store.list();
    },
    async markInvited(conversationId, invitation, at) {
      insertInvited.run({
        conversationId, invitationId: invitation.id, kind: invitation.kind,
        agentId: invitation.agentId ?? null, ruleId: invitation.ruleId ?? null, at: at.toISOString(),
      });
    },
    async invitedBy(conversationId) {
      const row = selectInvited.get(conversationId);
      return toInvitedBy(row);
    },
  };
  return gated(db, store);

}
