// The view rule of view-access.ts (mayView) in SQL, for queries that must return only what the viewer may open.
import type { ViewAccess } from './view-access.ts';

/**
 * The ids of the conversations a `held_or_queued_in_groups` viewer may view: held by them now, joined as a
 * colleague of the holder in the current holding (handoff/collaboration/, migration 023: the participation's
 * owner and time are the conversation's holder and assigned_at), or waiting in one of their groups. Binds
 * `@viewerId` and `@viewerGroups` (a JSON array), from viewAccessParams. Each arm names its status as a literal so
 * SQLite uses the partial indexes of migration 006 (an agent's chats, a group's queue); the colleague arm starts
 * from the agent's participations (conversation_participants_by_agent). Any change here must be made to mayView
 * too: view-access.test.ts compares them case by case.
 */
export const VIEWABLE_CONVERSATION_IDS = `
  SELECT id FROM conversations WHERE status = 'assigned' AND agent_id = @viewerId
  UNION ALL
  SELECT p.conversation_id FROM conversation_participants AS p JOIN conversations AS pc ON pc.id = p.conversation_id
  WHERE p.agent_id = @viewerId AND p.state = 'joined'
    AND pc.status = 'assigned' AND pc.agent_id = p.owner_id AND pc.assigned_at = p.owner_assigned_at
  UNION ALL
  SELECT id FROM conversations WHERE status = 'queued' AND group_id IN (SELECT value FROM json_each(@viewerGroups))`;

export interface ViewAccessParams {
  viewerId: string | null;
  viewerGroups: string;
}

/** The parameters VIEWABLE_CONVERSATION_IDS binds (unused, but bound, when the viewer sees every conversation). */
export function viewAccessParams(access: ViewAccess): ViewAccessParams {
  return access.kind === 'every'
    ? { viewerId: null, viewerGroups: '[]' }
    : { viewerId: access.agentId, viewerGroups: JSON.stringify(access.groups) };
}
