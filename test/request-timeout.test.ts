// REQUEST_TIMEOUT_SECONDS on the real service (startServer): a client that sends its headers and part of a body
// and then stalls is answered 408 and cut once the timeout has passed, instead of holding a socket and a request
// for Node's default 300 s; a live stream, a long response to a request received whole, stays open past it.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startChat, overFetch, streamKeeper } from './http-kit.ts';
import { useTestServer } from './service-kit.ts';

const streams = streamKeeper();
const live = useTestServer('request-timeout-', { env: { REQUEST_TIMEOUT_SECONDS: '1', LIVE_HEARTBEAT_MS: '1000' }, streams });

/** What a raw socket got until the server closed it (or `waitMs` passed), and when. */
function stall(port: number, head: string, waitMs: number): Promise<{ text: string; closedAfterMs: number | undefined }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect({ host: '127.0.0.1', port }, () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedAfterMs: undefined });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
}

describe('REQUEST_TIMEOUT_SECONDS', () => {
  it('answers 408 and closes the connection when a body stalls part-way', async () => {
    expect(live.server.config.requestTimeoutSeconds).toBe(1);
    const partial = [
      'POST /api/chat HTTP/1.1',
      `Host: 127.0.0.1:${live.server.port}`,
      'Content-Type: application/json',
      'Content-Length: 200',
      '',
      '{"text":"充值卡',
    ].join('\r\n');
    const { text, closedAfterMs } = await stall(live.server.port, partial, 6000);
    expect(closedAfterMs, 'the server kept the stalled request open').toBeDefined();
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    // The timeout (1 s) plus Node's check interval, never the 300 s default.
    expect(closedAfterMs!).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs!).toBeLessThan(4000);
  }, 20_000);

  it('cuts a request whose headers never end, too', async () => {
    const { text, closedAfterMs } = await stall(live.server.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `, 6000);
    expect(closedAfterMs).toBeDefined();
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('leaves a live stream open past the timeout: the limit is on receiving the request, not on the response', async () => {
    const chat = await startChat(overFetch(live.server.url));
    const stream = await streams.open(`${live.server.url}/api/conversations/${chat.id}/events`, { authorization: `Bearer ${chat.token}` });
    // Heartbeats every second for three seconds: three times the request timeout.
    await stream.waitForComments(3, 10_000);
    expect(stream.isEnded).toBe(false);
    stream.close();
  }, 20_000);
});
