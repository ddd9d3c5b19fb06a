// Test fixture for routing: a real SQLite file in a temp dir, a clock and timers the test moves, a hub that
// records events, agents in memory, and a Hono app mounting the agent, admin-group and visitor routes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { createErrorHandler, notFoundHandler } from '../http/error-handler.ts';
import { silentLog } from './silent-log.ts';
import type { Agent } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { adminGroupRoutes } from '../routing/admin-group-routes.ts';
import { agentQueueRoutes } from '../routing/agent-queue-routes.ts';
import type { Clock } from '../platform/clock.ts';
import type { Conversation, ConversationStore } from '../conversations/conversation-store.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { ForbiddenError, UnauthorizedError } from '../platform/errors.ts';
import { createGroups, type Groups, type GroupsOptions } from '../routing/groups.ts';
import { createMemoryHub, type Hub, type LiveEvent, type Topic } from '../platform/hub.ts';
import { createPresenceService, type PresenceService, type Timers } from '../routing/presence-service.ts';
import { createRouting, type AgentDirectory, type IntervalTimers, type Routing, type RoutingOptions } from '../routing/routing.ts';
import type { RoutingStore } from '../routing/routing-store.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteGroupStore } from '../routing/sqlite-group-store.ts';
import { createSqliteRoutingStore } from '../routing/sqlite-routing-store.ts';
import { createSqliteTicketStore } from '../routing/sqlite-ticket-store.ts';
import type { TicketStore } from '../routing/tickets.ts';
import { visitorRoutes } from '../conversations/visitor-routes.ts';

/** 2025-03-03 10:00 in Beijing (02:00 UTC): within the default 08:30-21:30. */
export const T0 = new Date('2025-03-03T02:00:00.000Z');

/** A clock plus timeouts and intervals that fire only when the test advances time. */
export interface ManualTime {
  clock: Clock;
  timers: Timers & IntervalTimers;
  /** Moves time on, firing due timers in order (each at its due time). */
  advance(ms: number): void;
  set(at: Date): void;
}

