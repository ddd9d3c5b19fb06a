// The live bench's floor: a bare node:http SSE relay with the service's fan-out (each message to the
// visitor's stream and the agent's stream) and nothing else: no auth, no store, no framework, no queue.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { installMemoryProbe } from './memory-probe.ts';
import type { ProbeReply } from './live-protocol.ts';

/** The service's defaults: a heartbeat timer per stream (LIVE_HEARTBEAT_MS) and the `retry:` hint. */
const HEARTBEAT_MS = 15_000;
const RETRY_MS = 3_000;

const channels = new Map<string, Set<http.ServerResponse>>();
let nextId = 0;

function subscribe(channel: string, res: http.ServerResponse): void {
  let set = channels.get(channel);
  if (!set) channels.set(channel, (set = new Set()));
  set.add(res);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  res.on('close', () => {
    clearInterval(heartbeat);
    set.delete(res);
    if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
  });
}

function publish(channel: string, frame: string): void {
  for (const res of channels.get(channel) ?? []) res.write(frame);
}

const server = http.createServer((req, res) => {
  const parts = (req.url ?? '').split('/');
  // GET /events/v/<conversation> | /events/a/<agent>
  if (req.method === 'GET' && parts[1] === 'events' && parts.length === 4) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(`retry: ${RETRY_MS}\n\nevent: ready\ndata: {}\n\n`);
    subscribe(`${parts[2]}:${parts[3]}`, res);
    return;
  }
  // POST /send/<conversation>/<agent> {author, text}
  if (req.method === 'POST' && parts[1] === 'send' && parts.length === 4) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { author, text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { author: string; text: string };
      const id = ++nextId;
      const conversationId = parts[2]!;
      const data = JSON.stringify({ conversationId, id, author, text, createdAt: new Date().toISOString() });
      const frame = `event: message\nid: ${id}\ndata: ${data}\n\n`;
      publish(`v:${conversationId}`, frame);
      publish(`a:${parts[3]}`, frame);
      const body = JSON.stringify({ message: { id } });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    return;
  }
  res.writeHead(404).end();
});

installMemoryProbe();
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
server.listen(0, '127.0.0.1', () => {
  const reply: ProbeReply = { type: 'listening', port: (server.address() as AddressInfo).port };
  process.send?.(reply);
});
