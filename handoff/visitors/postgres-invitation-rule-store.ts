// The automatic invitation rules on PostgreSQL: replaced as a whole list, in order, read fresh on every sweep.
import { randomUUID } from 'node:crypto';
import type { PgDb } from '../postgres/pg-db.ts';
import { toInvitationRule, toInvitedBy, type InvitedRow, type RuleRow } from './invitation-rule-rows.ts';
import type { InvitationRuleStore } from './invitation-rules.ts';

/** Two admins saving at once on two nodes: one whole list wins, never a mix of both (SQLite's write lock). */
const RULES_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('handoff/invitation-rules', 0))";

export function createPostgresInvitationRuleStore(db: PgDb): InvitationRuleStore {

  const store: InvitationRuleStore = {
    // No cache, unlike SQLite's store: another node may replace the rules, and the read (at most 50 short rows,
    // once a second by the sweep) costs less than keeping nodes in step would.
    async list() {
      return (await db.query<RuleRow>('SELECT * FROM invitation_rules ORDER BY position')).map(toInvitationRule);
    },
    async replace(rules, at) {
      const withIds = rules.map((r) => ({ ...r, id: r.id ?? randomUUID() }));
      await db.transaction(async () => {
        await db.query(RULES_LOCK);
        await db.run('DELETE FROM invitation_rules');
        for (const [position, r] of withIds.entries()) {
          await db.run(
            `INSERT INTO invitation_rules (id, url_pattern, dwell_seconds, text_zh, text_en, enabled, position, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [r.id, r.urlPattern, r.dwellSeconds, r.text.zh, r.text.en, r.enabled ? 1 : 0, position, at.toISOString()],
          );
        }
      });
      return store.list();
    },
    async markInvited(conversationId, invitation, at) {
      // The first invitation of a conversation is the one kept (SQLite's INSERT OR IGNORE).
      await db.run(
        `INSERT INTO invited_conversations (conversation_id, invitation_id, kind, agent_id, rule_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation_id) DO NOTHING`,
        [conversationId, invitation.id, invitation.kind, invitation.agentId ?? null, invitation.ruleId ?? null, at.toISOString()],
      );
    },
    async invitedBy(conversationId) {
      const row = await db.one<InvitedRow>(
        'SELECT invitation_id, kind FROM invited_conversations WHERE conversation_id = $1',
        [conversationId],
      );
      return toInvitedBy(row);
    },
  };
  return store;
}
