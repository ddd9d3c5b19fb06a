import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LogEvent, uncensoredLogger } from './logger.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with the event code and level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', destination });
    logger.info({ event: LogEvent.kbReloaded, entries: 3 }, 'reloaded');
    logger.debug({ event: 'hidden' }, 'below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'kb.reloaded', entries: 3, msg: 'reloaded', level: 30 });
  });

  it('censors tokens, passwords and authorization headers at any usual depth', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', destination });
    logger.info({
      token: 'tok-1',
      req: { headers: { authorization: 'Bearer tok-2', cookie: 'sid=tok-3' } },
      config: { admin: { username: 'root', password: 'pw-4' } },
      body: { password: 'pw-5' },
    });
    const text = JSON.stringify(lines);
    for (const secret of ['tok-1', 'tok-2', 'tok-3', 'pw-4', 'pw-5']) expect(text).not.toContain(secret);
    expect(text).toContain('root');
    expect(lines[0]).toMatchObject({ token: '[redacted]', body: { password: '[redacted]' } });
  });

  it('writes stdout asynchronously and still flushes every line when the process exits at once', () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'bot', 'server', 'logger.ts')).href)});
      const logger = createLogger({ level: 'info' });
      for (let i = 0; i < 2000; i++) logger.info({ event: 'test.line', i }, 'line');
      logger.info({ event: 'server.stopping' }, 'shutting down');
      process.exit(0);`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2001);
    expect(lines.at(-1)).toMatchObject({ event: 'server.stopping' });
  });

  it('uncensoredLogger writes to the same place without the censoring pass (for lines of known fields only)', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', destination });
    uncensoredLogger(logger).info({ event: LogEvent.httpRequest, path: '/api/chat', status: 200 }, 'request');
    logger.info({ token: 'tok-1' });
    expect(lines[0]).toMatchObject({ event: 'http.request', path: '/api/chat', status: 200, service: 'telecom-chat' });
    expect(lines[1]).toMatchObject({ token: '[redacted]' });
  });
});
