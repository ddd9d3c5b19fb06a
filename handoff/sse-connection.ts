// One Server-Sent Events connection: ordered writes, heartbeats, a lifetime cap, and cleanup exactly once.
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';

export interface SseConnectionOptions {
  /** A comment line this often keeps proxies from closing an idle stream. Range 1000-60000 ms; default 15000. */
  heartbeatMs: number;
  /** The `retry:` hint: how long a client waits before reconnecting. Range 500-60000 ms; default 3000. */
  retryMs: number;
  /**
   * The stream ends after this long (plus up to 10 % jitter, so clients do not all come back at once);
   * the client reconnects and resumes. Bounds how long a revoked or expired credential keeps a stream.
   * Range 60000-86400000 ms; default 900000 (15 min).
   */
  maxAgeMs: number;
  /** A client this many writes behind is dropped (it resumes from its last id). Range 10-100000; default 1000. */
  maxPendingWrites: number;
}

export const defaultSseConnectionOptions: SseConnectionOptions = {
  heartbeatMs: 15_000,
  retryMs: 3_000,
  maxAgeMs: 900_000,
  maxPendingWrites: 1_000,
};

/** Why a stream ended (logged; `session_ended` is also told to the client before the end). */
export type CloseReason = 'client_gone' | 'session_ended' | 'max_age' | 'slow_client' | 'shutdown' | 'error';

export interface SseEvent {
  event: string;
  /** Sent as one `data:` line of JSON. */
  data: object;
  /** The resume point (a message id); omitted on events that are not one. */
  id?: number;
}

/** Receives errors a task threw; the connection is closed with reason `error` afterwards. */
export type TaskErrorHandler = (err: unknown) => void;

export interface SseConnection {
  /**
   * Runs `task` after every task queued before it, so events leave in the order they were queued.
   * Nothing runs once the connection is closed. A task that throws closes the connection.
   */
  enqueue(task: () => void | Promise<void>): void;
  /** Writes one event; call it from inside a task to keep the order. */
  send(event: SseEvent): Promise<void>;
  /** Runs once when the connection ends, whatever ends it; cleanups run newest first. */
  onClose(cleanup: () => void): void;
  /** Ends the stream now; queued tasks are dropped. */
  close(reason: CloseReason): void;
  readonly closed: boolean;
}

export interface OpenSseOptions extends SseConnectionOptions {
  onTaskError: TaskErrorHandler;
  /** Called once with the reason when the connection ends (after the cleanups). */
  onEnd?: (reason: CloseReason) => void;
}

/**
 * Answers the request with an event stream and hands the connection to `start` (synchronously, after
 * the `retry:` hint is queued). The response ends when the connection closes: by the client going
 * away, by `close()`, or by the lifetime cap.
 */
export function openSseConnection(c: Context, options: OpenSseOptions, start: (connection: SseConnection) => void): Response {
  const response = streamSSE(c, async (stream) => {
    const connection = createConnection(stream, options);
    const signal = c.req.raw.signal;
    if (signal.aborted) connection.close('client_gone');
    else signal.addEventListener('abort', () => connection.close('client_gone'), { once: true });
    stream.onAbort(() => connection.close('client_gone'));

    // Not awaited: the write is queued at once, and every later write queues behind it.
    void stream.write(`retry: ${Math.trunc(options.retryMs)}\n\n`);
    if (!connection.closed) {
      try {
        start(connection);
      } catch (err) {
        options.onTaskError(err);
        connection.close('error');
      }
    }
    await connection.ended;
  });
  // no-store: a transcript must not sit in any cache; X-Accel-Buffering: nginx would otherwise hold events back.
  response.headers.set('Cache-Control', 'no-store');
  response.headers.set('X-Accel-Buffering', 'no');
  return response;
}

function createConnection(
  stream: SSEStreamingApi,
  options: OpenSseOptions,
): SseConnection & { ended: Promise<CloseReason> } {
  let closed = false;
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();
  const cleanups: Array<() => void> = [];
  let resolveEnded!: (reason: CloseReason) => void;
  const ended = new Promise<CloseReason>((resolve) => (resolveEnded = resolve));

  const close = (reason: CloseReason) => {
    if (closed) return;
    closed = true;
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch (err) {
        options.onTaskError(err);
      }
    }
    options.onEnd?.(reason);
    resolveEnded(reason);
  };

  const connection = {
    ended,
    get closed() {
      return closed;
    },
    enqueue(task: () => void | Promise<void>) {
      if (closed) return;
      if (++pending > options.maxPendingWrites) {
        close('slow_client');
        return;
      }
      chain = chain.then(async () => {
        pending--;
        if (closed) return;
        try {
          await task();
        } catch (err) {
          options.onTaskError(err);
          close('error');
        }
      });
    },
    async send(event: SseEvent) {
      if (closed) return;
      // JSON.stringify escapes line breaks, so the payload is always a single data line.
      const id = event.id === undefined ? '' : `id: ${event.id}\n`;
      await stream.write(`event: ${event.event}\n${id}data: ${JSON.stringify(event.data)}\n\n`);
    },
    onClose(cleanup: () => void) {
      if (closed) cleanup();
      else cleanups.push(cleanup);
    },
    close,
  };

  const heartbeat = setInterval(() => connection.enqueue(() => stream.write(': ping\n\n').then(() => undefined)), options.heartbeatMs);
  const jitter = Math.random() * 0.1 * options.maxAgeMs;
  // Not queued: a stuck write must not keep the stream past its age.
  const maxAge = setTimeout(() => close('max_age'), options.maxAgeMs + jitter);
  connection.onClose(() => {
    clearInterval(heartbeat);
    clearTimeout(maxAge);
  });
  return connection;
}
