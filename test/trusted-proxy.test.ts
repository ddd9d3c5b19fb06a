// TRUSTED_PROXIES on the real service (startServer, real SQLite file, rate limits on): behind a trusted
// proxy each visitor gets its own per-address bucket from X-Forwarded-For, an entry the visitor wrote
// itself (left of the proxy's) is not believed, and without the setting the header is ignored entirely.
// The test connects from 127.0.0.1, standing in for a reverse proxy on the same machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../bot/server/config.ts';
import { createLogger } from '../bot/server/logger.ts';
import { startServer, type RunningServer } from '../bot/server/start-server.ts';

/** A question the shipped knowledge base answers: a turn that stays with the bot. */
const QUESTION = '充值卡密码几位';
/** Documentation addresses (RFC 5737) standing in for two visitors on the Internet. */
const VISITOR_A = '203.0.113.5';
const VISITOR_B = '203.0.113.66';

const dirs: string[] = [];
const servers: RunningServer[] = [];

async function start(env: Record<string, string>): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trusted-proxy-'));
  dirs.push(dataDir);
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, KNOWLEDGE_DIR: path.resolve(import.meta.dirname, '../knowledge'), ...env });
  expect(config.rateLimits).toBe(true);
  const server = await startServer(config, createLogger({ level: 'silent' }), 200);
  servers.push(server);
  return server;
}

/** Starts a conversation (the per-address creation limit, burst 30) with the given X-Forwarded-For. */
function startChat(server: RunningServer, forwardedFor: string): Promise<number> {
  const payload = JSON.stringify({ text: QUESTION });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/api/chat',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-forwarded-for': forwardedFor },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Starts conversations until one is refused with 429 (at most `max`); returns how many were accepted first. */
async function exhaust(server: RunningServer, forwardedFor: string, max = 100): Promise<number> {
  for (let i = 0; i < max; i++) {
    const status = await startChat(server, forwardedFor);
    if (status === 429) return i;
    expect(status).toBe(200);
  }
  throw new Error(`no 429 after ${max} new conversations from ${forwardedFor}`);
}

afterAll(async () => {
  for (const server of servers) await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('TRUSTED_PROXIES=loopback', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ TRUSTED_PROXIES: 'loopback' });
  }, 60_000);

  it('keys the limit on the forwarded client: one visitor is refused, another behind the same proxy is not', async () => {
    expect(await exhaust(server, VISITOR_A)).toBeGreaterThanOrEqual(30);
    expect(await startChat(server, VISITOR_A)).toBe(429);
    expect(await startChat(server, VISITOR_B)).toBe(200);
  }, 60_000);

  it('does not believe an entry the visitor wrote itself left of the address the proxy saw', async () => {
    // Visitor A (limited above) sends its own X-Forwarded-For naming a fresh address; the proxy appends A.
    expect(await startChat(server, `198.51.100.7, ${VISITOR_A}`)).toBe(429);
    expect(await startChat(server, `${VISITOR_B}, ${VISITOR_A}`)).toBe(429);
    // The same spoofed entry from B, who still has room: B's bucket is used (the spoof is not refused, just ignored).
    expect(await startChat(server, `${VISITOR_A}, ${VISITOR_B}`)).toBe(200);
  }, 60_000);
});

describe('TRUSTED_PROXIES not set', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({});
  }, 60_000);

  it('ignores X-Forwarded-For: every request from the socket address shares one bucket', async () => {
    expect(await exhaust(server, VISITOR_A)).toBeGreaterThanOrEqual(30);
    expect(await startChat(server, VISITOR_B)).toBe(429);
    expect(await startChat(server, '198.51.100.7')).toBe(429);
  }, 60_000);
});
