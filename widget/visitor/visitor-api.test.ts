import { describe, expect, it } from 'vitest';
import { sendWithRetry } from '../shared/send-with-retry.ts';
import { ApiError, createVisitorApi, isVisitorBlocked } from './visitor-api.ts';

const BLOCKED = { error: { code: 'visitor_blocked', message: 'this chat is not available' } };

function fakeFetch(status: number, body: unknown) {
  const calls: Array<{ url: string; body: unknown }> = [];
  const impl = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { calls, impl };
}

describe('visitor api and blocking', () => {
  it('sends the visitor id with the message that starts a conversation', async () => {
    const f = fakeFetch(200, { conversationId: 'c', token: 't' });
    await createVisitorApi('http://x/', f.impl).chat({ text: '你好', visitorId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(f.calls[0]).toEqual({ url: 'http://x/api/chat', body: { text: '你好', visitorId: 'AAAAAAAAAAAAAAAAAAAAAA' } });
  });

  it('turns 403 visitor_blocked into an error the widget recognises, and sends it once (no retries)', async () => {
    const f = fakeFetch(403, BLOCKED);
    const api = createVisitorApi('http://x', f.impl);
    const sleeps: number[] = [];
    const err = await sendWithRetry(() => api.chat({ text: 'hi', conversationId: 'c', clientMessageId: 'm1' }, 't'), {
      sleep: async (ms) => void sleeps.push(ms),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isVisitorBlocked(err)).toBe(true);
    expect(f.calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('is blocked on every visitor route (typing, handoff, messages)', async () => {
    const f = fakeFetch(403, BLOCKED);
    const api = createVisitorApi('http://x', f.impl);
    for (const call of [() => api.typing('c', 't', true), () => api.handoff('c', 't'), () => api.messages('c', 't', 0)]) {
      expect(isVisitorBlocked(await call().catch((e: unknown) => e))).toBe(true);
    }
  });

  it('does not mistake other refusals for a block', async () => {
    expect(isVisitorBlocked(new ApiError(403, 'forbidden', 'x'))).toBe(false);
    expect(isVisitorBlocked(new ApiError(429, 'visitor_blocked', 'x'))).toBe(false);
    expect(isVisitorBlocked(new Error('visitor_blocked'))).toBe(false);
    const f = fakeFetch(403, { nope: true });
    expect(isVisitorBlocked(await createVisitorApi('http://x', f.impl).close('c', 't').catch((e: unknown) => e))).toBe(false);
  });
});
