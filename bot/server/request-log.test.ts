// The access log: one http.request line per request at info, only failures at warn; no query, no headers, no visitor id.
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../handoff/http/app-env.ts';
import { createLogger } from './logger.ts';
import type { LogLevel } from './config.ts';
import { requestLog } from './request-log.ts';
import { createErrorHandler } from '../../handoff/index.ts';

function app(level: LogLevel) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const a = new Hono<AppEnv>();
  a.use(requestId());
  a.use(requestLog(createLogger({ level, destination })));
  a.get('/ok', (c) => c.json({ ok: true }));
  a.get('/broken', () => {
    throw new Error('boom');
  });
  a.onError((_err, c) => c.json({ error: { code: 'internal' } }, 500));
  return { app: a, lines };
}

describe('requestLog', () => {
  it('at info: method, path without the query, status, duration and request id, for every request', async () => {
    const { app: a, lines } = app('info');
    await a.request('/ok?token=secret-in-query', { headers: { authorization: 'Bearer secret-header' } });
    await a.request('/broken');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ event: 'http.request', method: 'GET', path: '/ok', status: 200, level: 30, msg: 'request' });
    expect(typeof lines[0]!.ms).toBe('number');
    expect(typeof lines[0]!.requestId).toBe('string');
    expect(lines[1]).toMatchObject({ event: 'http.request', path: '/broken', status: 500, level: 50, msg: 'request failed' });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('at warn: nothing for a served request, the line for a failed one', async () => {
    const { app: a, lines } = app('warn');
    await a.request('/ok');
    await a.request('/broken');
    expect(lines.map((l) => [l.path, l.status])).toEqual([['/broken', 500]]);
  });

  it('masks a visitor id in the path (the privacy routes take visitor:<id>), also percent-encoded, also in error lines', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    const a = new Hono<AppEnv>();
    a.use(requestId());
    a.use(requestLog(logger));
    a.get('/api/admin/visitors/:visitorKey/transcripts', (c) => c.json({ key: c.req.param('visitorKey') }));
    a.delete('/api/admin/visitors/:visitorKey/transcripts', () => {
      throw new Error('boom');
    });
    a.onError(createErrorHandler(logger));

    const id = 'wv-secret-visitor-0123456789';
    expect(await (await a.request(`/api/admin/visitors/visitor:${id}/transcripts`)).json()).toEqual({ key: `visitor:${id}` });
    expect(await (await a.request(`/api/admin/visitors/visitor%3A${id}/transcripts`)).json()).toEqual({ key: `visitor:${id}` });
    expect((await a.request(`/api/admin/visitors/VISITOR%3a${id}/transcripts`, { method: 'DELETE' })).status).toBe(500);
    // Conversation ids are not personal data on their own (every visitor route carries one): kept.
    await a.request('/api/admin/visitors/c-1,c-2/transcripts');

    expect(JSON.stringify(lines)).not.toContain(id);
    const paths = lines.map((l) => [l.event, l.path]);
    expect(paths).toEqual([
      ['http.request', '/api/admin/visitors/visitor:***/transcripts'],
      ['http.request', '/api/admin/visitors/visitor%3A***/transcripts'],
      ['chat.error', '/api/admin/visitors/VISITOR%3a***/transcripts'],
      ['http.request', '/api/admin/visitors/VISITOR%3a***/transcripts'],
      ['http.request', '/api/admin/visitors/c-1,c-2/transcripts'],
    ]);
  });
});
