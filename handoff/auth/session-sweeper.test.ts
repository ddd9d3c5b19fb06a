// The session sweeper: expired sessions and ends written by another process reach the hub.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addAgent, createKit, login, type Kit } from '../testing/agent-test-kit.ts';
import { startSessionSweeper } from './session-sweeper.ts';
import { sessionIdOf } from './session-store.ts';

const kits: Kit[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const kit of kits.splice(0)) kit.close();
});
const MINUTE = 60_000;

describe('startSessionSweeper', () => {
  it('announces idle sessions and ends made without a hub (the CLI), each once', async () => {
    const k = createKit({ sessions: { idleTimeoutMs: 10 * MINUTE } });
    kits.push(k);
    const alice = await addAgent(k, 'alice');
    const bob = await addAgent(k, 'bob');
    const aliceCookie = await login(k, 'alice');
    const bobCookie = await login(k, 'bob');
    const sweeper = startSessionSweeper({ sessions: k.sessions, hub: k.hub, log: k.log });
    try {
      // Bob's password reset from the CLI: no hub there.
      await k.sessions.endAllOf(bob.id, 'password_changed');
      k.clock.advance(10 * MINUTE);
      expect(await sweeper.sweep()).toBe(2);
      expect(k.hub.events).toEqual(
        expect.arrayContaining([
          { topic: `agent:${alice.id}`, event: { type: 'session_ended', agentId: alice.id, sessionId: sessionIdOf(aliceCookie) } },
          { topic: `agent:${bob.id}`, event: { type: 'session_ended', agentId: bob.id, sessionId: sessionIdOf(bobCookie) } },
        ]),
      );
      expect(k.hub.events).toHaveLength(2);
      expect(await sweeper.sweep()).toBe(0);
      expect(k.hub.events).toHaveLength(2);
      expect(k.log.lines.find((l) => l.event === 'agent.sessions_swept')).toMatchObject({ count: 2, reasons: { idle: 1, password_changed: 1 } });
    } finally {
      sweeper.stop();
    }
  });

  it('runs on its interval until stopped', async () => {
    vi.useFakeTimers();
    const k = createKit();
    kits.push(k);
    const sweep = vi.spyOn(k.sessions, 'sweep');
    const sweeper = startSessionSweeper({ sessions: k.sessions, hub: k.hub }, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(sweep).toHaveBeenCalledTimes(3);
    sweeper.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sweep).toHaveBeenCalledTimes(3);
  });

  it('logs a failed sweep and keeps going', async () => {
    vi.useFakeTimers();
    const k = createKit();
    kits.push(k);
    const sweep = vi.spyOn(k.sessions, 'sweep').mockRejectedValueOnce(new Error('disk I/O error'));
    const sweeper = startSessionSweeper({ sessions: k.sessions, hub: k.hub, log: k.log }, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(2500);
    sweeper.stop();
    expect(sweep).toHaveBeenCalledTimes(2);
    expect(k.log.lines.filter((l) => l.event === 'agent.sweep_failed')).toHaveLength(1);
  });
});
