// PostgreSQL or Redis briefly unreachable under two real nodes (README, "Running several nodes"): requests answer a
// clear 503 with Retry-After (never a 500, never a hang), no acknowledged message is lost or stored twice, live
// streams stay open or come back, and the same node processes serve again once the server is back, without a
// restart. PostgreSQL is stopped (fast shutdown) and frozen (SIGSTOP: sockets open, no reply); Redis is stopped
// with its data and without. This file stops and restarts servers, so it runs on a PostgreSQL and a Redis of its own.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { connectSse, type SseClient } from '../../handoff/testing/sse-test-client.ts';
import { postgresAvailable, redisAvailable, startPostgres, startRedis, type LocalService } from '../services/local-services.ts';
import { sleep, startCluster, type Cluster } from './cluster-kit.ts';
import {
  arrivesWithin, countSystem, createAgent, eventually, handedOff, newAddress, signInAdmin, take, transcript,
  type Agent, type Visitor,
} from './cluster-clients.ts';

/** LIVE_HEARTBEAT_MS here: a stream reads what it missed from the database every second. */
const HEARTBEAT_MS = 1000;
/**
 * PRESENCE_GRACE_SECONDS here: longer than a database outage below plus a reconnect, so the main agent's chat stays
 * hers while her stream is away; short enough for another agent's grace to be made to end during an outage.
 */
const GRACE_SECONDS = 15;
/** How long each server stays down: several heartbeats, presence refreshes and lease renewals. */
const OUTAGE_MS = 8000;
/** The README's bound for a request that needs the database: 503 after at most 5 s. Some slack for two busy cores. */
const ANSWER_WITHIN_MS = 10_000;
/** Without Redis, a request that does not need it (a visitor's message) answers as usual: well within this. */
const NOT_SLOWED_MS = 2000;
/**
 * A frozen PostgreSQL: long enough for the queries waiting on open connections to give up, which they do 2 s after
 * the statement timeout (10 s; handoff/postgres/pg-db.ts), while new connections give up after 5 s.
 */
const FROZEN_MS = 20_000;
const FROZEN_ANSWER_WITHIN_MS = 10_000 + 2_000 + 3_000;
/** "The same nodes serve again within seconds": from the server's return to a success on every node. */
const RECOVER_WITHIN_MS = 10_000;

/** How the database goes away and comes back. */
interface DatabaseOutage {
  what: string;
  begin(): Promise<void> | void;
  end(): Promise<void> | void;
  /** How long it stays away. */
  ms: number;
  /** Every request answers within this, success or 503. */
  answerWithinMs: number;
}

interface Answer {
  status: number;
  json: any;
  retryAfter: string | null;
  ms: number;
}

/** One HTTP request with its time; a request that takes longer than `hangMs` counts as a hang (status 0). */
async function request(url: string, init: { method: string; headers?: Record<string, string>; body?: unknown }, hangMs = 20_000): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: init.method,
      headers: { ...init.headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(hangMs),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
  } catch (err) {
    return { status: 0, json: String(err), retryAfter: null, ms: Date.now() - started };
  }
}

const visitorHeaders = (v: Visitor) => ({ authorization: `Bearer ${v.token}`, 'x-forwarded-for': v.address });
const agentHeaders = (a: Agent, base: string) => ({ cookie: a.cookie, origin: base });

/**
 * What an answer during an outage may be: the success, or the README's 503 (`unavailable` with Retry-After 5, or
 * `busy` with Retry-After 1) in time. A 500 is a bug; a status 0 is a hang or a dropped connection.
 */
function expectSuccessOr503(a: Answer, success: number, what: string, withinMs = ANSWER_WITHIN_MS): void {
  expect(a.ms, `${what} took ${a.ms} ms`).toBeLessThan(withinMs);
  if (a.status === success) return;
  expect(a.status, `${what}: ${JSON.stringify(a.json)}`).toBe(503);
  expect(['unavailable', 'busy'], `${what}: ${JSON.stringify(a.json)}`).toContain(a.json?.error?.code);
  expect(a.retryAfter, `${what}: Retry-After`).toBe(a.json.error.code === 'busy' ? '1' : '5');
}

/**
 * One live stream kept open the way the widget and the console keep theirs: when it ends, it is opened again
 * (every 250 ms until a 200) with the id of the last event received as Last-Event-ID. Failed attempts are kept.
 */
