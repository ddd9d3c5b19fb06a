// Puts the service in the state the live bench measures, over its public HTTP API only: agents created by
// the admin API and signed in, conversations handed off by the visitor ("转人工") and taken by an agent.
import type { AgentSeat, VisitorSeat } from './live-protocol.ts';

/** Every shipped group, so that any conversation's group is one the agents belong to. */
const GROUPS = ['mobile', 'broadband', 'billing'];
/** Most chats one agent may hold (handoff/agents/agent-input.ts MAX_CAPACITY); 1,000 chats over 50 agents is 20 each. */
const AGENT_CAPACITY = 50;
/** What a visitor types to ask for a person (knowledge/rules.yaml). */
const ASK_FOR_PERSON = '转人工';

interface Json {
  status: number;
  body: any;
  setCookie: string[];
}

async function call(base: string, method: string, route: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Json> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, setCookie: res.headers.getSetCookie() };
}

function expectStatus(res: Json, status: number, what: string): void {
  if (res.status !== status) throw new Error(`live bench setup: ${what} answered ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
}

/** Signs in; returns the `agent_session=...` cookie and the agent id. */
async function signIn(base: string, username: string, password: string): Promise<AgentSeat> {
  const res = await call(base, 'POST', '/api/agent/login', { body: { username, password }, headers: { origin: base } });
  expectStatus(res, 200, `sign-in of ${username}`);
  const cookie = res.setCookie.map((c) => c.split(';')[0]).join('; ');
  return { agentId: res.body.agent.id as string, cookie };
}

/** Runs `work(i)` for i = 0..count-1, `concurrency` at a time. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
}

export interface SetupResult {
  agents: AgentSeat[];
  visitors: VisitorSeat[];
  ms: { agents: number; conversations: number };
}

/**
 * `agentCount` agents (capacity 50, every group), signed in and `away` (present, so a handoff queues, but
 * given nothing automatically); then `conversationCount` visitors who ask for a person, conversation i
 * taken by agent i mod agentCount; then the agents go `online`. Nobody holds a live connection yet: the
 * service keeps a chosen status for PRESENCE_GRACE_SECONDS without one (the bench sets it long enough).
 */
export async function setUpConversations(
  base: string,
  admin: { username: string; password: string },
  agentCount: number,
  conversationCount: number,
  progress: (msg: string) => void,
): Promise<SetupResult> {
  const started = performance.now();
  const lead = await signIn(base, admin.username, admin.password);
  const adminHeaders = { cookie: lead.cookie, origin: base };
  const agents: AgentSeat[] = new Array(agentCount);
  // argon2id hashing and checking dominate: a few at a time keeps both cores busy without a pile-up.
  await pool(agentCount, 4, async (i) => {
    const n = String(i + 1).padStart(3, '0');
    const username = `bench-agent-${n}`;
    const password = `bench-pass-${n}-secret`;
    const created = await call(base, 'POST', '/api/admin/agents', {
      body: { username, displayName: `Agent ${n}`, password, role: 'agent', groups: GROUPS, capacity: AGENT_CAPACITY },
      headers: adminHeaders,
    });
    expectStatus(created, 201, `creating ${username}`);
    const seat = await signIn(base, username, password);
    expectStatus(await call(base, 'POST', '/api/agent/status', { body: { status: 'away' }, headers: { cookie: seat.cookie, origin: base } }), 200, 'status away');
    agents[i] = seat;
  });
  const agentsMs = performance.now() - started;
  progress(`live: ${agentCount} agents created and signed in (${(agentsMs / 1000).toFixed(1)} s)`);

  const convStarted = performance.now();
  const visitors: VisitorSeat[] = new Array(conversationCount);
  await pool(conversationCount, 8, async (i) => {
    const asked = await call(base, 'POST', '/api/chat', { body: { text: ASK_FOR_PERSON } });
    expectStatus(asked, 200, 'a visitor asking for a person');
    if (asked.body.reply?.kind !== 'handoff') throw new Error(`live bench setup: "${ASK_FOR_PERSON}" did not hand off: ${JSON.stringify(asked.body.reply)}`);
    const agent = i % agentCount;
    const holder = agents[agent]!;
    const conversationId = asked.body.conversationId as string;
    const taken = await call(base, 'POST', `/api/agent/conversations/${conversationId}/take`, { headers: { cookie: holder.cookie, origin: base } });
    expectStatus(taken, 200, `agent ${agent} taking ${conversationId}`);
    visitors[i] = { conversationId, token: asked.body.token as string, agent };
  });
  for (const seat of agents) {
    expectStatus(await call(base, 'POST', '/api/agent/status', { body: { status: 'online' }, headers: { cookie: seat.cookie, origin: base } }), 200, 'status online');
  }
  const conversationsMs = performance.now() - convStarted;
  progress(`live: ${conversationCount} conversations handed off and taken (${(conversationsMs / 1000).toFixed(1)} s)`);
  return { agents, visitors, ms: { agents: agentsMs, conversations: conversationsMs } };
}
