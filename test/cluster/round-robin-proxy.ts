// A load balancer for the multi-node tests: each request goes to the next node in turn, SSE responses stream
// through unbuffered, and X-Forwarded-For is passed on (the client's value plus the hop it came from), as a real
// reverse proxy does, so tests act as many client addresses through it (the nodes trust loopback proxies).
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyTarget {
  /** The node's name (A, B, C): sent back in the `x-cluster-node` response header. */
  name: string;
  port: number;
}

export interface RoundRobinProxy {
  /** `http://127.0.0.1:port`. */
  url: string;
  port: number;
  /** Which node served each request so far, in order (names). */
  readonly served: string[];
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 7.6.1): they describe one connection, never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * The node never saw the request (down, restarting): the next node is tried, as nginx's proxy_next_upstream
 * does. Only a refused connection: a reset may come after the node acted on a POST, which must not run twice.
 */
const NOT_REACHED = new Set(['ECONNREFUSED']);

/**
 * Listens on 127.0.0.1 (a free port) in front of `targets()`, read on every request so a test may swap a
 * restarted node in. Request bodies are read whole first (small JSON), so a request whose node is down is
 * sent to the next one; responses are piped as they come.
 */
export async function startRoundRobinProxy(targets: () => readonly ProxyTarget[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served: string[] = [];
  const open = new Set<ServerResponse>();

  function forwardHeaders(req: IncomingMessage, body: Buffer): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    const hop = req.socket.remoteAddress ?? '127.0.0.1';
    const given = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = given ? `${Array.isArray(given) ? given.join(', ') : given}, ${hop}` : hop;
    headers['content-length'] = String(body.length);
    // Host stays the proxy's: the nodes judge same-origin requests by it, as behind a real proxy.
    return headers;
  }

  function attempt(req: IncomingMessage, res: ServerResponse, body: Buffer, tried: number): void {
    const list = targets();
    if (list.length === 0 || tried >= list.length) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'bad_gateway', message: 'proxy: no node answered' } }));
      return;
    }
    const target = list[next++ % list.length]!;
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardHeaders(req, body),
      // A connection per request: a killed node's pooled sockets would fail the next request.
      agent: false,
    });
    let answered = false;
    upstream.on('response', (up) => {
      answered = true;
      served.push(target.name);
      const headers: Record<string, string | string[]> = { 'x-cluster-node': target.name };
      for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      res.writeHead(up.statusCode ?? 502, headers);
      // Headers at once: an event stream's client waits for them before the first event.
      res.flushHeaders();
      up.on('data', (chunk: Buffer) => res.write(chunk));
      up.on('end', () => res.end());
      // The node died mid-response (kill -9): the client must see its stream end, as it would behind a real proxy.
      up.on('aborted', () => res.destroy());
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (!answered && NOT_REACHED.has(err.code ?? '') && !res.destroyed) {
        attempt(req, res, body, tried + 1);
        return;
      }
      res.destroy();
    });
    // The client went away (a test closed its stream): so does the request to the node.
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  }

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => attempt(req, res, Buffer.concat(chunks), 0));
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
