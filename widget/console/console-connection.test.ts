// The console's live connection on a server restart: a calm "reconnecting" until the browser's EventSource is back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleConnection } from './console-connection.ts';

/** Just enough of EventSource: listeners by name, readyState, and the handlers the connection sets. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static last: FakeEventSource | undefined;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, Array<(e: unknown) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(name: string, fn: (e: unknown) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  emit(name: string, data: unknown, lastEventId = '') {
    for (const fn of this.listeners.get(name) ?? []) fn({ data: JSON.stringify(data), lastEventId });
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('ConsoleConnection', () => {
  it('shows "restarting" from server_restarting until the stream opens again', () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const host = { addController: vi.fn(), requestUpdate: vi.fn() };
    const events: string[] = [];
    const connection = new ConsoleConnection(host as never, {
      onEvent: (e) => events.push(e.event),
      onSignedOut: () => events.push('signed-out'),
      checkSession: async () => true,
    });
    connection.start();
    const source = FakeEventSource.last!;
    source.readyState = FakeEventSource.OPEN;
    source.onopen?.();
    expect(connection.state).toBe('open');
    source.emit('message', { id: 42 }, '42');
    source.emit('server_restarting', { retryMs: 5000 });
    expect(connection.state).toBe('restarting');
    // The server closed the stream: the browser reconnects by itself (CONNECTING), the notice stays calm.
    source.readyState = FakeEventSource.CONNECTING;
    source.onerror?.();
    expect(connection.state).toBe('restarting');
    source.readyState = FakeEventSource.OPEN;
    source.onopen?.();
    expect(connection.state).toBe('open');
    expect(events).toEqual(['message']);
    connection.stop();
    expect(connection.state).toBe('idle');
  });

  it('reopens the stream itself after the message it last saw when the browser gave up during a restart', async () => {
    vi.useFakeTimers();
    try {
      vi.stubGlobal('EventSource', FakeEventSource);
      const host = { addController: vi.fn(), requestUpdate: vi.fn() };
      const connection = new ConsoleConnection(host as never, { onEvent: () => {}, onSignedOut: () => {}, checkSession: async () => true });
      connection.start();
      const first = FakeEventSource.last!;
      first.onopen?.();
      first.emit('message', { id: 42 }, '42');
      first.emit('server_restarting', { retryMs: 5000 });
      first.readyState = FakeEventSource.CLOSED;
      first.onerror?.();
      expect(connection.state).toBe('restarting');
      await vi.advanceTimersByTimeAsync(1500);
      const second = FakeEventSource.last!;
      expect(second).not.toBe(first);
      expect(second.url).toBe('/api/agent/events?after=42');
      expect(connection.state).toBe('restarting');
      second.onopen?.();
      expect(connection.state).toBe('open');
      connection.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives the monitor the supervisor and watching events on the same stream, until it unsubscribes', () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const host = { addController: vi.fn(), requestUpdate: vi.fn() };
    const consoleSaw: string[] = [];
    const monitorSaw: string[] = [];
    const connection = new ConsoleConnection(host as never, {
      onEvent: (e) => consoleSaw.push(e.event),
      onSignedOut: () => {},
      checkSession: async () => true,
    });
    connection.start();
    const source = FakeEventSource.last!;
    const unsubscribe = connection.subscribe((e) => monitorSaw.push(`${e.event}:${JSON.stringify(e.data)}`));
    source.emit('supervisor', { change: 'presence', agentId: 'a1' });
    source.emit('watching', { conversationId: 'c1', watching: true });
    source.emit('message', { conversationId: 'c1', id: 7 }, '7');
    unsubscribe();
    source.emit('supervisor', { change: 'queue' });
    expect(FakeEventSource.last).toBe(source);
    expect(monitorSaw).toEqual([
      'supervisor:{"change":"presence","agentId":"a1"}',
      'watching:{"conversationId":"c1","watching":true}',
      'message:{"conversationId":"c1","id":7}',
    ]);
    expect(consoleSaw).toEqual(['supervisor', 'watching', 'message', 'supervisor']);
    connection.stop();
  });
});
