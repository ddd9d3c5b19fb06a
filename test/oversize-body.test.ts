// A body over the limit is refused before it is read (413), so the rest of it is still on the socket and the
// connection cannot carry another request: the 413 says `Connection: close`, and a keep-alive client's next
// request goes out on a fresh socket and succeeds.
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './service-kit.ts';

const live = useTestServer('oversize-body-');

/** The response head of a raw request that announces a large body and sends only its start. */
function rawHead(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.on('error', reject);
    socket.write(
      'POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n' +
        'Content-Length: 200000\r\n\r\n{"text":"' + 'x'.repeat(100),
    );
  });
}

function request(agent: http.Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('an oversize body', () => {
  it('gets 413 with Connection: close', async () => {
    const head = await rawHead(live.server.port);
    expect(head).toMatch(/^HTTP\/1\.1 413/);
    expect(head.toLowerCase()).toContain('connection: close');
  });

  it('does not break a keep-alive client: its next request succeeds', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = JSON.stringify({ text: 'x'.repeat(300_000) });
      const refused = await request(agent, live.server.port, 'POST', '/api/chat', big);
      expect(refused.status).toBe(413);
      expect(refused.headers.connection).toBe('close');
      for (let i = 0; i < 3; i++) expect((await request(agent, live.server.port, 'GET', '/healthz')).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
