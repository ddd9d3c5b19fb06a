// Caps on open streams that must hold across every node of a deployment (the visitor streams of one client
// address): a client that spreads its streams over several nodes still gets no more than the cap in all. The
// embedded default counts in this process; with Redis, redis-stream-slots.ts counts per node in Redis.
import { createLiveConnections } from './live-connections.ts';

export interface StreamSlots {
  /**
   * Takes a place under `key`, counted on every node, or rejects with RateLimitedError (with `code`, default
   * rate_limited) when `max` are taken. Resolves to the function that gives the place back (once, however often
   * it is called).
   */
  reserve(key: string, max: number, retryAfterSeconds: number, code?: string): Promise<() => void>;
}

/** One process: today's in-memory counts (the same as live-connections.ts keeps for its own caps). */
export function createLocalStreamSlots(): StreamSlots {
  const counts = createLiveConnections();
  return {
    async reserve(key, max, retryAfterSeconds, code) {
      return counts.reserve(key, max, retryAfterSeconds, code);
    },
  };
}
