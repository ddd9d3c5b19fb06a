import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LogEvent } from './logger.ts';

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
});
