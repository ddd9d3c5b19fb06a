// Ends expired agent sessions on a timer and announces every ended one, so open live connections close
// at expiry and after a disable or password change made by another process (the admin CLI).
import { AgentLogEvent, silentAgentLog, type AgentLog } from '../agents/agent-log.ts';
import type { Hub } from '../platform/hub.ts';
import type { SessionStore } from './session-store.ts';

export interface SessionSweeperOptions {
  /** Time between sweeps. Range 1000-600000 ms; default 60000. */
  intervalMs: number;
}

export const defaultSessionSweeperOptions: SessionSweeperOptions = { intervalMs: 60_000 };

export interface SessionSweeper {
  /** One sweep now; resolves to the number of sessions removed. */
  sweep(): Promise<number>;
  /** Stops the timer (shutdown, tests). */
  stop(): void;
}

export function startSessionSweeper(
  { sessions, hub, log = silentAgentLog }: { sessions: SessionStore; hub: Hub; log?: AgentLog },
  options: Partial<SessionSweeperOptions> = {},
): SessionSweeper {
  const { intervalMs } = { ...defaultSessionSweeperOptions, ...options };
  let running: Promise<number> | undefined;

  const sweep = async (): Promise<number> => {
    const ended = await sessions.sweep();
    for (const { id, agentId } of ended) hub.publish(`agent:${agentId}`, { type: 'session_ended', agentId, sessionId: id });
    if (ended.length > 0) {
      const reasons: Record<string, number> = {};
      for (const { reason } of ended) reasons[reason] = (reasons[reason] ?? 0) + 1;
      log.info({ event: AgentLogEvent.sessionsSwept, count: ended.length, reasons }, 'ended sessions removed');
    }
    return ended.length;
  };

  const timer = setInterval(() => {
    // Never two at once: a slow sweep simply skips a tick.
    if (running) return;
    running = sweep()
      .catch((err: unknown) => {
        log.error({ event: AgentLogEvent.sweepFailed, err }, 'session sweep failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();

  return { sweep, stop: () => clearInterval(timer) };
}
