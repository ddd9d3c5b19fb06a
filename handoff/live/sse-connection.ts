// One Server-Sent Events connection: ordered writes, heartbeats, a lifetime cap, and cleanup exactly once.
import { ServerResponse } from 'node:http';
import type { Context } from 'hono';

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

/** A final event written as a stream ends, with a new `retry:` hint (ms) for the client's reconnect. */
export interface LastEvent {
  event: SseEvent;
  retryMs?: number;
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
  /** Queues `task` behind every heartbeat ping (a catch-up read: an event between nodes may have been dropped). */
  onHeartbeat(task: () => void | Promise<void>): void;
  /**
   * Ends the stream now; queued tasks are dropped. `last`, when given, is written just before the end,
   * ahead of anything still queued (server shutdown: tell the client to reconnect, and when).
   */
  close(reason: CloseReason, last?: LastEvent): void;
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
 *
 * The headers are streamSSE's (hono/streaming) and the bytes are the same; the body is a small stream of
 * our own instead: on Node (@hono/node-server) events are written straight to the socket once the adapter
 * has sent the head, which keeps an idle stream small and a write cheap (see createSink).
 */
export function openSseConnection(c: Context, options: OpenSseOptions, start: (connection: SseConnection) => void): Response {
  const sink = createSink(nodeResponse(c));
  const connection = createConnection(sink, options);
  sink.onGone(() => connection.close('client_gone'));
  if (!sink.onNode) {
    // Another runtime (app.request in tests, HTTP/2): the request's signal also says the client left.
    const signal = c.req.raw.signal;
    if (signal.aborted) connection.close('client_gone');
    else signal.addEventListener('abort', () => connection.close('client_gone'), { once: true });
  }

  // Not awaited: the write is queued at once, and every later write queues behind it.
  void sink.write(`retry: ${Math.trunc(options.retryMs)}\n\n`);
  if (!connection.closed) {
    try {
      start(connection);
    } catch (err) {
      options.onTaskError(err);
      connection.close('error');
    }
  }
  c.header('Transfer-Encoding', 'chunked');
  c.header('Content-Type', 'text/event-stream');
  c.header('Cache-Control', 'no-cache');
  c.header('Connection', 'keep-alive');
  const response = c.newResponse(sink.body);
  // no-store: a transcript must not sit in any cache; X-Accel-Buffering: nginx would otherwise hold events back.
  response.headers.set('Cache-Control', 'no-store');
  response.headers.set('X-Accel-Buffering', 'no');
  return response;
}

/** The Node response under @hono/node-server (HTTP/1), whose socket the stream may write to directly. */
function nodeResponse(c: Context): ServerResponse | undefined {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  return outgoing instanceof ServerResponse ? outgoing : undefined;
}

/** Where a connection's text goes. */
interface SseSink {
  /** The response body handed to the adapter. */
  readonly body: ReadableStream<Uint8Array>;
  /** Served by @hono/node-server over HTTP/1: writes go straight to the Node response once its head is sent. */
  readonly onNode: boolean;
  /** Resolves when the next write may follow (the client has taken this one, or the socket drained). Never rejects. */
  write(text: string): Promise<void>;
  /** Ends the response after what was written. */
  end(): void;
  /** The client went away (or the adapter gave up on the body). */
  onGone(listener: () => void): void;
}

const encoder = new TextEncoder();
const done: Promise<void> = Promise.resolve();

/**
 * Before the adapter has sent the head, text goes through `body` (a stream with no buffer of its own:
 * highWaterMark 0, so a write waits until the reader has taken it). The adapter's first read of an empty
 * body after the head is sent means every earlier chunk is on the socket: from then on text is written
 * to the Node response directly, waiting for `drain` when the socket is full, so a slow client still
 * holds its connection's queue back. Without a Node response everything goes through `body`.
 */
function createSink(outgoing: ServerResponse | undefined): SseSink {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let direct = false;
  let ended = false;
  let gone: (() => void) | undefined;
  /** Writers waiting for the reader to take their chunk. */
  let waiting: Array<() => void> = [];
  const release = () => {
    const list = waiting;
    waiting = [];
    for (const resolve of list) resolve();
  };
  const leave = () => {
    if (ended) return;
    ended = true;
    release();
    gone?.();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        release();
        if (outgoing !== undefined && outgoing.headersSent && !ended) direct = true;
      },
      cancel: leave,
    },
    { highWaterMark: 0 },
  );

  return {
    body,
    onNode: outgoing !== undefined,
    write(text) {
      if (ended) return done;
      if (direct) {
        const out = outgoing!;
        if (out.destroyed || out.writableEnded) return done;
        if (out.write(text)) return done;
        return new Promise((resolve) => {
          const resume = () => {
            out.off('drain', resume);
            out.off('close', resume);
            resolve();
          };
          out.on('drain', resume);
          out.on('close', resume);
        });
      }
      controller.enqueue(encoder.encode(text));
      if ((controller.desiredSize ?? 0) >= 0) return done;
      return new Promise((resolve) => waiting.push(resolve));
    },
    end() {
      if (ended) return;
      ended = true;
      release();
      // The adapter ends the response once it reads the end (after anything still queued).
      try {
        controller.close();
      } catch {
        // Cancelled by the reader meanwhile.
      }
    },
    onGone(listener) {
      gone = listener;
    },
  };
}

function createConnection(sink: SseSink, options: OpenSseOptions): SseConnection {
  let closed = false;
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();
  const cleanups: Array<() => void> = [];
  const heartbeatTasks: Array<() => void | Promise<void>> = [];

  const close = (reason: CloseReason, last?: LastEvent) => {
    if (closed) return;
    closed = true;
    // Not queued: the tasks are dropped, and a stuck one must not hold the farewell back. Events are
    // written whole, so this one cannot land inside another.
    if (last !== undefined) void sink.write(`${last.retryMs === undefined ? '' : `retry: ${Math.trunc(last.retryMs)}\n`}${formatEvent(last.event)}`);
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch (err) {
        options.onTaskError(err);
      }
    }
    options.onEnd?.(reason);
    sink.end();
  };

  const connection = {
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
    send(event: SseEvent): Promise<void> {
      if (closed) return done;
      return sink.write(formatEvent(event));
    },
    onClose(cleanup: () => void) {
      if (closed) cleanup();
      else cleanups.push(cleanup);
    },
    onHeartbeat(task: () => void | Promise<void>) {
      heartbeatTasks.push(task);
    },
    close,
  };

  const heartbeat = setInterval(() => {
    connection.enqueue(() => sink.write(': ping\n\n'));
    for (const task of heartbeatTasks) connection.enqueue(task);
  }, options.heartbeatMs);
  const jitter = Math.random() * 0.1 * options.maxAgeMs;
  // Not queued: a stuck write must not keep the stream past its age.
  const maxAge = setTimeout(() => close('max_age'), options.maxAgeMs + jitter);
  connection.onClose(() => {
    clearInterval(heartbeat);
    clearTimeout(maxAge);
  });
  return connection;
}

function formatEvent(event: SseEvent): string {
  // JSON.stringify escapes line breaks, so the payload is always a single data line.
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return `event: ${event.event}\n${id}data: ${JSON.stringify(event.data)}\n\n`;
}