class KeptStream {
  readonly segments: SseClient[] = [];
  readonly refused: Array<{ status: number; error: any }> = [];
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly open: (lastEventId: string | undefined) => Promise<SseClient>) {}

  async start(): Promise<void> {
    await this.connect();
    this.loop = (async () => {
      while (!this.stopped) {
        await Promise.race([this.segments.at(-1)!.ended, sleep(250)]);
        if (this.stopped) return;
        if (this.segments.at(-1)!.isEnded) await this.connect();
      }
    })();
  }

  private lastId(): string | undefined {
    for (const segment of [...this.segments].reverse()) {
      const last = [...segment.events].reverse().find((e) => e.id !== undefined);
      if (last) return last.id;
    }
    return undefined;
  }

  private async connect(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      let s: SseClient;
      try {
        s = await this.open(this.lastId());
      } catch (err) {
        // The node did not answer at all (reset): counted as a refusal with no status.
        this.refused.push({ status: 0, error: String(err) });
        await sleep(250);
        continue;
      }
      if (s.status === 200) {
        this.segments.push(s);
        await s.waitFor((e) => e.event === 'ready', 10_000).catch(() => undefined);
        return;
      }
      this.refused.push({ status: s.status, error: s.error });
      await sleep(250);
    }
  }

  /** Every event received over every segment, in order. */
  events(): SseClient['events'] {
    return this.segments.flatMap((s) => s.events);
  }

  /**
   * An agent stream's position when it began to follow `conversationId`: the last id received before the chat's
   * `assigned`, or the id of a `ready` that listed it. Messages after it must all arrive; those before it are the
   * transcript's (the console loads it on `assigned`), since the stream's one cursor may have passed them already
   * on a message of another chat the agent holds (handoff/live/agent-stream.ts).
   */
  followedFrom(conversationId: string): number | undefined {
    let last: number | undefined;
    for (const e of this.events()) {
      if (e.event === 'ready' && (e.json?.conversations as string[] | undefined)?.includes(conversationId)) return Number(e.id);
      if (e.event === 'assigned' && e.json?.conversationId === conversationId) return last;
      if (e.id !== undefined) last = Number(e.id);
    }
    return undefined;
  }

  /** The ids of `conversationId`'s message events over every segment, in the order received. */
  messageIds(conversationId: string): number[] {
    return this.events().filter((e) => e.event === 'message' && e.json?.conversationId === conversationId).map((e) => Number(e.id));
  }

  /** The open segment (for arrivesWithin), once the stream is open. */
  current(): SseClient {
    return this.segments.at(-1)!;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.segments) s.close();
    await this.loop;
  }
}

/**
 * The error of a log line is the storage's, not a bug: a background job (idle sweep, requeue) that failed during the
 * outage and runs again on its next tick. The same faults the error handler answers with 503.
 */
function storageFaultLine(line: Record<string, any>): boolean {
  const err = line.err as { code?: string; type?: string; message?: string } | undefined;
  if (!err) return false;
  if (err.code && (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|53300)$/.test(err.code) || /^(08|57P0)/.test(err.code))) return true;
  return err.type === 'MaxRetriesPerRequestError' ||
    /^(timeout exceeded when trying to connect|Connection terminated|Query read timeout|Connection is closed\.|Command timed out|connect ECONNREFUSED)/.test(err.message ?? '');
}

/**
 * The nodes' log as it comes (a node keeps only its last lines): error-level lines (pino level 50 and up) but those
 * of storage faults, and how often each `event` was logged, per node.
 */
function watchLogs(cluster: Cluster) {
  const errorLines = new Map<string, Record<string, any>>();
  const counted = new Set<string>();
  const events = new Map<string, number>();
  const scan = () => {
    for (const node of Object.values(cluster.nodes)) {
      for (const line of node.logs()) {
        const key = `${node.name}:${node.pid}:${line.time}:${line.msg}:${line.reqId ?? line.requestId ?? ''}:${JSON.stringify(line).length}`;
        if (counted.has(key)) continue;
        counted.add(key);
        if (typeof line.event === 'string') events.set(`${node.name} ${line.event}`, (events.get(`${node.name} ${line.event}`) ?? 0) + 1);
        // A 503's request line is logged at error level too; the 503 itself is what the tests judge.
        const answered503 = line.event === 'http.request' && line.status === 503;
        if (typeof line.level === 'number' && line.level >= 50 && !answered503 && !storageFaultLine(line)) errorLines.set(key, { node: node.name, ...line });
      }
    }
  };
  const timer = setInterval(scan, 200);
  return {
    errors(): Array<Record<string, any>> {
      scan();
      return [...errorLines.values()];
    },
    /** How many lines of `event` node `name` logged so far. */
    count(name: string, event: string): number {
      scan();
      return events.get(`${name} ${event}`) ?? 0;
    },
    stop: () => clearInterval(timer),
  };
}

