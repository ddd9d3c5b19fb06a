// The error handler: a storage fault that passes by itself (SQLite's lock, PostgreSQL restarting or out of
// connections, Redis unreachable) is a 503 with a retry hint, never a 500; anything unknown stays a logged 500.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './error-handler.ts';

function appThrowing(err: unknown) {
  const logged: Array<{ level: string; fields: Record<string, unknown> }> = [];
  const app = new Hono();
  app.get('/x', () => {
    throw err;
  });
  app.onError(createErrorHandler({
    warn: (fields) => logged.push({ level: 'warn', fields: fields as Record<string, unknown> }),
    error: (fields) => logged.push({ level: 'error', fields: fields as Record<string, unknown> }),
  }));
  return { app, logged };
}

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('storage faults', () => {
  it.each([
    ['SQLite busy', withCode('SQLITE_BUSY'), 'busy', '1'],
    ['SQLite full', withCode('SQLITE_FULL'), 'storage_full', '30'],
    ['PostgreSQL refusing connections (socket)', withCode('ECONNREFUSED'), 'unavailable', '5'],
    ['PostgreSQL shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command'), 'unavailable', '5'],
    ['PostgreSQL connection failure (08006)', withCode('08006'), 'unavailable', '5'],
    ['PostgreSQL out of connections (53300)', withCode('53300'), 'unavailable', '5'],
    ['PostgreSQL deadlock victim (40P01)', withCode('40P01'), 'busy', '1'],
    ['PostgreSQL statement timeout (57014)', withCode('57014'), 'busy', '1'],
    ['pg pool connect timeout', new Error('timeout exceeded when trying to connect'), 'unavailable', '5'],
    ['pg connection lost mid-query', new Error('Connection terminated unexpectedly'), 'unavailable', '5'],
    ['pg query without any reply (query_timeout: server frozen)', new Error('Query read timeout'), 'unavailable', '5'],
    ['ioredis gave up retrying', named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 2).'), 'unavailable', '5'],
    ['ioredis connection closed', new Error('Connection is closed.'), 'unavailable', '5'],
    ['ioredis command without a reply in time (commandTimeout)', new Error('Command timed out'), 'unavailable', '5'],
  ])('%s: 503 %s with Retry-After %s, logged as a warning', async (_name, err, code, retryAfter) => {
    const { app, logged } = appThrowing(err);
    const res = await app.request('/x');
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe(retryAfter);
    expect((await res.json()).error.code).toBe(code);
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ event: 'storage.unavailable' }) })]);
  });

  it('an unknown error (a bug, or a constraint the code should have prevented) stays a logged 500', async () => {
    for (const err of [new TypeError('x is undefined'), withCode('23505', 'duplicate key value violates unique constraint')]) {
      const { app, logged } = appThrowing(err);
      const res = await app.request('/x');
      expect(res.status).toBe(500);
      expect(logged[0]!.level).toBe('error');
    }
  });
});
