// The multi-node harness itself, on one node of the embedded default (no PostgreSQL or Redis needed): the proxy
// streams events as they are written and passes the client address on, skips a node that is down, and the
// node ends by SIGTERM (cleanly) and by SIGKILL (its streams are cut). The cluster tests rely on all of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../services/local-services.ts';
import { ADMIN, copyKnowledge, startNode, type ServerNode } from './cluster-kit.ts';
import { handedOff, signInAdmin, streams, visitorCall } from './cluster-clients.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';

let work: string;
let node: ServerNode;
let proxy: RoundRobinProxy;
let deadPort: number;
const live = streams();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tc-kit-'));
  node = await startNode({
    HOST: '127.0.0.1', DATA_DIR: path.join(work, 'data'), KNOWLEDGE_DIR: copyKnowledge(path.join(work, 'knowledge')),
    ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, BUSINESS_HOURS: 'always', TRUSTED_PROXIES: 'loopback',
  }, 'solo');
  // Nothing listens there: the proxy must pass over it to the live node.
  deadPort = await freePort();
  proxy = await startRoundRobinProxy(() => [{ name: 'down', port: deadPort }, { name: 'solo', port: node.port }]);
}, 120_000);

afterAll(async () => {
  live.closeAll();
  await proxy?.close();
  await node?.stop();
  rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('the cluster harness', () => {
  it('proxies to the live node only, passes X-Forwarded-For on, and streams events while the response is open', async () => {
    // The address the admin sees is the one the client claimed: the proxy appended its hop, the node trusts loopback.
    const { visitor } = await handedOff(proxy.url, '198.18.200.7');
    const admin = await signInAdmin(proxy.url);
    const view = await admin.call(proxy.url, 'GET', `/api/agent/conversations/${visitor.id}`);
    expect(view.status).toBe(200);
    expect(view.json.visitor.ip).toBe('198.18.200.7');
    expect(new Set(proxy.served)).toEqual(new Set(['solo']));

    // An event written after the stream opened arrives through the proxy while the stream stays open: nothing buffers.
    const stream = await live.visitor(proxy.url, visitor);
    await stream.waitFor((e) => e.event === 'ready', 5000);
    await admin.call(proxy.url, 'POST', `/api/agent/conversations/${visitor.id}/take`);
    await stream.waitFor((e) => e.event === 'status' && e.json.status === 'assigned', 5000);
    expect(stream.isEnded).toBe(false);
    // A visitor call from another address is its own client (a different X-Forwarded-For).
    expect((await visitorCall(proxy.url, { ...visitor, address: '198.18.200.8' }, 'GET', `/api/conversations/${visitor.id}/messages`)).status).toBe(200);
  });

  it('kill() ends the process at once: a stream through the proxy ends, and the proxy then answers 502', async () => {
    const { visitor } = await handedOff(node.url);
    const stream = await live.visitor(proxy.url, visitor);
    await stream.waitFor((e) => e.event === 'ready', 5000);
    const exit = await node.kill();
    expect(exit.signal).toBe('SIGKILL');
    expect(node.running).toBe(false);
    // No farewell event: the process had no chance to say goodbye, as when a machine dies.
    await stream.ended;
    expect(stream.events.some((e) => e.event === 'server_restarting')).toBe(false);
    const res = await fetch(`${proxy.url}/healthz`);
    expect(res.status).toBe(502);
  });
});