const dedicated = postgresAvailable() && redisAvailable();
if (!dedicated) console.warn('skipping the outage tests: they need Debian\'s postgresql and redis-server binaries to stop and restart servers of their own');

describeWithServices('PostgreSQL or Redis briefly unreachable', () => {
  describe.skipIf(!dedicated)('two nodes on a PostgreSQL and a Redis of their own', () => {
    let pg: LocalService | undefined;
    let redis: LocalService | undefined;
    let cluster: Cluster | undefined;
    let logs: ReturnType<typeof watchLogs> | undefined;
    let admin: Agent;
    const c = () => {
      if (!cluster) throw new Error('outage: the cluster did not start (see the beforeAll error)');
      return cluster;
    };
    const url = (name: string) => c().node(name).url;
    const kept: KeptStream[] = [];

    beforeAll(async () => {
      [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
      cluster = await startCluster({
        names: ['A', 'B'],
        services: { databaseUrl: pg.url, redisUrl: redis.url },
        env: { LIVE_HEARTBEAT_MS: String(HEARTBEAT_MS), PRESENCE_GRACE_SECONDS: String(GRACE_SECONDS) },
      });
      logs = watchLogs(cluster);
      admin = await signInAdmin(url('A'));
    }, 240_000);

    afterEach(({ task }) => {
      if (task.result?.state === 'fail' && cluster) console.error(`${task.name}: the nodes' last log lines\n${cluster.report(80)}`);
    });

    afterAll(async () => {
      await Promise.all(kept.splice(0).map((k) => k.stop()));
      logs?.stop();
      // A failed test may have left a server down or frozen: the nodes stop cleanly only with both back.
      pg?.thaw();
      redis?.thaw();
      await pg?.restart().catch(() => {});
      await redis?.restart().catch(() => {});
      await cluster?.close();
      await Promise.all([pg?.stop(), redis?.stop()]);
    }, 120_000);

    function keep(open: (lastEventId: string | undefined) => Promise<SseClient>): KeptStream {
      const k = new KeptStream(open);
      kept.push(k);
      return k;
    }
    const visitorStream = (base: string, v: Visitor) =>
      keep((last) => connectSse(`${base}/api/conversations/${v.id}/events`, { ...visitorHeaders(v), ...(last ? { 'last-event-id': last } : {}) }));
    const agentStream = (base: string, a: Agent) =>
      keep((last) => connectSse(`${base}/api/agent/events`, { ...agentHeaders(a, base), ...(last ? { 'last-event-id': last } : {}) }));

    /**
     * The nodes are alive and none logged an error-level line but a storage fault's (a 500, an unhandled rejection, a
     * failed listener are bugs; a background job failing while the database is away is not).
     */
    function expectHealthyNodes(when: string): void {
      for (const node of Object.values(c().nodes)) expect(node.running, `node ${node.name} is running ${when}`).toBe(true);
      expect(logs!.errors(), `error-level log lines ${when}`).toEqual([]);
      for (const node of Object.values(c().nodes)) {
        expect(node.tail(400), `node ${node.name}'s output ${when}`).not.toMatch(/unhandled|uncaught/i);
      }
    }

    /**
     * A handed-off chat between a visitor on A and an agent on B, both writing on both nodes (with client message
     * ids) while reads and new chats go on, through `outage` of the database: checks every answer, the recovery,
     * the retries of refused messages, the transcript and both live streams.
     */
    async function chatThroughDatabaseOutage(agentName: string, outage: DatabaseOutage): Promise<void> {
      const amy = await createAgent(admin, url('A'), agentName);
      // Amy's console on B, away: the chat waits for her take; her stream is where agent events are counted.
      const amyStream = agentStream(url('B'), amy);
      await amyStream.start();
      expect((await amy.call(url('B'), 'POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
      const { visitor } = await handedOff(url('A'));
      await take(url('B'), amy, visitor.id);
      const visitorLive = visitorStream(url('A'), visitor);
      await visitorLive.start();

      // Another agent, whose console on A goes away so that his grace period ends in the middle of the outage:
      // going offline happens once, and his chat must still go back to the queue (once) when the database can
      // take it, or it would stay with nobody.
      const leaver = await createAgent(admin, url('A'), `${agentName}-left`);
      const leaverStream = agentStream(url('A'), leaver);
      await leaverStream.start();
      expect((await leaver.call(url('A'), 'POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
      const { visitor: leftBehind } = await handedOff(url('B'));
      await take(url('A'), leaver, leftBehind.id);
      await leaverStream.stop();
      const leftAt = Date.now();
      const graceEndsAt = leftAt + GRACE_SECONDS * 1000;
      const beginAt = graceEndsAt - outage.ms / 2;
      await sleep(beginAt - 2000 - Date.now());

      type Sent = { who: 'visitor' | 'agent'; node: string; cid: string; text: string; at: number; answer: Answer };
      const sent: Sent[] = [];
      const other: Array<{ what: string; node: string; at: number; answer: Answer; success: number }> = [];
      let writing = true;
      const nodes = ['A', 'B'];
      // Paced under the per-conversation limit (30, then one every 2 s) with the retries below.
      const visitorWrites = (async () => {
        for (let i = 0; writing; i++) {
          const node = nodes[i % 2]!;
          const cid = `v-${i}`;
          const text = `visitor says ${cid}`;
          const at = Date.now();
          const answer = await request(`${url(node)}/api/chat`, { method: 'POST', headers: visitorHeaders(visitor), body: { text, conversationId: visitor.id, clientMessageId: cid } });
          sent.push({ who: 'visitor', node, cid, text, at, answer });
          await sleep(600);
        }
      })();
      const agentWrites = (async () => {
        for (let i = 0; writing; i++) {
          const node = nodes[(i + 1) % 2]!;
          const cid = `a-${i}`;
          const text = `agent says ${cid}`;
          const at = Date.now();
          const answer = await request(`${url(node)}/api/agent/conversations/${visitor.id}/messages`, { method: 'POST', headers: agentHeaders(amy, url(node)), body: { text, clientMessageId: cid } });
          sent.push({ who: 'agent', node, cid, text, at, answer });
          await sleep(300);
        }
      })();
      // Reads and new chats too: an agent's list, a new visitor, a transcript read.
      const otherCalls = (async () => {
        for (let i = 0; writing; i++) {
          const node = nodes[i % 2]!;
          const calls: Array<[string, number, () => Promise<Answer>]> = [
            ['GET /api/agent/conversations', 200, () => request(`${url(node)}/api/agent/conversations`, { method: 'GET', headers: agentHeaders(amy, url(node)) })],
            ['POST /api/chat (new)', 200, () => request(`${url(node)}/api/chat`, { method: 'POST', headers: { 'x-forwarded-for': newAddress() }, body: { text: '你好' } })],
            ['GET messages', 200, () => request(`${url(node)}/api/conversations/${visitor.id}/messages`, { method: 'GET', headers: visitorHeaders(visitor) })],
            ['GET /api/agent/queue', 200, () => request(`${url(node)}/api/agent/queue`, { method: 'GET', headers: agentHeaders(amy, url(node)) })],
          ];
          const [what, success, call] = calls[i % calls.length]!;
          const at = Date.now();
          other.push({ what, node, at, success, answer: await call() });
          await sleep(250);
        }
      })();

      await sleep(beginAt - Date.now());
      const haltedAt = Date.now();
      await outage.begin();
      await sleep(outage.ms);
      const downUntil = Date.now();
      await outage.end();
      const backAt = Date.now();

      // Every node answers a visitor's and an agent's write again, without a restart.
      const recovered = await eventually('both nodes take a visitor message and an agent message again', () => {
        const ok = (who: string, node: string, status: number) => sent.some((s) => s.who === who && s.node === node && s.at >= backAt && s.answer.status === status);
        return nodes.every((n) => ok('visitor', n, 200) && ok('agent', n, 201)) ? Date.now() : undefined;
      }, RECOVER_WITHIN_MS + 20_000, 100);
      const recoveredAfterMs = recovered - backAt;
      await sleep(2000);
      writing = false;
      await Promise.all([visitorWrites, agentWrites, otherCalls]);

      // Before the outage, everything succeeded; during it, every answer was a success or a clear 503 in time.
      for (const s of sent) expectSuccessOr503(s.answer, s.who === 'visitor' ? 200 : 201, `${s.who} ${s.cid} on ${s.node} at +${s.at - haltedAt} ms`, outage.answerWithinMs);
      for (const o of other) expectSuccessOr503(o.answer, o.success, `${o.what} on ${o.node} at +${o.at - haltedAt} ms`, outage.answerWithinMs);
      expect(sent.filter((s) => s.at < haltedAt - 100).every((s) => s.answer.status === (s.who === 'visitor' ? 200 : 201)), 'every write before the outage succeeded').toBe(true);
      // The outage was felt on both nodes, by writes and by the other calls: otherwise nothing here was tested.
      for (const n of nodes) {
        expect(sent.filter((s) => s.node === n && s.answer.status === 503).length, `503s of writes on ${n}`).toBeGreaterThan(0);
      }
      expect(other.filter((o) => o.answer.status === 503).length, '503s of the other calls').toBeGreaterThan(0);
      // "Within seconds": the two nodes served again soon after the database was back.
      expect(recoveredAfterMs, 'from the database\'s return to a success on both nodes').toBeLessThan(RECOVER_WITHIN_MS);
      expect(downUntil - haltedAt).toBeGreaterThanOrEqual(outage.ms);
      // The leaver's grace (and the leader's sweep after it) ended while the database was away.
      expect(haltedAt).toBeLessThan(graceEndsAt);
      expect(downUntil).toBeGreaterThan(graceEndsAt + 1000);

      // The widget and the console retry a refused message with the same client message id: stored once.
      // The last of each side twice (a retry whose answer was lost, retried again): still once.
      const refused = sent.filter((s) => s.answer.status !== (s.who === 'visitor' ? 200 : 201));
      for (const s of refused) {
        const last = [...refused].reverse().find((r) => r.who === s.who) === s;
        for (let attempt = 0; attempt < (last ? 2 : 1); attempt++) {
          const retried = s.who === 'visitor'
            ? await request(`${url('B')}/api/chat`, { method: 'POST', headers: visitorHeaders(visitor), body: { text: s.text, conversationId: visitor.id, clientMessageId: s.cid } })
            : await request(`${url('A')}/api/agent/conversations/${visitor.id}/messages`, { method: 'POST', headers: agentHeaders(amy, url('A')), body: { text: s.text, clientMessageId: s.cid } });
          expect(retried.status, `retry ${attempt + 1} of ${s.who} ${s.cid}: ${JSON.stringify(retried.json)}`).toBe(s.who === 'visitor' ? 200 : 201);
        }
      }

      // Every message sent (acknowledged at once, or after its retry) is in the transcript exactly once.
      const { status, messages } = await transcript(url('A'), visitor);
      expect(status).toBe('assigned');
      const count = (text: string) => messages.filter((m) => m.text === text).length;
      const wrong = sent.filter((s) => count(s.text) !== 1).map((s) => `${s.cid} (${s.answer.status}): ${count(s.text)}`);
      expect(wrong, 'messages not stored exactly once').toEqual([]);
      expect(messages.filter((m) => m.author === 'visitor' || m.author === 'agent').length - 1, 'nothing else was stored (but the first 转人工)').toBe(sent.length);

      // The streams stayed open or came back, and over their segments hold every message once, in order.
      const lastId = messages.at(-1)!.id;
      await eventually('the visitor stream reaches the last message', () => (visitorLive.messageIds(visitor.id).at(-1) === lastId ? true : undefined), 10_000);
      await eventually('the agent stream reaches the last message', () => (amyStream.messageIds(visitor.id).at(-1) === lastId ? true : undefined), 10_000);
      expect(visitorLive.messageIds(visitor.id), `visitor stream over ${visitorLive.segments.length} segments`).toEqual(messages.map((m) => m.id));
      // From where the agent's stream began to follow the chat (she may hold another: see followedFrom).
      const from = amyStream.followedFrom(visitor.id);
      expect(from, "the agent stream's assigned event for the chat").toBeDefined();
      expect(amyStream.messageIds(visitor.id).filter((id) => id > from!), `agent stream over ${amyStream.segments.length} segments`)
        .toEqual(messages.filter((m) => m.id > from!).map((m) => m.id));
      for (const k of [visitorLive, amyStream]) {
        for (const r of k.refused) expect(r.status, `a stream refused during the outage: ${JSON.stringify(r.error)}`).toBe(503);
      }
      // The leaver's chat is back in the queue once the database can take it, and its visitor was told once.
      await eventually("the chat of the agent who went offline during the outage is queued", async () =>
        ((await transcript(url('A'), leftBehind)).status === 'queued' ? true : undefined), 30_000, 500);
      await sleep(3000);
      const behind = await transcript(url('B'), leftBehind);
      expect(behind.status).toBe('queued');
      expect(countSystem(behind.messages, 'requeued'), 'requeued notes').toBe(1);
      expectHealthyNodes(`after the outage (${outage.what})`);
      // The outage was reported as such (storage.unavailable), on each node.
      for (const n of nodes) expect(logs!.count(n, 'storage.unavailable'), `storage.unavailable lines of ${n}`).toBeGreaterThan(0);
      await Promise.all([visitorLive.stop(), amyStream.stop()]);
    }

    it('PostgreSQL stops: 503 with Retry-After, never a 500; the same nodes serve again; every acknowledged message is stored once', async () => {
      await chatThroughDatabaseOutage('amy', { what: 'PostgreSQL stopped', begin: () => pg!.halt(), end: () => pg!.restart(), ms: OUTAGE_MS, answerWithinMs: ANSWER_WITHIN_MS });
    }, 240_000);

    // Once skipped as a gap in the agent's stream after the freeze (the chat's first two messages missing). It was no
    // gap: the chat the previous case leaves queued was given to this agent while still online, its note moved the
    // agent's stream past the new chat's first messages before the agent held it, and the check counted from the first
    // `ready` instead of from where the stream began to follow the chat (followedFrom; live-routes.test.ts shows it).
    it('PostgreSQL freezes (sockets open, no reply): 503 after the statement timeout at most, never a hang; everything resumes when it does', async () => {
      await chatThroughDatabaseOutage('fay', {
        what: 'PostgreSQL frozen',
        begin: () => pg!.freeze(),
        end: () => pg!.thaw(),
        ms: FROZEN_MS,
        answerWithinMs: FROZEN_ANSWER_WITHIN_MS,
      });
    }, 240_000);

    it('Redis stops: chat answers, sign-in is refused with a clear status, streams catch up from the database; afterwards live delivery, presence and the leader lease resume', async () => {
      const bob = await createAgent(admin, url('A'), 'bob');
      const carl = await createAgent(admin, url('A'), 'carl');
      const bobStream = agentStream(url('B'), bob);
      await bobStream.start();
      expect((await bob.call(url('B'), 'POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
      const { visitor } = await handedOff(url('A'));
      await take(url('B'), bob, visitor.id);
      const visitorLive = visitorStream(url('A'), visitor);
      await visitorLive.start();

      const typing = (node: string, on: boolean) =>
        request(`${url(node)}/api/conversations/${visitor.id}/typing`, { method: 'POST', headers: visitorHeaders(visitor), body: { typing: on } });
      const say = (node: string, text: string) =>
        request(`${url(node)}/api/chat`, { method: 'POST', headers: visitorHeaders(visitor), body: { text, conversationId: visitor.id } });
      const reply = (node: string, text: string) =>
        request(`${url(node)}/api/agent/conversations/${visitor.id}/messages`, { method: 'POST', headers: agentHeaders(bob, url(node)), body: { text } });
      const signIn = (node: string, username: string) =>
        request(`${url(node)}/api/agent/login`, { method: 'POST', headers: { origin: url(node), 'x-forwarded-for': newAddress() }, body: { username, password: `${username}-pass-123` } });
      const statusSeenOn = async (node: string, agent: Agent) =>
        ((await admin.call(url(node), 'GET', '/api/agent/colleagues')).json.colleagues as Array<{ id: string; status: string }>).find((x) => x.id === agent.id)?.status;
      /** Typing travels between nodes only through Redis (no database catch-up): it tells whether pub/sub works. */
      const typingSeen = (e: SseClient['events'][number]) => e.event === 'typing' && e.json?.conversationId === visitor.id && e.json.author === 'visitor';
      const messageSeen = (text: string) => (e: SseClient['events'][number]) => e.event === 'message' && e.json?.conversationId === visitor.id && e.json.text === text;

      // Before: the visitor on A and the agent on B are live to each other within 1 s.
      await arrivesWithin(bobStream.current(), 'typing on A seen on B before the outage', typingSeen, async () => expect((await typing('A', true)).status).toBe(204), 1000);
      await arrivesWithin(bobStream.current(), 'a message through A seen on B before the outage', messageSeen('before redis stops'),
        async () => expect((await say('A', 'before redis stops')).status).toBe(200), 1000);

      await redis!.halt();
      const haltedAt = Date.now();

      // The chat answers on both nodes (the request limits let it through), both ways, and not slowed down: a
      // limit that waited for Redis to fail each time would add seconds to every request of the outage.
      for (const [i, node] of ['A', 'B', 'A', 'B'].entries()) {
        const said = await say(node, `during redis outage ${i}`);
        expect(said.status, `visitor message ${i} on ${node} without Redis: ${JSON.stringify(said.json)}`).toBe(200);
        expect(said.ms, `visitor message ${i} on ${node}`).toBeLessThan(NOT_SLOWED_MS);
        const answered = await reply(node === 'A' ? 'B' : 'A', `agent during redis outage ${i}`);
        expect(answered.status, `agent message ${i} without Redis: ${JSON.stringify(answered.json)}`).toBe(201);
      }
      const fresh = await request(`${url('B')}/api/chat`, { method: 'POST', headers: { 'x-forwarded-for': newAddress() }, body: { text: '你好' } });
      expect(fresh.status, `a new conversation without Redis: ${JSON.stringify(fresh.json)}`).toBe(200);
      // Streams catch up from the database on their heartbeat: what was written on A reaches B, and back.
      await bobStream.current().waitFor(messageSeen('during redis outage 2'), 2 * HEARTBEAT_MS + 2000);
      await visitorLive.current().waitFor(messageSeen('agent during redis outage 3'), 2 * HEARTBEAT_MS + 2000);
      // A visitor whose page loads now opens a stream (the per-address stream cap lets it through, as the request
      // limits do) and reads from the database what was written on both nodes during the outage.
      const opened = Date.now();
      const pageLoad = await connectSse(`${url('B')}/api/conversations/${visitor.id}/events`, visitorHeaders(visitor));
      try {
        expect(pageLoad.status, `a visitor stream opened without Redis: ${JSON.stringify(pageLoad.error)}`).toBe(200);
        expect(Date.now() - opened).toBeLessThan(NOT_SLOWED_MS);
        await pageLoad.waitFor(messageSeen('agent during redis outage 3'), 5000);
        await arrivesWithin(pageLoad, 'an agent message through A reaches the stream opened on B without Redis', messageSeen('agent on A, stream on B'),
          async () => expect((await reply('A', 'agent on A, stream on B')).status).toBe(201), 2 * HEARTBEAT_MS + 2000);
      } finally {
        pageLoad.close();
      }
      // While typing, which has no database copy, does not cross: the live path between nodes really is cut.
      const typingFrom = bobStream.events().length;
      expect((await typing('A', false)).status).toBe(204);
      await sleep(1500);
      expect(bobStream.events().slice(typingFrom).filter(typingSeen), 'typing crossed nodes without Redis').toEqual([]);
      // Sign-in is refused while its limiter cannot count (guessing must not get cheaper), with a clear status.
      const refusedSignIn = await signIn('A', 'carl');
      expect([503, 429], `sign-in without Redis: ${JSON.stringify(refusedSignIn.json)}`).toContain(refusedSignIn.status);
      expect(refusedSignIn.retryAfter, 'sign-in refusal: Retry-After').not.toBeNull();
      expect(refusedSignIn.ms).toBeLessThan(ANSWER_WITHIN_MS);
      const remaining = OUTAGE_MS - (Date.now() - haltedAt);
      if (remaining > 0) await sleep(remaining);

      await redis!.restart();
      const backAt = Date.now();

      // Cross-node delivery resumes by itself: typing (pub/sub only) and a message through A reach B within 1 s.
      await eventually('typing on A seen on B within 1 s again', async () => {
        const from = bobStream.events().length;
        expect((await typing('A', true)).status).toBe(204);
        await sleep(1000);
        return bobStream.events().slice(from).some(typingSeen) ? true : undefined;
      }, RECOVER_WITHIN_MS, 0);
      const resumedAfterMs = Date.now() - backAt;
      await arrivesWithin(bobStream.current(), 'a message through A seen on B after the outage', messageSeen('after redis is back'),
        async () => expect((await say('A', 'after redis is back')).status).toBe(200), 1000);
      // Presence: a status chosen on B is what A shows within 1 s.
      expect((await bob.call(url('B'), 'POST', '/api/agent/status', { status: 'busy' })).status).toBe(200);
      await eventually("A sees bob's status chosen on B", async () => ((await statusSeenOn('A', bob)) === 'busy' ? true : undefined), 1000);
      // Sign-in works again.
      await eventually('sign-in works again', async () => ((await signIn('B', 'carl')).status === 200 ? true : undefined), RECOVER_WITHIN_MS, 250);
      // The leader lease is held again, and its timed jobs run: carl's console on A goes away, and after his grace
      // period (ended by the leader's sweep only) both nodes show him offline.
      const carlStream = agentStream(url('A'), carl);
      await carlStream.start();
      await eventually('B sees carl online', async () => ((await statusSeenOn('B', carl)) === 'online' ? true : undefined), 2000);
      await carlStream.stop();
      const carlLeftAt = Date.now();
      await eventually('carl offline on both nodes after his grace period', async () =>
        ((await statusSeenOn('A', carl)) === 'offline' && (await statusSeenOn('B', carl)) === 'offline' ? true : undefined), GRACE_SECONDS * 1000 + 10_000, 250);
      expect(Date.now() - carlLeftAt, 'not before his grace period ended').toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 500);
      const leaseHolder = new Redis(redis!.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await leaseHolder.get(`${c().redisPrefix}leader`), 'a node holds the leader lease').toBeTruthy();
      } finally {
        leaseHolder.disconnect();
      }

      expect(resumedAfterMs, 'from Redis\'s return to live delivery between nodes').toBeLessThan(RECOVER_WITHIN_MS);
      expectHealthyNodes('after the Redis outage');
      for (const n of ['A', 'B']) expect(logs!.count(n, 'coordination.redis_failed'), `coordination.redis_failed lines of ${n}`).toBeGreaterThan(0);
      await Promise.all([visitorLive.stop(), bobStream.stop()]);
    }, 240_000);

    it('Redis restarts empty: presence follows Redis again on every node (an agent whose choice was lost is away), and changes flow as before', async () => {
      const gil = await createAgent(admin, url('A'), 'gil');
      const gilStream = agentStream(url('B'), gil);
      await gilStream.start();
      const statusOf = async (node: string) =>
        ((await admin.call(url(node), 'GET', '/api/agent/colleagues')).json.colleagues as Array<{ id: string; status: string }>).find((x) => x.id === gil.id)?.status;
      // A few changes, so that the nodes' copies have a version well above what a fresh Redis starts from.
      for (const status of ['away', 'online', 'busy'] as const) expect((await gil.call(url('B'), 'POST', '/api/agent/status', { status })).status).toBe(200);
      await eventually('both nodes see gil busy', async () => ((await statusOf('A')) === 'busy' && (await statusOf('B')) === 'busy' ? true : undefined), 2000);

      // Without persistence a stopped Redis comes back with nothing: statuses, connection counts, the lease.
      await redis!.halt({ keepData: false });
      await sleep(3000);
      const from = gilStream.events().length;
      await redis!.restart();
      const backAt = Date.now();
      // B, where his console is connected, writes its counts again; his choice is gone, so he is away (as after a
      // restart, never online by default: chats would be given to someone who may have chosen otherwise), his
      // console is told, and both nodes show it within a presence refresh (5 s) instead of keeping the old copy.
      await eventually('both nodes see gil away after the empty restart', async () =>
        ((await statusOf('A')) === 'away' && (await statusOf('B')) === 'away' ? true : undefined), RECOVER_WITHIN_MS, 250);
      const followedAfterMs = Date.now() - backAt;
      expect(gilStream.events().slice(from).some((e) => e.event === 'presence' && e.json?.agentId === gil.id && e.json.status === 'away'), "gil's console told he is away").toBe(true);
      // From then on a change made on one node is seen on the other within 1 s, as before.
      expect((await gil.call(url('B'), 'POST', '/api/agent/status', { status: 'online' })).status).toBe(200);
      await eventually('A sees the status chosen on B', async () => ((await statusOf('A')) === 'online' ? true : undefined), 1000);
      // The lease is held again.
      await eventually('a node holds the leader lease', async () => {
        const client = new Redis(redis!.url, { maxRetriesPerRequest: 1 });
        try {
          return (await client.get(`${c().redisPrefix}leader`)) ? true : undefined;
        } finally {
          client.disconnect();
        }
      }, RECOVER_WITHIN_MS, 250);
      expect(followedAfterMs, 'from the empty Redis to both nodes following it').toBeLessThan(RECOVER_WITHIN_MS);
      expectHealthyNodes('after Redis restarted empty');
      await gilStream.stop();
    }, 240_000);
  });
});
