// Admin group API through app.request(): list groups with hours, change hours, add a group.
import { afterEach, describe, expect, it } from 'vitest';
import { routingKit, type RoutingKit } from '../testing/routing-test-kit.ts';

let kit: RoutingKit;
afterEach(() => kit.close());

describe('admin group routes', () => {
  it('lists the seeded groups with their hours and whether they are open now', async () => {
    kit = routingKit({ start: new Date('2025-03-03T21:31:00+08:00') });
    kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    const { status, json } = await kit.request('/api/admin/groups', { agent: 'boss' });
    expect(status).toBe(200);
    expect(json.alwaysOpen).toBe(false);
    expect(json.groups.map((g: { id: string }) => g.id)).toEqual(['billing', 'broadband', 'mobile']);
    expect(json.groups[2]).toEqual({
      id: 'mobile',
      name: '移动业务 Mobile',
      hours: { timeZone: 'Asia/Shanghai', open: '08:30', close: '21:30', days: [1, 2, 3, 4, 5, 6, 7] },
      // Seeded as the mobile subject's group, nationally (migration 016).
      provinces: [],
      skills: ['mobile'],
      open: false,
      opensAt: '2025-03-04T00:30:00.000Z',
    });
  });

  it('changes a group’s hours (9:00-22:00 for Xinjiang) and adds a group; routing follows at once', async () => {
    kit = routingKit({ start: new Date('2025-03-03T21:31:00+08:00') });
    kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    kit.agents.add({ id: 'a', groups: ['mobile'] });
    await kit.online('a');
    expect((await kit.routing.availability('mobile')).kind).toBe('outside_hours');
    const queueEvents = kit.hub.on('queue', 'queue_changed').length;
    const changed = await kit.request('/api/admin/groups/mobile', {
      method: 'PUT',
      agent: 'boss',
      body: { name: '移动业务（新疆）', hours: { open: '09:00', close: '22:00' } },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.group).toMatchObject({ id: 'mobile', name: '移动业务（新疆）', open: true, hours: { timeZone: 'Asia/Shanghai', open: '09:00', close: '22:00' } });
    expect((await kit.routing.availability('mobile')).kind).toBe('open');
    expect(kit.hub.on('queue', 'queue_changed')).toHaveLength(queueEvents + 1);

    const created = await kit.request('/api/admin/groups/enterprise', {
      method: 'PUT',
      agent: 'boss',
      body: { name: 'Enterprise', hours: { open: '09:00', close: '18:00', days: [1, 2, 3, 4, 5] } },
    });
    expect(created.status).toBe(201);
    expect((await kit.groups.get('enterprise'))?.hours.days).toEqual([1, 2, 3, 4, 5]);
  });

  it('400 naming the field for bad input; 403 for agents', async () => {
    kit = routingKit();
    kit.agents.add({ id: 'boss', role: 'admin', groups: [] });
    kit.agents.add({ id: 'a' });
    const put = (id: string, body: unknown, agent = 'boss') => kit.request(`/api/admin/groups/${id}`, { method: 'PUT', agent, body });
    expect((await put('mobile', { name: 'x', hours: { open: '09:00', close: '22:00' } }, 'a')).status).toBe(403);
    for (const [id, body, field] of [
      ['Bad Id', { name: 'x', hours: { open: '09:00', close: '22:00' } }, 'id'],
      ['mobile', { hours: { open: '09:00', close: '22:00' } }, 'name'],
      ['mobile', { name: ' ', hours: { open: '09:00', close: '22:00' } }, 'name'],
      ['mobile', { name: 'x' }, 'hours'],
      ['mobile', { name: 'x', hours: { open: '9am', close: '22:00' } }, 'hours.open'],
      ['mobile', { name: 'x', hours: { open: '09:00', close: '09:00' } }, 'hours.close'],
      ['mobile', { name: 'x', hours: { open: '09:00', close: '22:00', days: [8] } }, 'hours.days.0'],
      ['mobile', { name: 'x', hours: { open: '09:00', close: '22:00', timeZone: 'Nowhere/City' } }, 'hours.timeZone'],
    ] as const) {
      const res = await put(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.field).toBe(field);
    }
    expect((await kit.groups.get('mobile'))?.name).toBe('移动业务 Mobile');
  });
});
