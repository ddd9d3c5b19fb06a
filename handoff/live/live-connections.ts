// The open live streams of this process: caps per conversation and per agent, and closing them all on shutdown.
import { RateLimitedError } from '../platform/errors.ts';
import type { CloseReason, SseConnection } from './sse-connection.ts';

export interface LiveConnections {
  /** Streams open now. */
  readonly size: number;
  /** Open streams counted under `key` (`conversation:<id>`, `agent:<id>`). */
  count(key: string): number;
  /**
   * Takes a place under `key`, or throws RateLimitedError (with `code`, default rate_limited) when `max` are
   * already taken. The returned function gives the place back (once, however often it is called).
   */
  reserve(key: string, max: number, retryAfterSeconds: number, code?: string): () => void;
  /** Remembers an open stream until it closes, so that closeAll can end it. */
  track(connection: SseConnection): void;
  /**
   * Ends every stream (server shutdown): clients reconnect and resume from their last message id. On
   * `shutdown` (the default) each stream first gets a `server_restarting` event `{ retryMs }` and a
   * `retry:` hint of `restartRetryMs`, so clients come back once a restarted server is up.
   */
  closeAll(reason?: CloseReason): void;
}

export interface LiveConnectionsOptions {
  /** Reconnect delay told to clients when the server shuts down. Range 500-60000 ms; default 5000 (a restart). */
  restartRetryMs: number;
}

export const defaultLiveConnectionsOptions: LiveConnectionsOptions = { restartRetryMs: 5000 };

/** The refusal of a stream over a cap (here, and in the caps shared by several nodes: stream-slots.ts). */
export function tooManyStreams(key: string, max: number, retryAfterSeconds: number, code?: string): RateLimitedError {
  return new RateLimitedError(`live: at most ${max} open streams for one ${key.split(':')[0]!.replace('-', ' ')}`, retryAfterSeconds, code);
}

/** The event a stream gets before a shutdown ends it. */
export const SERVER_RESTARTING_EVENT = 'server_restarting';

export function createLiveConnections(options: Partial<LiveConnectionsOptions> = {}): LiveConnections {
  const { restartRetryMs } = { ...defaultLiveConnectionsOptions, ...options };
  const counts = new Map<string, number>();
  const open = new Set<SseConnection>();
  return {
    get size() {
      return open.size;
    },
    count(key) {
      return counts.get(key) ?? 0;
    },
    reserve(key, max, retryAfterSeconds, code) {
      const taken = counts.get(key) ?? 0;
      if (taken >= max) throw tooManyStreams(key, max, retryAfterSeconds, code);
      counts.set(key, taken + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      };
    },
    track(connection) {
      if (connection.closed) return;
      open.add(connection);
      connection.onClose(() => open.delete(connection));
    },
    closeAll(reason = 'shutdown') {
      const last =
        reason === 'shutdown'
          ? { event: { event: SERVER_RESTARTING_EVENT, data: { retryMs: restartRetryMs } }, retryMs: restartRetryMs }
          : undefined;
      for (const connection of [...open]) connection.close(reason, last);
    },
  };
}
