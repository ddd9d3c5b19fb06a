// The cluster bench's load balancer: each request goes to the next node in turn over kept-alive connections,
// as nginx's default upstream does; small on purpose, so that what it costs per request stays small and is
// measured on its own (it runs in a process of its own, see balancer-process.ts).
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Hop-by-hop headers (RFC 9110 7.6.1) describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** Connections kept open to each node: more than the bench's concurrent requests, so none waits for a socket. */
const SOCKETS_PER_NODE = 64;

function forwarded(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** Listens on 127.0.0.1 (a free port) in front of the nodes on `ports`. */
export async function startRoundRobinBalancer(ports: readonly number[]): Promise<{ port: number; server: Server }> {
  if (ports.length === 0) throw new Error('bench cluster: a balancer needs at least one node');
  const agents = ports.map(() => new Agent({ keepAlive: true, maxSockets: SOCKETS_PER_NODE }));
  let next = 0;
  const server = createServer((req, res) => {
    const i = next++ % ports.length;
    const upstream = request(
      { host: '127.0.0.1', port: ports[i], method: req.method, path: req.url, headers: forwarded(req.headers), agent: agents[i] },
      (up) => {
        res.writeHead(up.statusCode ?? 502, forwarded(up.headers));
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'bad_gateway', message: `balancer: node on port ${ports[i]}: ${err.message}` } }));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, server };
}
