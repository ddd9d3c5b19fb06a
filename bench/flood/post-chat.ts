// One POST /api/chat over node's http module from a chosen client address, on a keep-alive agent: the
// flood bench's visitors and its attacker both speak through this so that each is a distinct address.
import http from 'node:http';

export interface ChatPost {
  /** Service origin, e.g. http://127.0.0.1:3000. */
  url: string;
  /** Keep-alive agent the request travels on (one socket per visitor, several for the attacker). */
  agent: http.Agent;
  /** Source address of the connection (any 127.x.y.z on Linux loopback): the server keys its per-IP limits on it. */
  localAddress: string;
  text: string;
  /** Continue this conversation (with `token`); without it the request starts a new one. */
  conversationId?: string;
  token?: string;
  /** Read and parse the JSON answer (conversation set-up); otherwise the body is drained unread. */
  readBody?: boolean;
}

export interface ChatAnswer {
  /** HTTP status; 0 when the request failed on the network (see `error`). */
  status: number;
  /** From writing the request to the last byte of the response, ms. */
  ms: number;
  json?: { conversationId?: string; token?: string };
  error?: string;
}

export function postChat(post: ChatPost): Promise<ChatAnswer> {
  const payload = JSON.stringify({ text: post.text, ...(post.conversationId ? { conversationId: post.conversationId } : {}) });
  const { hostname, port } = new URL(post.url);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/api/chat',
        agent: post.agent,
        localAddress: post.localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(post.token ? { authorization: `Bearer ${post.token}` } : {}),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.once('error', (err) => resolve({ status: 0, ms: performance.now() - started, error: err.message }));
        if (!post.readBody) {
          res.resume();
          res.once('end', () => resolve({ status, ms: performance.now() - started }));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => {
          const ms = performance.now() - started;
          try {
            resolve({ status, ms, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatAnswer['json'] });
          } catch {
            resolve({ status, ms, error: 'response is not JSON' });
          }
        });
      },
    );
    req.once('error', (err) => resolve({ status: 0, ms: performance.now() - started, error: err.message }));
    req.end(payload);
  });
}
