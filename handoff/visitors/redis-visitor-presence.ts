// Visitors online and their invitations shared by every node through Redis: agents on any node list the
// visitors browsing through any node, and an invitation (an agent's, or a rule's while every node sweeps) is
// sent once. The same port and rules as visitor-presence.ts; what is kept where:
//   vp:p:<id>        hash: token hash, visitor id, address, times, page count, trail and invitations (JSON)
//   vp:t:<hash>      presence id of a token;  vp:v:<visitor id>  the visitor's presence;  vp:c:<visitor id>  their last chat
//   vp:alive         zset: presence -> online until (ms);  vp:seen  zset: presence -> last report (the list's order)
//   vp:a:<address>   zset: the address's presences -> last report (the per-address cap)
//   vp:s:<id>        hash: node id -> until when that node holds an open presence stream (refreshed while open)
//   vp:i:<inv id>    presence of an invitation (claims);  vp:r:<id>:<rule>  when that rule last invited them
//   vp:events        channel: an invitation for the node holding the visitor's stream
// Every change of a presence is one Lua script, so two nodes never interleave inside one: no lost page view,
// no second pending invitation. Keys expire a while after their presence goes offline; "online" itself is read
// from vp:alive with the injected clock, so tests can move time. Scripts derive keys from the prefix: one Redis,
// not a Cluster. The scripts are in redis-visitor-presence-scripts.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, RateLimitedError, UnauthorizedError } from '../platform/errors.ts';
import type { RedisLink } from '../redis/redis-link.ts';
import type { RedisScript } from '../redis/redis-script.ts';
import { matchesUrlPattern } from './invitation-rules.ts';
import {
  ANSWER, AUTHENTICATE, CLAIM, GET, INVITE, LIST, PAGE_LEAVE, PAGE_VIEW, STREAM, SWEEP_READ,
  type StoredInvitation, type StoredPage,
} from './redis-visitor-presence-scripts.ts';
import {
  cutPath,
  defaultVisitorPresenceOptions,
  DIRECT_SOURCE,
  FULL_RETRY_SECONDS,
  hashOf,
  pathOf,
  type Invitation,
  type InvitationSource,
  type PageView,
  type PresenceEvent,
  type VisitorPresence,
  type VisitorPresenceOptions,
  type VisitorSnapshot,
  type VisitorSource,
} from './visitor-presence.ts';

export interface RedisVisitorPresenceOptions extends VisitorPresenceOptions {
  /** How long a node's open stream keeps its presence online without a refresh (a node that died). Range 5000-300000 ms; default 30000. */
  streamTtlMs: number;
  /** How often a node refreshes its open streams and catches up on invitations a lost notice did not bring. Range 1000-60000 ms; default 10000. */
  refreshMs: number;
  /** How long keys outlive their presence going offline (a margin, never a state). Range 1000-3600000 ms; default 60000. */
  graceMs: number;
  /** How long "this visitor started that chat" is remembered. Range 60-604800 s; default 86400. */
  conversationNoteSeconds: number;
  /** Redis out of reach during a refresh or a notice (retried at the next refresh). Default: ignored. */
  onError: (err: unknown) => void;
}

export const defaultRedisVisitorPresenceOptions: RedisVisitorPresenceOptions = {
  ...defaultVisitorPresenceOptions,
  streamTtlMs: 30_000,
  refreshMs: 10_000,
  graceMs: 60_000,
  conversationNoteSeconds: 86_400,
  onError: () => {},
};

