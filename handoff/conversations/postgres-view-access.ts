// The view rule of view-access.ts (mayView) in PostgreSQL SQL: sqlite-view-access.ts for the postgres-* stores.
import type { ViewAccess } from './view-access.ts';

/**
 * The ids of the conversations a `held_or_queued_in_groups` viewer may view: held by them now, joined as a
 * colleague of the holder in the current holding (handoff/collaboration/, migration 007), or waiting in one of
 * their groups. `viewer` and `groups` are the placeholders (like `$3`, `$4`) the caller binds to viewAccessValues'
 * two values. Each arm names its status as a literal so the partial indexes of migration 001 (an agent's chats, a
 * group's queue) serve it. Any change here must be made to mayView and to sqlite-view-access.ts too;
 * postgres-transcript-store's tests compare this rule with mayView case by case.
 */
export function viewableConversationIds(viewer: string, groups: string): string {
  return `
    SELECT id FROM conversations WHERE status = 'assigned' AND agent_id = ${viewer}::text
    UNION ALL
    SELECT p.conversation_id FROM conversation_participants AS p JOIN conversations AS pc ON pc.id = p.conversation_id
    WHERE p.agent_id = ${viewer}::text AND p.state = 'joined'
      AND pc.status = 'assigned' AND pc.agent_id = p.owner_id AND pc.assigned_at = p.owner_assigned_at
    UNION ALL
    SELECT id FROM conversations WHERE status = 'queued' AND group_id = ANY(${groups}::text[])`;
}

/** The viewer's id and groups, bound in that order (unused, but bound, when the viewer sees every conversation). */
export function viewAccessValues(access: ViewAccess): [string | null, string[]] {
  return access.kind === 'every' ? [null, []] : [access.agentId, [...access.groups]];
}
