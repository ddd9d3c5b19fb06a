// The console's queue fetches: overlapping fetches whose answers arrive out of order leave the latest one's queue
// (a chat taken meanwhile never shows as waiting again), and an answer for an agent no longer signed in is dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type ConsoleApi, type QueueItem } from './console-api.ts';
import type { ConsoleAlert } from './console-alert.ts';
import type { ConsoleHost } from './console-host.ts';
import { ConsoleLive } from './console-live.ts';

const item = (id: string): QueueItem =>
  ({ id, waitingSeconds: 5, lang: 'zh', reason: 'asked', preview: id, group: 'mobile', province: undefined, position: 1 }) as QueueItem;

/** A queue answer the test lets arrive when it wants, or fail. */
function pending() {
  let resolve!: (queue: QueueItem[]) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<{ conversations: QueueItem[] }>((res, rej) => {
    resolve = (queue) => res({ conversations: queue });
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup() {
  const answers: Array<ReturnType<typeof pending>> = [];
  const api = {
    queue: vi.fn(() => {
      const answer = pending();
      answers.push(answer);
      return answer.promise;
    }),
  };
  const host = {
    api: api as unknown as ConsoleApi,
    me: { id: 'a1' },
    queue: [] as QueueItem[],
    chats: new Map(),
    myStatus: 'online',
    now: 0,
    addController: () => undefined,
  } as unknown as ConsoleHost;
  const alert = { flash: () => undefined, beep: () => undefined } as unknown as ConsoleAlert;
  const hooks = { sessionEnded: vi.fn(), notify: vi.fn() };
  return { host, answers, hooks, live: new ConsoleLive(host, alert, hooks) };
}

describe('ConsoleLive.refreshQueue', () => {
  beforeEach(() => {
    // Only what the queue's notices read of the page.
    vi.stubGlobal('document', { visibilityState: 'visible' });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps the latest request\'s queue when an older answer arrives last', async () => {
    const { host, answers, live } = setup();
    // A queue_changed fetch, then the fetch after taking c1; the second is answered first.
    const before = live.refreshQueue();
    const after = live.refreshQueue();
    answers[1]!.resolve([item('c2')]);
    await after;
    expect(host.queue.map((q) => q.id)).toEqual(['c2']);
    answers[0]!.resolve([item('c1'), item('c2')]);
    await before;
    // The taken chat stays out of the list.
    expect(host.queue.map((q) => q.id)).toEqual(['c2']);

    // In order, every answer applies as before.
    const next = live.refreshQueue();
    answers[2]!.resolve([item('c3')]);
    await next;
    expect(host.queue.map((q) => q.id)).toEqual(['c3']);
  });

  it('drops an answer for an agent no longer signed in, and a stale 401', async () => {
    const { host, answers, hooks, live } = setup();
    const before = live.refreshQueue();
    const after = live.refreshQueue();
    answers[1]!.resolve([]);
    await after;
    answers[0]!.reject(new ApiError(401, 'unauthorized', 'sign in first'));
    await before;
    expect(hooks.sessionEnded).not.toHaveBeenCalled();

    const late = live.refreshQueue();
    host.me = undefined;
    host.queue = [];
    answers[2]!.resolve([item('c9')]);
    await late;
    expect(host.queue).toEqual([]);

    // The latest request's 401 still ends the session.
    host.me = { id: 'a1' } as ConsoleHost['me'];
    const current = live.refreshQueue();
    answers[3]!.reject(new ApiError(401, 'unauthorized', 'sign in first'));
    await current;
    expect(hooks.sessionEnded).toHaveBeenCalledTimes(1);
  });
});
