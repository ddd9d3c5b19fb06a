// Sending again after a lost response: the same clientMessageId every time, only for network and 502-504 failures.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleApi } from '../console/console-api.ts';
import { isRetryable, newClientMessageId, sendWithRetry } from './send-with-retry.ts';
import { ApiError, createVisitorApi } from '../visitor/visitor-api.ts';

const CHAT_RESPONSE = { conversationId: 'c1', reply: { kind: 'answer', text: 'ok', confidence: 1, suggestions: [] } };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A fetch that answers from a script, one step per call, and records each request's JSON body. */
function scriptedFetch(steps: Array<'network' | number>, ok: unknown) {
  const bodies: Array<Record<string, unknown>> = [];
  const fetchImpl = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    const step = steps[bodies.length - 1];
    if (step === 'network') throw new TypeError('Failed to fetch');
    if (typeof step === 'number') return json(step, { error: { code: `http_${step}`, message: 'no' } });
    return json(200, ok);
  });
  return { fetchImpl, bodies };
}

const noSleep = { sleep: vi.fn(async () => {}) };

afterEach(() => {
  vi.unstubAllGlobals();
  noSleep.sleep.mockClear();
});

describe('newClientMessageId', () => {
  it('is what the server accepts and differs each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientMessageId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('isRetryable', () => {
  it('retries lost requests and unavailable gateways, never an answer about the message', () => {
    for (const status of [0, 502, 503, 504]) expect(isRetryable(new ApiError(status, 'x', 'x'))).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 429, 500]) expect(isRetryable(new ApiError(status, 'x', 'x'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});

describe('sendWithRetry', () => {
  it('visitor: two network failures, then stored: one id on every attempt, waits 0.5 s then 1 s', async () => {
    const { fetchImpl, bodies } = scriptedFetch(['network', 'network'], CHAT_RESPONSE);
    const api = createVisitorApi('http://chat.test', fetchImpl as typeof fetch);
    const body = { text: '查话费', conversationId: 'c1', clientMessageId: newClientMessageId() };
    const response = await sendWithRetry(() => api.chat(body, 'token'), noSleep);
    expect(response).toEqual(CHAT_RESPONSE);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies.map((b) => b.clientMessageId))).toEqual(new Set([body.clientMessageId]));
    expect(noSleep.sleep.mock.calls).toEqual([[500], [1000]]);
  });

  it('retries 502, 503 and 504', async () => {
    const { fetchImpl, bodies } = scriptedFetch([503, 502, 504], CHAT_RESPONSE);
    const api = createVisitorApi('', fetchImpl as typeof fetch);
    await expect(sendWithRetry(() => api.chat({ text: 'x', conversationId: 'c1', clientMessageId: 'abc' }), noSleep)).resolves.toEqual(CHAT_RESPONSE);
    expect(bodies.map((b) => b.clientMessageId)).toEqual(['abc', 'abc', 'abc', 'abc']);
  });

  it('gives up after the last wait with the last error', async () => {
    const { fetchImpl, bodies } = scriptedFetch(['network', 'network', 'network', 503, 200], CHAT_RESPONSE);
    const api = createVisitorApi('', fetchImpl as typeof fetch);
    const error = await sendWithRetry(() => api.chat({ text: 'x', conversationId: 'c1', clientMessageId: 'abc' }), noSleep).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(bodies).toHaveLength(4);
    expect(noSleep.sleep.mock.calls).toEqual([[500], [1000], [2000]]);
  });

  it('does not repeat a 4xx (or 429: the limit would only be hit again)', async () => {
    for (const status of [400, 429]) {
      const { fetchImpl, bodies } = scriptedFetch([status], CHAT_RESPONSE);
      const api = createVisitorApi('', fetchImpl as typeof fetch);
      await expect(sendWithRetry(() => api.chat({ text: 'x', conversationId: 'c1', clientMessageId: 'abc' }), noSleep)).rejects.toMatchObject({ status });
      expect(bodies).toHaveLength(1);
    }
    expect(noSleep.sleep).not.toHaveBeenCalled();
  });

  it('console: an agent reply lost twice is sent with the same id each time', async () => {
    const message = { id: 7, author: 'agent', text: '您好', createdAt: '2026-11-24T00:00:00.000Z' };
    const { fetchImpl, bodies } = scriptedFetch(['network', 504], { message });
    vi.stubGlobal('fetch', fetchImpl);
    const api = new ConsoleApi();
    const id = newClientMessageId();
    await expect(sendWithRetry(() => api.send('c1', '您好', id), noSleep)).resolves.toEqual({ message });
    expect(bodies).toEqual([
      { text: '您好', clientMessageId: id },
      { text: '您好', clientMessageId: id },
      { text: '您好', clientMessageId: id },
    ]);
    expect(fetchImpl.mock.calls[0]?.[0]).toBe('/api/agent/conversations/c1/messages');
  });
});
