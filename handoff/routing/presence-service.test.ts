import { describe, expect, it } from 'vitest';
import { createPresenceService } from './presence-service.ts';
import { manualTime, recordingHub } from '../testing/routing-test-kit.ts';

function setup(graceMs = 30_000) {
  const time = manualTime();
  const hub = recordingHub();
  const changes: string[] = [];
  const presence = createPresenceService({ hub, timers: time.timers }, { graceMs });
  presence.onChange((id, status, previous) => changes.push(`${id}:${previous}->${status}`));
  return { time, hub, presence, changes };
}

describe('presence service', () => {
  it('is offline before any sign of the agent, online on the first connection', () => {
    const { presence, hub, changes } = setup();
    expect(presence.status('a')).toBe('offline');
    presence.connected('a');
    expect(presence.status('a')).toBe('online');
    expect(changes).toEqual(['a:offline->online']);
    expect(hub.on('agent:a', 'presence')).toEqual([{ type: 'presence', agentId: 'a', status: 'online' }]);
    expect(hub.on('queue', 'presence')).toHaveLength(1);
    expect(presence.onlineAgents()).toEqual(['a']);
  });

  it('keeps the agent through a reload within the grace period', () => {
    const { presence, time, changes } = setup();
    presence.connected('a');
    presence.disconnected('a');
    time.advance(29_000);
    presence.connected('a');
    time.advance(60_000);
    expect(presence.status('a')).toBe('online');
    expect(changes).toEqual(['a:offline->online']);
  });

  it('goes offline when the last connection stays closed past the grace period', () => {
    const { presence, time, changes, hub } = setup();
    presence.connected('a');
    presence.connected('a'); // a second tab
    presence.disconnected('a');
    time.advance(60_000);
    expect(presence.status('a')).toBe('online'); // one tab still open
    presence.disconnected('a');
    time.advance(29_999);
    expect(presence.status('a')).toBe('online');
    time.advance(1);
    expect(presence.status('a')).toBe('offline');
    expect(changes).toEqual(['a:offline->online', 'a:online->offline']);
    expect(hub.on('agent:a', 'presence').at(-1)).toEqual({ type: 'presence', agentId: 'a', status: 'offline' });
  });

  it('a stray extra disconnect does not go negative', () => {
    const { presence, time } = setup();
    presence.disconnected('a');
    presence.connected('a');
    presence.disconnected('a');
    presence.disconnected('a');
    presence.connected('a');
    time.advance(60_000);
    expect(presence.status('a')).toBe('online');
  });

  it('the chosen status holds while connected; offline by choice holds even with a connection', () => {
    const { presence, changes } = setup();
    presence.connected('a');
    presence.setStatus('a', 'away');
    expect(presence.status('a')).toBe('away');
    expect(presence.onlineAgents()).toEqual([]);
    expect(presence.presentAgents()).toEqual(['a']);
    presence.setStatus('a', 'offline');
    expect(presence.status('a')).toBe('offline');
    presence.connected('a');
    expect(presence.status('a')).toBe('offline');
    presence.setStatus('a', 'online');
    expect(changes).toEqual(['a:offline->online', 'a:online->away', 'a:away->offline', 'a:offline->online']);
  });

  it('a status chosen over HTTP without a live connection lasts one grace period', () => {
    const { presence, time } = setup(10_000);
    presence.setStatus('a', 'online');
    expect(presence.status('a')).toBe('online');
    time.advance(10_000);
    expect(presence.status('a')).toBe('offline');
  });

  it('after a restart an agent holding chats is away for one grace period, online again on reconnect', () => {
    const { presence, time, changes } = setup();
    presence.expectReconnect('a');
    presence.expectReconnect('b');
    expect(presence.status('a')).toBe('away');
    presence.connected('a');
    expect(presence.status('a')).toBe('online');
    time.advance(30_000);
    expect(presence.status('a')).toBe('online');
    expect(presence.status('b')).toBe('offline');
    expect(changes).toEqual(['a:offline->away', 'b:offline->away', 'a:away->online', 'b:away->offline']);
  });

  it('close() cancels grace timers', () => {
    const { presence, time, changes } = setup();
    presence.connected('a');
    presence.disconnected('a');
    presence.close();
    time.advance(60_000);
    expect(changes).toEqual(['a:offline->online']);
  });
});
