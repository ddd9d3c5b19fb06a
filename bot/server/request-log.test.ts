// The access log: http.request lines (ordinary ones sampled; failures, refusals and slow requests always), only
// failures and refusals at warn; no query, no headers, no visitor id.
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../handoff/http/app-env.ts';
import { createLogger } from './logger.ts';
import type { LogLevel } from './config.ts';
import { requestLog } from './request-log.ts';
import { createErrorHandler } from '../../handoff/index.ts';

function app(level: LogLevel, every = 1) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const a = new Hono<AppEnv>();
  a.use(requestId());
  a.use(requestLog(createLogger({ level, destination }), { every }));
  a.get('/limited', (c) => c.json({ error: { code: 'rate_limited' } }, 429));
  a.get('/missing', (c) => c.json({ error: { code: 'not_found' } }, 404));
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

  it('samples ordinary requests one in `every`, but logs every failure and refusal (429) whatever the sample', async () => {
    const { app: a, lines } = app('info', 5);
    for (let i = 0; i < 20; i++) await a.request('/ok');
    for (let i = 0; i < 3; i++) await a.request('/missing');
    for (let i = 0; i < 3; i++) await a.request('/limited');
    await a.request('/broken');
    const byPath = (p: string) => lines.filter((l) => l.path === p);
    // 23 ordinary requests (20 served, 3 not found) at one in five: the 5th, 10th, 15th and 20th of them.
    expect(byPath('/ok')).toHaveLength(4);
    expect(byPath('/ok')[0]).toMatchObject({ sampled: 5, level: 30 });
    expect(byPath('/missing').length + byPath('/ok').length).toBe(4);
    // A refusal an alert must see is never sampled away, and is a warning.
    expect(byPath('/limited')).toHaveLength(3);
    expect(byPath('/limited')[0]).toMatchObject({ status: 429, level: 40, msg: 'request refused' });
    expect(byPath('/limited')[0]).not.toHaveProperty('sampled');
    expect(byPath('/broken')).toHaveLength(1);
  });

  it('at warn: nothing for a served request, the line for a failed one and for a refusal', async () => {
    const { app: a, lines } = app('warn');
    await a.request('/ok');
    await a.request('/broken');
    await a.request('/limited');
    expect(lines.map((l) => [l.path, l.status])).toEqual([['/broken', 500], ['/limited', 429]]);
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
    a.use(requestLog(logger, { every: 1 }));
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
