// A steady stream of requests in flight against a running server: a few closed loops of POST /api/chat
// (whole conversations, token and all) and one of GET /healthz, each request timed and kept.

export interface LoadTurn {
  text: string;
  lang?: 'zh' | 'en';
}

export interface LoadOptions {
  url: string;
  /** Conversations to replay, turn by turn; the loops take them in turn, round and round. */
  conversations: readonly (readonly LoadTurn[])[];
  /** Concurrent chat loops. Range 1-16; default 3 (the server has 2 cores and shares them with this process). */
  chatLoops: number;
  /** Concurrent GET /healthz loops. Range 0-4; default 1. */
  healthzLoops: number;
  /** Pause after each response before a loop sends its next request. Range 0-1000 ms; default 10. */
  thinkMs: number;
  /** A request not answered within this counts as failed (and is abandoned). Default 30000 ms. */
  timeoutMs: number;
}

export const defaultLoadOptions: Omit<LoadOptions, 'url' | 'conversations'> = { chatLoops: 3, healthzLoops: 1, thinkMs: 10, timeoutMs: 30_000 };

export interface RequestSample {
  kind: 'chat' | 'healthz';
  /** performance.now() when the request was sent and when its response body had arrived (or it failed). */
  start: number;
  end: number;
  /** HTTP status; 0 for a network error or a timeout. */
  status: number;
  ok: boolean;
  error?: string;
}

export interface RunningLoad {
  readonly samples: RequestSample[];
  /** Lets every loop finish its request in flight, then resolves. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startLoad(options: Pick<LoadOptions, 'url' | 'conversations'> & Partial<LoadOptions>): RunningLoad {
  const o: LoadOptions = { ...defaultLoadOptions, ...options };
  if (o.conversations.length === 0) throw new Error('bench load: no conversations to replay');
  const samples: RequestSample[] = [];
  let running = true;

  async function timed(kind: RequestSample['kind'], send: () => Promise<Response>): Promise<{ sample: RequestSample; body: unknown }> {
    const start = performance.now();
    let status = 0;
    let body: unknown;
    let error: string | undefined;
    try {
      const res = await send();
      status = res.status;
      const text = await res.text();
      body = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      if (!res.ok) error = `HTTP ${status}: ${text.slice(0, 200)}`;
    } catch (err) {
      error = describeError(err);
    }
    const sample: RequestSample = { kind, start, end: performance.now(), status, ok: error === undefined, ...(error ? { error } : {}) };
    samples.push(sample);
    return { sample, body };
  }

  async function chatLoop(index: number): Promise<void> {
    for (let n = index; running; n += o.chatLoops) {
      const turns = o.conversations[n % o.conversations.length]!;
      let conversation: { id: string; token: string } | undefined;
      for (const turn of turns) {
        if (!running) return;
        const { sample, body } = await timed('chat', () =>
          fetch(`${o.url}/api/chat`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(conversation ? { authorization: `Bearer ${conversation.token}` } : {}) },
            body: JSON.stringify({ text: turn.text, ...(turn.lang ? { lang: turn.lang } : {}), ...(conversation ? { conversationId: conversation.id } : {}) }),
            signal: AbortSignal.timeout(o.timeoutMs),
          }),
        );
        if (!sample.ok) break;
        const reply = body as { conversationId?: string; token?: string };
        if (!conversation && reply.conversationId && reply.token) conversation = { id: reply.conversationId, token: reply.token };
        await sleep(o.thinkMs);
      }
    }
  }

  async function healthzLoop(): Promise<void> {
    while (running) {
      await timed('healthz', () => fetch(`${o.url}/healthz`, { signal: AbortSignal.timeout(o.timeoutMs) }));
      await sleep(o.thinkMs);
    }
  }

  const loops = [...Array.from({ length: o.chatLoops }, (_, i) => chatLoop(i)), ...Array.from({ length: o.healthzLoops }, () => healthzLoop())];
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** `TypeError: fetch failed` says little: undici puts what happened (reset, closed socket, timeout) in `cause`. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const why = cause ? [cause.code, cause.message].filter(Boolean).join(' ') : '';
  return `${err.name}: ${err.message}${why ? ` (${why})` : ''}`;
}

/** The samples of one kind whose request was sent within [from, to). */
export function sentWithin(samples: readonly RequestSample[], from: number, to: number, kind?: RequestSample['kind']): RequestSample[] {
  return samples.filter((s) => s.start >= from && s.start < to && (!kind || s.kind === kind));
}

/**
 * The longest stretch in [from, to] with no response arriving at all (any kind), in ms: how long the
 * server looked frozen to its clients.
 */
export function longestSilence(samples: readonly RequestSample[], from: number, to: number): number {
  const ends = samples.map((s) => s.end).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let last = from;
  let longest = 0;
  for (const t of [...ends, to]) {
    longest = Math.max(longest, t - last);
    last = t;
  }
  return longest;
}
