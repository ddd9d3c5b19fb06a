// Admin API for skill groups: list them with their hours, create or change one (name, business hours).
import { Hono } from 'hono';
import { limitBody } from './body-limit.ts';
import { readJsonBody } from './read-json-body.ts';
import type { AgentEnv, RequireAgent } from './agent-env.ts';
import { ValidationError } from './errors.ts';
import { GROUP_ID, groupBodySchema, type Group, type Groups } from './groups.ts';
import type { Hub } from './hub.ts';
import { parseBody } from './parse-body.ts';

export interface AdminGroupRoutesDeps {
  groups: Groups;
  hub: Hub;
  requireAgent: RequireAgent;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes?: number;
}

export function adminGroupRoutes({ groups, hub, requireAgent, maxBodyBytes = 16_384 }: AdminGroupRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  const admin = requireAgent('admin');

  const describe = (g: Group) => {
    const hours = groups.hoursStatus(g);
    return { id: g.id, name: g.name, hours: g.hours, open: hours.open, ...(hours.open ? {} : { opensAt: hours.opensAt.toISOString() }) };
  };

  app.get('/api/admin/groups', admin, async (c) => c.json({ groups: (await groups.list()).map(describe), alwaysOpen: groups.options.alwaysOpen }));

  app.put(
    '/api/admin/groups/:id',
    admin,
    limitBody(maxBodyBytes),
    async (c) => {
      const id = c.req.param('id');
      if (!GROUP_ID.test(id)) {
        throw new ValidationError('invalid_group_id', 'a group id is 1-32 lower-case letters, digits, - or _, starting with a letter or digit', 'id');
      }
      const input = parseBody(groupBodySchema, await readJsonBody(c));
      const { group, created } = await groups.put({ id, name: input.name, hours: input.hours });
      // Queue views show group names and hours: let them refetch.
      hub.publish('queue', { type: 'queue_changed' });
      return c.json({ group: describe(group) }, created ? 201 : 200);
    },
  );

  return app;
}
