// A small Server-Sent Events client for tests: fetch streaming (so it can send headers), a spec-following parser.

export interface SseMessage {
  event: string;
  data: string;
  /** The `id:` field of this event, when it had one. */
  id?: string;
  /** `data` parsed as JSON (undefined when it is not JSON). */
  json: any;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The JSON body of a non-200 answer. */
  error?: any;
  /** Every event received so far, in order. */
  events: SseMessage[];
  /** Comment lines (heartbeats) received so far, without the colon. */
  comments: string[];
  /** The last `retry:` hint. */
  retry?: number;
  /** The last `id:` seen, as EventSource keeps it for Last-Event-ID. */
  lastEventId?: string;
  /** Resolves with the first event (received before or after the call) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Resolves once `count` comments have arrived. */
  waitForComments(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream (or the client closes it). */
  ended: Promise<void>;
  readonly isEnded: boolean;
  /** Aborts the request (the client goes away). */
  close(): void;
}

export async function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  let isEnded = false;

  const client: SseClient = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    ended: Promise.resolve(),
    get isEnded() {
      return isEnded;
    },
    waitFor(match, timeoutMs = 3000) {
      return waitUntil(() => client.events.find(match), timeoutMs, 'an event that matches');
    },
    async waitForComments(count, timeoutMs = 3000) {
      await waitUntil(() => (client.comments.length >= count ? true : undefined), timeoutMs, `${count} comments`);
    },
    close() {
      abort.abort();
    },
  };

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (isEnded) {
          done();
          reject(new Error(`sse: the stream ended before ${what} arrived (got ${JSON.stringify(client.events.map((e) => e.event))})`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`sse: no ${what} within ${timeoutMs} ms (got ${JSON.stringify(client.events.map((e) => e.event))})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(attempt);
      };
      waiters.add(attempt);
      attempt();
    });
  }

  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    try {
      client.error = JSON.parse(text);
    } catch {
      client.error = text;
    }
    isEnded = true;
    return client;
  }

  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  client.ended = (async () => {
    let buffer = '';
    let event = { event: '', data: [] as string[], id: undefined as string | undefined };
    const line = (text: string) => {
      if (text === '') {
        if (event.data.length > 0) {
          const data = event.data.join('\n');
          let json: any;
          try {
            json = JSON.parse(data);
          } catch {
            json = undefined;
          }
          const message: SseMessage = { event: event.event || 'message', data, json };
          if (event.id !== undefined) message.id = event.id;
          client.events.push(message);
        }
        event = { event: '', data: [], id: undefined };
        return;
      }
      if (text.startsWith(':')) {
        client.comments.push(text.slice(1).trim());
        return;
      }
      const colon = text.indexOf(':');
      const field = colon === -1 ? text : text.slice(0, colon);
      let value = colon === -1 ? '' : text.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event.event = value;
      else if (field === 'data') event.data.push(value);
      else if (field === 'id' && !value.includes('\0')) {
        event.id = value;
        client.lastEventId = value;
      } else if (field === 'retry' && /^\d+$/.test(value)) client.retry = Number(value);
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop()!;
        for (const l of lines) line(l);
        notify();
      }
    } catch {
      // Aborted by close(), or the connection was cut: both end the stream.
    } finally {
      isEnded = true;
      notify();
    }
  })();
  return client;
}
