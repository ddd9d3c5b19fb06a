// Admin API of the supervisors' monitor: the live figures, and following any active chat read-only.
import { Hono, type Context } from 'hono';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import type { Hub } from '../platform/hub.ts';
import type { Monitor } from './monitor.ts';
import type { RoutingStore } from '../routing/routing-store.ts';
import { actorOf, AuditAction, type AuditLog } from './audit-log.ts';

export interface MonitorRoutesDeps {
  monitor: Monitor;
  /** Whether the conversation exists and is still open (a closed chat has nothing left to follow). */
  store: Pick<RoutingStore, 'get'>;
  hub: Hub;
  requireAgent: RequireAgent;
  /** A row when a watch starts (never per event it delivers); none in tests that do not read it. */
  audit?: AuditLog;
}

/** Longer ids cannot be ours (UUIDs are 36). */
const MAX_ID_LENGTH = 128;

/**
 * GET    /api/admin/monitor                  agents (presence, load), queue, active chats
 * POST   /api/admin/monitor/:id/watch        this admin session's live stream follows the chat read-only
 * DELETE /api/admin/monitor/:id/watch        ... and stops following it
 *
 * Watching changes only what the admin's own stream (GET /api/agent/events, same session) receives: the
 * transcript itself is GET /api/agent/conversations/:id (admins may read any), writing stays with the holder
 * (routing refuses a non-holder's message with 409, typing with 403), and the visitor is told nothing.
 * A watch lasts as long as the stream; the console watches again after a reconnect (`ready`).
 */
export function monitorRoutes({ monitor, store, hub, requireAgent, audit }: MonitorRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  const admin = requireAgent('admin');

  app.get('/api/admin/monitor', admin, async (c) => c.json(await monitor.snapshot()));

  app.post('/api/admin/monitor/:id/watch', admin, async (c) => {
    const conversationId = idOf(c);
    const row = await store.get(conversationId);
    if (row.status === 'closed') throw new ConflictError(`monitor: conversation ${conversationId} is closed`, 'closed');
    // Watching is reading a chat live: audited when it starts (and again when the console re-watches after a
    // reconnect), not per message it then delivers.
    await audit?.record(actorOf(c.var.agent), AuditAction.conversationWatched, { type: 'conversation', id: conversationId }, {
      status: row.status,
      ...(row.agentId && row.status === 'assigned' ? { holder: row.agentId } : {}),
    });
    publishWatch(c, conversationId, true);
    return c.json({ conversationId, watching: true, status: row.status });
  });

  app.delete('/api/admin/monitor/:id/watch', admin, async (c) => {
    const conversationId = idOf(c);
    // Stopping needs no lookup: a chat closed or erased meanwhile is simply no longer followed.
    publishWatch(c, conversationId, false);
    return c.json({ conversationId, watching: false });
  });

  function publishWatch(c: Context<AgentEnv>, conversationId: string, watching: boolean): void {
    const agentId = c.var.agent.id;
    hub.publish(`agent:${agentId}`, { type: 'watch', agentId, sessionId: c.var.session.id, conversationId, watching });
  }

  return app;
}

function idOf(c: Context<AgentEnv>): string {
  const id = c.req.param('id') ?? '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('monitor: no such conversation');
  return id;
}