/** A Lua cjson table that was empty comes back as `{}`: an empty list. */
const listOf = <T>(json: string): T[] => {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? (parsed as T[]) : [];
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The stored source (JSON); direct for a presence stored before sources were kept, or anything unreadable. */
function sourceOf(json: string | undefined): VisitorSource {
  if (!json) return DIRECT_SOURCE;
  try {
    const v = JSON.parse(json) as Partial<VisitorSource> | null;
    if (v && (v.kind === 'search' || v.kind === 'site') && typeof v.name === 'string') return { kind: v.kind, name: v.name };
  } catch {
    // Not ours: direct, as for none.
  }
  return DIRECT_SOURCE;
}

function toInvitation(s: StoredInvitation): Invitation {
  return { id: s.id, from: s.from, text: s.text, createdAt: iso(s.c), state: s.s };
}

function toStored(i: Invitation): StoredInvitation {
  return { id: i.id, from: i.from, ...(i.text !== undefined ? { text: i.text } : {}), c: Date.parse(i.createdAt), s: i.state };
}

function toPageView(p: StoredPage): PageView {
  const view: PageView = { url: p.u, title: p.t, enteredAt: iso(p.e) };
  if (p.l !== undefined) {
    view.leftAt = iso(p.l);
    view.seconds = Math.max(0, Math.round((p.l - p.e) / 1000));
  }
  return view;
}

/** The streams this node holds for one presence, and the invitations they were given (none twice). */
interface LocalStream {
  listeners: Set<(event: PresenceEvent) => void>;
  delivered: Set<string>;
}

export function createRedisVisitorPresence(link: RedisLink, options: Partial<RedisVisitorPresenceOptions> = {}): VisitorPresence {
  const opts: RedisVisitorPresenceOptions = { ...defaultRedisVisitorPresenceOptions, ...options };
  const { clock } = opts;
  const base = link.key('vp:');
  const channel = link.key('vp:events');
  const onlineMs = opts.onlineSeconds * 1000;
  const ttlMs = opts.invitationTtlSeconds * 1000;
  const quietMs = opts.quietSeconds * 1000;
  const local = new Map<string, LocalStream>();
  let refresh: NodeJS.Timeout | undefined;

  const now = () => clock().getTime();
  /** Runs a script with the common ARGV (prefix, now, grace) first. */
  const run = (script: RedisScript, t: number, ...args: Array<string | number>) =>
    script(link.command, [], [base, t, opts.graceMs, ...args]);

  const gone = (presenceId: string) => new NotFoundError(`visitor-presence: no visitor ${JSON.stringify(presenceId)} online`);

  function snapshot(row: string[]): VisitorSnapshot {
    const [id, , since, pages, trailJson, invJson, conversationId, sourceJson] = row as [string, string, string, string, string, string, string, string?];
    const trail = listOf<StoredPage>(trailJson);
    const current = trail.at(-1)!;
    const s: VisitorSnapshot = {
      id,
      currentPage: { url: current.u, title: current.t, since: iso(current.e) },
      pages: Number(pages),
      onlineSince: iso(Number(since)),
      source: sourceOf(sourceJson),
      trail: trail.slice(-opts.listTrail).map(toPageView),
    };
    if (conversationId) s.conversationId = conversationId;
    const last = listOf<StoredInvitation>(invJson).at(-1);
    if (last) {
      s.invited = { id: last.id, by: last.from.kind, at: iso(last.c), state: last.s };
      if (last.from.kind === 'agent') s.invited.agentName = last.from.agentName;
    }
    return s;
  }

  /** Gives this node's listeners of `presenceId` the invitation, once per stream set. */
  function deliver(presenceId: string, invitation: Invitation): void {
    const stream = local.get(presenceId);
    if (!stream || stream.delivered.has(invitation.id)) return;
    stream.delivered.add(invitation.id);
    for (const listener of stream.listeners) listener({ type: 'invitation', invitation });
  }

  /** The pending invitation among stored ones, given to this node's listeners if they have not had it. */
  function deliverPending(presenceId: string, invJson: string, t: number): void {
    const open = listOf<StoredInvitation>(invJson).find((i) => i.s === 'pending' && t - i.c < ttlMs);
    if (open) deliver(presenceId, toInvitation(open));
  }

  /** Adds it, then tells the node holding the visitor's stream (possibly this one) at once. */
  async function send(presenceId: string, invitation: Invitation, ruleId: string, t: number): Promise<string> {
    const outcome = (await run(INVITE, t, presenceId, ttlMs, quietMs, JSON.stringify(toStored(invitation)), ruleId)) as string;
    if (outcome === 'ok') {
      deliver(presenceId, invitation);
      // A lost notice is caught up by the stream's next refresh.
      await link.command.publish(channel, JSON.stringify({ presenceId, invitation })).catch(opts.onError);
    }
    return outcome;
  }

  async function refreshStreams(): Promise<void> {
    const ids = [...local.keys()];
    if (ids.length === 0) return;
    const t = now();
    const replies = await Promise.all(ids.map((id) => run(STREAM, t, id, link.nodeId, 'refresh', t + opts.streamTtlMs) as Promise<string | null>));
    ids.forEach((id, i) => {
      const inv = replies[i];
      if (typeof inv === 'string') deliverPending(id, inv, t);
    });
  }

  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const { presenceId, invitation } = JSON.parse(message) as { presenceId: string; invitation: Invitation };
      deliver(presenceId, invitation);
    } catch (err) {
      opts.onError(err);
    }
  };

  return {
    async start() {
      link.subscriber.on('message', onMessage);
      await link.subscriber.subscribe(channel);
      refresh = setInterval(() => void refreshStreams().catch(opts.onError), opts.refreshMs);
      refresh.unref();
    },

    async stop() {
      if (refresh) clearInterval(refresh);
      refresh = undefined;
      link.subscriber.off('message', onMessage);
      await link.subscriber.unsubscribe(channel).catch(opts.onError);
      // This node's streams end with it: their presences stay online only for onlineSeconds after now.
      const t = now();
      const ids = [...local.keys()];
      local.clear();
      await Promise.all(ids.map((id) => run(STREAM, t, id, link.nodeId, 'close', t + onlineMs))).catch(opts.onError);
    },

    async pageView({ token, visitorId, address, url, title, source }) {
      const t = now();
      const newToken = randomBytes(32).toString('base64url');
      const reply = (await run(
        PAGE_VIEW, t, onlineMs, opts.maxPerAddress, opts.maxVisitors, opts.maxTrail,
        token ? hashOf(token) : '', randomUUID(), hashOf(newToken), visitorId ?? '', address ?? '', cutPath(url, opts.maxPathChars), title,
        JSON.stringify(source ?? DIRECT_SOURCE),
      )) as [string, string?, number?];
      if (reply[0] === 'address_full') throw new RateLimitedError('visitor-presence: too many visitors from this address', FULL_RETRY_SECONDS);
      if (reply[0] === 'full') throw new ConflictError('visitor-presence: too many visitors online', 'presence_full');
      const presenceId = reply[1]!;
      return reply[2] === 1 ? { token: newToken, presenceId } : { presenceId };
    },

    async pageLeave(token) {
      if ((await run(PAGE_LEAVE, now(), onlineMs, hashOf(token))) !== 1) throw new UnauthorizedError('visitor-presence: unknown presence token');
    },

    async authenticate(token) {
      const found = (await run(AUTHENTICATE, now(), hashOf(token))) as [string, string] | null;
      if (!found) throw new UnauthorizedError('visitor-presence: unknown or expired presence token');
      return { presenceId: found[0], visitorId: found[1] || undefined };
    },

    async subscribe(presenceId, listener) {
      const t = now();
      const inv = (await run(STREAM, t, presenceId, link.nodeId, 'open', t + opts.streamTtlMs)) as string | null;
      if (inv === null) throw gone(presenceId);
      let stream = local.get(presenceId);
      if (!stream) {
        stream = { listeners: new Set(), delivered: new Set() };
        local.set(presenceId, stream);
      }
      stream.listeners.add(listener);
      const open = listOf<StoredInvitation>(inv).find((i) => i.s === 'pending' && t - i.c < ttlMs);
      if (open) {
        stream.delivered.add(open.id);
        listener({ type: 'invitation', invitation: toInvitation(open) });
      }
      return () => {
        const current = local.get(presenceId);
        if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
        local.delete(presenceId);
        // The stream counted as a report: online for onlineSeconds more after it closes.
        const at = now();
        void run(STREAM, at, presenceId, link.nodeId, 'close', at + onlineMs).catch(opts.onError);
      };
    },

    async list() {
      const [total, rows] = (await run(LIST, now(), opts.listLimit)) as [number, string[][]];
      return { visitors: rows.map(snapshot), total };
    },

    async get(presenceId) {
      const row = (await run(GET, now(), presenceId)) as string[] | null;
      return row ? snapshot(row) : undefined;
    },

    async invite(presenceId, from, text) {
      const t = now();
      const invitation: Invitation = { id: randomUUID(), from, text, createdAt: iso(t), state: 'pending' };
      const outcome = await send(presenceId, invitation, '', t);
      if (outcome === 'gone') throw gone(presenceId);
      if (outcome === 'pending') throw new ConflictError('visitor-presence: this visitor has an open invitation', 'already_invited');
      return invitation;
    },

    async dismiss(presenceId, invitationId) {
      return answer(presenceId, invitationId, 'dismiss');
    },

    async accept(presenceId, invitationId) {
      return answer(presenceId, invitationId, 'accept');
    },

    async claim(invitationId, visitorId) {
      const json = (await run(CLAIM, now(), invitationId, visitorId ?? '', ttlMs)) as string | null;
      return json ? toInvitation(JSON.parse(json) as StoredInvitation) : undefined;
    },

    async noteConversation(visitorId, conversationId) {
      await link.command.set(`${base}c:${visitorId}`, conversationId, 'EX', opts.conversationNoteSeconds);
    },

    async sweep(rules, inChat) {
      const sent: Invitation[] = [];
      const enabled = rules.filter((r) => r.enabled);
      // Only to someone who can see it now: the visitors whose stream is open on this node. Each node sweeps its
      // own, and a visitor streaming to two nodes is still invited once (INVITE decides it atomically).
      if (enabled.length === 0 || local.size === 0) return sent;
      const t = now();
      const rows = (await run(SWEEP_READ, t, ...local.keys())) as string[][];
      for (const [id, visitorId, cur, trailJson, invJson, dismissed, conversationId] of rows as Array<[string, string, string, string, string, string, string]>) {
        const page = listOf<StoredPage>(trailJson).at(-1);
        if (!page || page.l !== undefined) continue;
        if (listOf<StoredInvitation>(invJson).some((i) => i.s === 'pending' && t - i.c < ttlMs)) continue;
        if (dismissed !== '' && t - Number(dismissed) < quietMs) continue;
        const path = pathOf(page.u);
        const candidates = enabled.filter((r) => matchesUrlPattern(r.urlPattern, path) && t - Number(cur) >= r.dwellSeconds * 1000);
        if (candidates.length === 0) continue;
        if (visitorId && conversationId && (await inChat(conversationId))) continue;
        // The first matching rule not sent within the quiet time, as in memory; the script decides "not sent".
        for (const rule of candidates) {
          const invitation: Invitation = { id: randomUUID(), from: { kind: 'rule', ruleId: rule.id }, text: { ...rule.text }, createdAt: iso(t), state: 'pending' };
          const outcome = await send(id, invitation, rule.id, t);
          if (outcome === 'ok') sent.push(invitation);
          if (outcome !== 'sent') break;
        }
      }
      return sent;
    },
  };

  async function answer(presenceId: string, invitationId: string, op: 'dismiss' | 'accept'): Promise<Invitation> {
    const reply = (await run(ANSWER, now(), presenceId, invitationId, op)) as [string, string?];
    if (reply[0] === 'gone') throw gone(presenceId);
    if (reply[0] === 'unknown') throw new NotFoundError(`visitor-presence: no invitation ${JSON.stringify(invitationId)}`);
    if (reply[0] === 'closed') throw new ConflictError(`visitor-presence: invitation ${invitationId} is ${reply[1]}`, 'invitation_closed');
    return toInvitation(JSON.parse(reply[1]!) as StoredInvitation);
  }
}
