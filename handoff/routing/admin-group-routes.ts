// Admin API for skill groups: list them with their hours, create or change one (name, business hours).
import { Hono } from 'hono';
import { PROVINCE_CATALOG } from './provinces.ts';
import { z } from 'zod';
import { limitBody } from '../http/body-limit.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import { ValidationError } from '../platform/errors.ts';
import { GROUP_ID, groupBodySchema, type Group, type Groups } from './groups.ts';
import type { Hub } from '../platform/hub.ts';
import { parseBody } from '../http/parse-body.ts';

export interface AdminGroupRoutesDeps {
  groups: Groups;
  hub: Hub;
  requireAgent: RequireAgent;
  /** Who created or changed which group; none in tests that do not read it. */
  audit?: AuditLog;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes?: number;
}

/**
 * groupBodySchema, strict (an unknown field is a 400 naming it, not silently dropped), and the name, shown
 * to agents in every queue, cleaned of control characters and direction overrides first.
 */
const putGroupSchema = z.strictObject({
  ...groupBodySchema.shape,
  name: z.string({ error: 'name must be a string' }).transform(cleanVisitorText).pipe(groupBodySchema.shape.name),
});

export function adminGroupRoutes({ groups, hub, requireAgent, audit, maxBodyBytes = 16_384 }: AdminGroupRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  const admin = requireAgent('admin');

  const describe = (g: Group) => {
    const hours = groups.hoursStatus(g);
    return {
      id: g.id, name: g.name, hours: g.hours, provinces: g.provinces, skills: g.skills,
      open: hours.open, ...(hours.open ? {} : { opensAt: hours.opensAt.toISOString() }),
    };
  };

  app.get('/api/admin/groups', admin, async (c) => c.json({ groups: (await groups.list()).map(describe), alwaysOpen: groups.options.alwaysOpen, provinces: PROVINCE_CATALOG }));

  app.put(
    '/api/admin/groups/:id',
    admin,
    limitBody(maxBodyBytes),
    async (c) => {
      const id = c.req.param('id');
      if (!GROUP_ID.test(id)) {
        throw new ValidationError('invalid_group_id', 'a group id is 1-32 lower-case letters, digits, - or _, starting with a letter or digit', 'id');
      }
      const input = parseBody(putGroupSchema, await readJsonBody(c));
      const { group, created } = await groups.put({ id, name: input.name, hours: input.hours, provinces: input.provinces ?? [], skills: input.skills ?? [] });
      await audit?.record(actorOf(c.var.agent), AuditAction.groupSaved, { type: 'group', id }, {
        created, name: group.name, hours: group.hours, provinces: group.provinces, skills: group.skills,
      });
      // Queue views show group names and hours: let them refetch.
      hub.publish('queue', { type: 'queue_changed' });
      return c.json({ group: describe(group) }, created ? 201 : 200);
    },
  );

  return app;
}