export function manualTime(start: Date = T0): ManualTime {
  let now = start.getTime();
  let nextId = 1;
  const pending = new Map<number, { due: number; callback: () => void; every?: number }>();
  const timers: ManualTime['timers'] = {
    setTimeout(callback, ms) {
      const id = nextId++;
      pending.set(id, { due: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    setInterval(callback, ms) {
      const id = nextId++;
      pending.set(id, { due: now + ms, callback, every: ms });
      return id;
    },
    clearInterval(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    clock: () => new Date(now),
    timers,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next: [number, { due: number; callback: () => void; every?: number }] | undefined;
        for (const entry of pending) if (entry[1].due <= end && (!next || entry[1].due < next[1].due)) next = entry;
        if (!next) break;
        const [id, timer] = next;
        now = timer.due;
        if (timer.every !== undefined) timer.due += timer.every;
        else pending.delete(id);
        timer.callback();
      }
      now = end;
    },
    set(at) {
      now = at.getTime();
    },
  };
}

export interface RecordingHub extends Hub {
  events: Array<{ topic: Topic; event: LiveEvent }>;
  /** Events of one topic (optionally one type), in order. */
  on(topic: Topic, type?: LiveEvent['type']): LiveEvent[];
}

export function recordingHub(): RecordingHub {
  const inner = createMemoryHub();
  const events: RecordingHub['events'] = [];
  return {
    events,
    publish(topic, event) {
      events.push({ topic, event });
      inner.publish(topic, event);
    },
    subscribe: inner.subscribe,
    on(topic, type) {
      return events.filter((e) => e.topic === topic && (type === undefined || e.event.type === type)).map((e) => e.event);
    },
  };
}

export interface MemoryAgents extends AgentDirectory {
  add(agent: Partial<Agent> & { id: string }): Agent;
  all(): Agent[];
}

export function memoryAgents(): MemoryAgents {
  const agents = new Map<string, Agent>();
  return {
    async get(id) {
      return agents.get(id);
    },
    add(partial) {
      const agent: Agent = {
        username: partial.id,
        displayName: `Agent ${partial.id}`,
        role: 'agent',
        groups: ['mobile'],
        capacity: 3,
        disabled: false,
        ...partial,
      };
      agents.set(agent.id, agent);
      return agent;
    },
    all: () => [...agents.values()],
  };
}

/** Stand-in for the session middleware: the agent named by the `x-agent` header. */
export function headerRequireAgent(agents: MemoryAgents): RequireAgent {
  return (role) => async (c, next) => {
    const agent = await agents.get(c.req.header('x-agent') ?? '');
    if (!agent || agent.disabled) throw new UnauthorizedError('sign in first');
    if (role === 'admin' && agent.role !== 'admin') throw new ForbiddenError('admins only');
    c.set('agent', agent);
    c.set('session', { id: `session-${agent.id}` });
    await next();
  };
}

export interface RoutingKit {
  dir: string;
  db: Db;
  time: ManualTime;
  hub: RecordingHub;
  agents: MemoryAgents;
  conversations: ConversationStore;
  store: RoutingStore;
  groups: Groups;
  presence: PresenceService;
  routing: Routing;
  tickets: TicketStore;
  app: Hono<AgentEnv>;
  /** A conversation in the bot's hands with one exchange (a visitor message and a bot reply). */
  conversation(options?: { lang?: 'zh' | 'en'; text?: string; visitor?: Conversation['visitor'] }): Promise<{ id: string; token: string }>;
  /** A conversation queued in `group` the way a chat turn queues it (reason `requested`). */
  queued(group?: string, options?: { lang?: 'zh' | 'en'; text?: string }): Promise<{ id: string; token: string }>;
  /** The agent connects (online) and the routing work that follows finishes. */
  online(...agentIds: string[]): Promise<void>;
  request(path: string, init?: { method?: string; agent?: string; body?: unknown; token?: string }): Promise<{ status: number; json: any }>;
  close(): void;
}

export interface RoutingKitOptions {
  start?: Date;
  groups?: Partial<GroupsOptions>;
  routing?: Partial<RoutingOptions>;
  graceMs?: number;
  /** The group a visitor's conversation goes to (visitor routes); default: the conversation's handoff group. */
  groupOf?: (conversation: Conversation) => string | undefined;
}

export function routingKit(options: RoutingKitOptions = {}): RoutingKit {
  const dir = mkdtempSync(path.join(tmpdir(), 'routing-'));
  const db = openDatabase(dir);
  const time = manualTime(options.start);
  const hub = recordingHub();
  const agents = memoryAgents();
  const conversations = createSqliteConversationStore(db, { clock: time.clock });
  const store = createSqliteRoutingStore(db, time.clock);
  const groups = createGroups(createSqliteGroupStore(db, time.clock), time.clock, options.groups);
  const presence = createPresenceService({ hub, timers: time.timers }, { graceMs: options.graceMs ?? 30_000 });
  const logger = silentLog;
  const routing = createRouting(
    { store, conversations, groups, agents, presence, hub, clock: time.clock, logger, timers: time.timers },
    options.routing,
  );
  const tickets = createSqliteTicketStore(db, time.clock);
  const requireAgent = headerRequireAgent(agents);

  const app = new Hono<AgentEnv>();
  app.route('/', agentQueueRoutes({ routing, presence, groups, tickets, hub, requireAgent }));
  app.route('/', adminGroupRoutes({ groups, hub, requireAgent }));
  app.route(
    '/',
    visitorRoutes({
      conversations,
      routing,
      tickets,
      groupOf: options.groupOf ?? ((c) => c.handoff?.group),
      messages: () => undefined,
      clock: time.clock,
    }) as unknown as Hono<AgentEnv>,
  );
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);

  const kit: RoutingKit = {
    dir,
    db,
    time,
    hub,
    agents,
    conversations,
    store,
    groups,
    presence,
    routing,
    tickets,
    app,
    async conversation({ lang = 'zh', text = '你好', visitor } = {}) {
      const created = await conversations.createConversation({
        lang,
        ...(visitor ? { visitor } : {}),
        firstTurn: { visitorText: text, reply: { author: 'bot', text: '您好', kind: 'answer', confidence: 0.9 } },
      });
      return { id: created.conversation.id, token: created.token };
    },
    async queued(group = 'mobile', { lang = 'zh', text = '转人工' } = {}) {
      const created = await conversations.createConversation({ lang });
      await conversations.appendTurn(created.conversation.id, {
        visitorText: text,
        reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
        handoff: { reason: 'requested', decision: { kind: 'handoff', candidates: [{ entryId: 'bill.query', score: 0.4 }] }, group },
      });
      return { id: created.conversation.id, token: created.token };
    },
    async online(...agentIds) {
      for (const id of agentIds) presence.connected(id);
      await routing.settled();
    },
    async request(url, { method = 'GET', agent, body, token } = {}) {
      const headers: Record<string, string> = {};
      if (agent) headers['x-agent'] = agent;
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await app.request(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    close() {
      routing.dispose();
      presence.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return kit;
}
