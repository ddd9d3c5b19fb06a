// A TCP relay for outage tests: a client (a Redis link, a pg pool) connects through it to a real server, and the test
// cuts it (connections refused, as when the server stops) or stalls it (bytes held, as when the server or the
// network freezes with the socket still open).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpRelay {
  /** The local port (kept across cut() and reopen()). */
  readonly port: number;
  /** Stops listening and drops every connection: the next attempts are refused. */
  cut(): Promise<void>;
  /** Listens again on the same port after cut(). */
  reopen(): Promise<void>;
  /** Holds every byte, both ways, until resume(): no reply comes, no socket closes. */
  stall(): void;
  /** Delivers what was held, in order, and relays again. */
  resume(): void;
  close(): void;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
  const held: Array<() => void> = [];
  let server: Server | undefined;
  let port = 0;
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
  };
  const open = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        const forward = (to: Socket) => (chunk: Buffer) => {
          if (stalled) held.push(() => to.write(chunk));
          else to.write(chunk);
        };
        client.on('data', forward(upstream));
        upstream.on('data', forward(client));
        const end = () => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('close', end).on('error', end);
        upstream.on('close', end).on('error', end);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return port;
    },
    cut: () =>
      new Promise<void>((resolve) => {
        server!.close(() => resolve());
        dropAll();
      }),
    reopen: open,
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const write of held.splice(0)) write();
    },
    close() {
      dropAll();
      server?.close();
    },
  };
}
