// The visitor's live stream of one conversation: opened with fetch (the Authorization header EventSource
// cannot send), resumed from the last message seen (Last-Event-ID), and kept open with backoff: the
// server's `retry:` hint is the floor, failures double the wait up to a cap, a restart notice spreads the
// clients' return. What the events mean is the chat state's business (visitor-chat-state.ts).
import { ApiError, apiErrorOf, isVisitorBlocked } from './visitor-api.ts';
import { createSseParser, pumpSse } from './visitor-sse-parser.ts';

/** Reconnect delays: doubling from the first, capped. The server's `retry:` hint is the floor. */
export const RECONNECT = { firstMs: 1_000, maxMs: 30_000 } as const;

export interface LiveStreamHooks {
  /** What to follow now (the events URL, the token, the last message id seen), or undefined for nothing. */
  target(): { url: string; token: string; lastEventId: number } | undefined;
  /** Whether reconnecting makes sense now (the browser is online). */
  canReconnect(): boolean;
  /** Whether the server said it is restarting: every client then comes back at once, so the return is spread. */
  restarting(): boolean;
  onEvent(event: string, data: string): void;
  /** Refused for good: the visitor is blocked, or the conversation is gone (the next message starts another). */
  onRefused(why: 'blocked' | 'gone'): void;
  /** A failure that will be retried after a pause. */
  onRetrying(): void;
}

export class LiveStream {
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private retryHintMs: number = RECONNECT.firstMs;

  constructor(private readonly hooks: LiveStreamHooks) {}

  get open(): boolean {
    return this.abort !== undefined;
  }

  /** The server's pause before reconnecting (`retry:`, or a restart notice's), kept within bounds. */
  setRetryHint(ms: number): void {
    if (ms > 0) this.retryHintMs = Math.min(RECONNECT.maxMs, Math.max(500, ms));
  }

  /** A good connection (its `ready` event) or the browser back online: the next failure starts the backoff afresh. */
  resetBackoff(): void {
    this.attempts = 0;
  }

  /** Opens the stream (closing any before) and keeps it open. */
  connect(): void {
    this.stop();
    const target = this.hooks.target();
    if (!target) return;
    const abort = new AbortController();
    this.abort = abort;
    void this.read(target, abort).then(
      // After a restart notice every client comes back at once: spread them over 1-1.5x the hint.
      () => this.schedule(abort, this.retryHintMs * (this.hooks.restarting() ? 1 + Math.random() * 0.5 : 1)),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        // Reconnecting would only be refused again: stop here.
        if (isVisitorBlocked(err)) return this.hooks.onRefused('blocked');
        if (err instanceof ApiError && (err.status === 404 || err.status === 401)) return this.hooks.onRefused('gone');
        const retryAfter = err instanceof ApiError && err.retryAfter ? err.retryAfter * 1000 : 0;
        const delay = Math.max(retryAfter, this.retryHintMs, Math.min(RECONNECT.maxMs, RECONNECT.firstMs * 2 ** this.attempts));
        this.attempts++;
        this.hooks.onRetrying();
        this.schedule(abort, delay * (0.75 + Math.random() * 0.5));
      },
    );
  }

  stop(): void {
    clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = undefined;
  }

  private async read(target: { url: string; token: string; lastEventId: number }, abort: AbortController): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${target.token}` };
    if (target.lastEventId > 0) headers['last-event-id'] = String(target.lastEventId);
    const res = await fetch(target.url, { headers, signal: abort.signal, cache: 'no-store', credentials: 'omit' });
    // The refusal's code matters (visitor_blocked ends the reconnecting), so its body is read.
    if (!res.ok) throw await apiErrorOf(res);
    if (!res.body) throw new ApiError(res.status, `http_${res.status}`, 'live stream refused');
    const parser = createSseParser({
      onMessage: (m) => {
        if (!abort.signal.aborted) this.hooks.onEvent(m.event, m.data);
      },
      onRetry: (ms) => (this.retryHintMs = Math.min(RECONNECT.maxMs, Math.max(500, ms))),
    });
    await pumpSse(res.body, parser, abort.signal);
  }

  private schedule(abort: AbortController, delayMs: number): void {
    if (abort.signal.aborted || this.abort !== abort) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.abort === abort && this.hooks.canReconnect()) this.connect();
    }, delayMs);
  }
}
