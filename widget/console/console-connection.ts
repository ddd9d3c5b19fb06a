// The console's live connection: an EventSource on /api/agent/events (session cookie), reopened after
// failures with backoff and resumed from the last message id; `session_ended` or a 401 means sign in again.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AgentWireEvent, SupervisorWireEvent, WatchingWireEvent } from '../../handoff/http/wire.ts';

/** `restarting`: the server said `server_restarting`; a calm notice until the stream is open again. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'restarting';

/** Every event of the console's stream: the agent's own and, on an admin's session, the monitor's. */
export type ConsoleWireEvent =
  | AgentWireEvent
  | { event: SupervisorWireEvent['event']; data: SupervisorWireEvent['data'] }
  | { event: WatchingWireEvent['event']; data: WatchingWireEvent['data'] };

export type ConsoleEventListener = (event: ConsoleWireEvent) => void;

export interface ConnectionCallbacks {
  onEvent(event: ConsoleWireEvent): void;
  /** The session is over (ended elsewhere, expired): show the sign-in form. */
  onSignedOut(): void;
  /** Whether the session still holds (GET /api/agent/me), asked after the stream failed for good. */
  checkSession(): Promise<boolean>;
}

const EVENT_NAMES: ReadonlyArray<ConsoleWireEvent['event']> = [
  'ready',
  'message',
  'typing',
  'read',
  'status',
  'transfer',
  'closed',
  'queue_changed',
  'assigned',
  'presence',
  // Working together: a colleague invited into a chat, joined, declined or left; a private consult note.
  'participants',
  'consult',
  'session_ended',
  // Admins only (the monitor screen): what changed in GET /api/admin/monitor, and a chat followed read-only.
  'supervisor',
  'watching',
];

/** Reconnect delay after `attempt` failures: 1 s doubling to 30 s, with up to 30% jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - 0.3 * random()));
}

export class ConsoleConnection implements ReactiveController {
  state: ConnectionState = 'idle';
  private source: EventSource | undefined;
  private lastId = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active = false;
  private readonly listeners = new Set<ConsoleEventListener>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly callbacks: ConnectionCallbacks,
    private readonly url = '/api/agent/events',
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /**
   * A screen's share of the one stream (the monitor), after the console's own handler; returns the
   * unsubscribe function. One stream per console, so an admin's session holds one connection.
   */
  subscribe(listener: ConsoleEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the stream (after sign-in). `after` resumes from a message id the console already has. */
  start(after?: number): void {
    this.active = true;
    if (after !== undefined) this.lastId = Math.max(this.lastId, after);
    this.open();
  }

  stop(): void {
    this.active = false;
    this.source?.close();
    this.source = undefined;
    clearTimeout(this.timer);
    this.lastId = 0;
    this.attempt = 0;
    this.setState('idle');
  }

  private open(): void {
    this.source?.close();
    clearTimeout(this.timer);
    if (!this.active) return;
    this.setState(this.state === 'restarting' ? 'restarting' : this.attempt === 0 ? 'connecting' : 'reconnecting');
    const url = this.lastId > 0 ? `${this.url}?after=${this.lastId}` : this.url;
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      this.attempt = 0;
      this.setState('open');
    };
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => this.handle(name, e as MessageEvent<string>));
    }
    // The server is shutting down: the stream ends next and the browser reopens it after the `retry: 5000`
    // hint with Last-Event-ID (or this URL's ?after), so nothing is missed. Only the notice changes here.
    source.addEventListener('server_restarting', () => {
      if (source === this.source) this.setState('restarting');
    });
    source.onerror = () => {
      if (source !== this.source) return;
      // CONNECTING: the browser retries by itself with Last-Event-ID. CLOSED: the server refused (401,
      // 429, 5xx): find out whether the session still holds, then reopen later ourselves.
      if (source.readyState === EventSource.CONNECTING) {
        if (this.state !== 'restarting') this.setState('reconnecting');
        return;
      }
      source.close();
      this.source = undefined;
      this.retry();
    };
  }

  private retry(): void {
    if (!this.active) return;
    if (this.state !== 'restarting') this.setState('reconnecting');
    const delay = backoffMs(this.attempt++);
    this.timer = setTimeout(async () => {
      if (!this.active) return;
      let signedIn = true;
      try {
        signedIn = await this.callbacks.checkSession();
      } catch {
        // Offline or the server is down: keep trying.
      }
      if (!this.active) return;
      if (!signedIn) {
        this.stop();
        this.callbacks.onSignedOut();
        return;
      }
      this.open();
    }, delay);
  }

  private handle(name: ConsoleWireEvent['event'], e: MessageEvent<string>): void {
    let data: unknown;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    const id = Number(e.lastEventId);
    if ((name === 'message' || name === 'ready') && Number.isFinite(id) && id > this.lastId) this.lastId = id;
    if (name === 'session_ended') {
      this.stop();
      this.callbacks.onSignedOut();
      return;
    }
    const event = { event: name, data } as ConsoleWireEvent;
    this.callbacks.onEvent(event);
    for (const listener of this.listeners) listener(event);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.host.requestUpdate();
  }
}
