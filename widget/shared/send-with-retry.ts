// Sending a message again after a lost or refused request, with the same clientMessageId so the server stores it once.

export interface SendRetryOptions {
  /** Waits before each further attempt; its length is how many retries follow the first try. Default 500, 1000, 2000 ms. */
  delaysMs: readonly number[];
  /** The wait (tests pass one that does not sleep). */
  sleep: (ms: number) => Promise<void>;
}

export const defaultSendRetryOptions: SendRetryOptions = {
  delaysMs: [500, 1000, 2000],
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A fresh id for one message (1-64 of A-Z a-z 0-9 _ -, what the server accepts). */
export function newClientMessageId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (uuid) return uuid.replace(/-/g, '');
  let id = '';
  while (id.length < 24) id += Math.random().toString(36).slice(2);
  return id.slice(0, 24);
}

/**
 * Worth another try with the same id: the network failed (status 0) or a gateway or the server was briefly
 * unavailable (502, 503, 504). Any 4xx is an answer about the message itself and would only repeat.
 */
export function isRetryable(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return status === 0 || status === 502 || status === 503 || status === 504;
}

/** Runs `attempt` until it succeeds, fails for good (not retryable) or the waits are used up; the last error is thrown. */
export async function sendWithRetry<T>(attempt: () => Promise<T>, options: Partial<SendRetryOptions> = {}): Promise<T> {
  const { delaysMs, sleep } = { ...defaultSendRetryOptions, ...options };
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= delaysMs.length || !isRetryable(err)) throw err;
      await sleep(delaysMs[i]!);
    }
  }
}
