// Visitors online now (page views, trail, open presence streams, invitations): the port, and its in-memory version
// for one process. On several nodes redis-visitor-presence.ts replaces it as a whole, behind the same port.
// Why one file of this size: it is the whole in-memory adapter (presences, trails, caps, invitations, the
// sweep), kept as one unit behind the interface as its Redis counterpart is.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../platform/clock.ts';
import { ConflictError, NotFoundError, RateLimitedError, UnauthorizedError } from '../platform/errors.ts';
import { matchesUrlPattern, type InvitationRule } from './invitation-rules.ts';

export interface VisitorPresenceOptions {
  clock: Clock;
  /** Visitors tracked at once; the one seen longest ago (and not streaming) is dropped first. Range 10-1000000; default 10000. */
  maxVisitors: number;
  /** Page views kept per visitor (the trail). Range 1-100; default 20. */
  maxTrail: number;
  /**
   * Presences one client address may hold: over it the address's quietest presence without a stream goes, or
   * with every one streaming the new one is refused (429). Carrier NAT puts many real visitors behind one
   * address, so not too low. Range 1-10000; default 50.
   */
  maxPerAddress: number;
  /** Longest kept path (origin not counted); longer ones are cut. Range 64-2048 characters; default 512. */
  maxPathChars: number;
  /** Visitors one list() returns (most recent activity first); `total` tells how many are online. Range 1-10000; default 200. */
  listLimit: number;
  /** Trail pages (the latest) each listed visitor carries. Range 1-100; default 5. */
  listTrail: number;
  /** Online this long after the last report when no presence stream is open. Range 10-600 s; default 60. */
  onlineSeconds: number;
  /** One automatic invitation per visitor and rule this often; none this long after a dismissal. Range 60-86400 s; default 1800. */
  quietSeconds: number;
  /** An invitation can be accepted this long. Range 60-3600 s; default 600. */
  invitationTtlSeconds: number;
}

export const defaultVisitorPresenceOptions: VisitorPresenceOptions = {
  clock: systemClock,
  maxVisitors: 10_000,
  maxTrail: 20,
  maxPerAddress: 50,
  maxPathChars: 512,
  listLimit: 200,
  listTrail: 5,
  onlineSeconds: 60,
  quietSeconds: 1800,
  invitationTtlSeconds: 600,
};

export interface PageView {
  /** Origin and path only: the query string and fragment are dropped before anything is kept. */
  url: string;
  title: string;
  enteredAt: string;
  leftAt?: string;
  /** Time on page, once left. */
  seconds?: number;
}

/**
 * Where the visitor came from, judged once from the referrer of the page view that began the presence
 * (supervision/visitor-origins.ts): a search engine by name, another site by host, or direct. Only this is kept,
 * never the referrer itself (it can carry search words).
 */
export interface VisitorSource {
  kind: 'search' | 'site' | 'direct';
  /** The engine (`baidu`) or the site's host without `www.`; null for direct. */
  name: string | null;
}

export const DIRECT_SOURCE: VisitorSource = { kind: 'direct', name: null };

export type InvitationSource = { kind: 'agent'; agentId: string; agentName: string } | { kind: 'rule'; ruleId: string };

export interface Invitation {
  id: string;
  from: InvitationSource;
  /** The agent's own words (any language), or the rule's text per language. */
  text: { zh: string; en: string } | string | undefined;
  createdAt: string;
  state: 'pending' | 'dismissed' | 'accepted' | 'used';
}

/** What the visitor's presence stream receives. */
export type PresenceEvent = { type: 'invitation'; invitation: Invitation } | { type: 'invitation_withdrawn'; id: string };

export interface VisitorSnapshot {
  id: string;
  currentPage: { url: string; title: string; since: string };
  pages: number;
  onlineSince: string;
  source: VisitorSource;
  trail: PageView[];
  /** Last conversation this visitor started here (the caller decides whether it is still open). */
  conversationId?: string;
  invited?: { id: string; by: 'agent' | 'rule'; agentName?: string; at: string; state: Invitation['state'] };
}

export interface ReportResult {
  /** Present when a new presence began: the secret the widget presents from now on. */
  token?: string;
  presenceId: string;
}

/** Every call is asynchronous: on several nodes the presences live in Redis. */
export interface VisitorPresence {
  /** A page view. A missing or unknown token starts a new presence (and returns its token). */
  pageView(input: {
    token?: string | undefined; visitorId?: string | undefined; address?: string | undefined; url: string; title: string;
    /** Kept when this view begins a presence; later views keep the first one's. Default direct. */
    source?: VisitorSource | undefined;
  }): Promise<ReportResult>;
  /** The visitor left the page (pagehide, hidden tab): closes the current page's time. */
  pageLeave(token: string): Promise<void>;
  /** The presence id of a token, or UnauthorizedError. */
  authenticate(token: string): Promise<{ presenceId: string; visitorId: string | undefined }>;
  /**
   * A presence stream: online while at least one is open, on whichever node. The pending invitation, if any, is
   * given to `listener` at once. NotFoundError when the visitor is not online. Resolves to the unsubscribe function.
   */
  subscribe(presenceId: string, listener: (event: PresenceEvent) => void): Promise<() => void>;
  /** The listLimit visitors active most recently (latest first, listTrail pages each), and how many are online. */
  list(): Promise<{ visitors: VisitorSnapshot[]; total: number }>;
  get(presenceId: string): Promise<VisitorSnapshot | undefined>;
  /** The agent's invitation; NotFoundError when the visitor is gone, ConflictError when one is pending. */
  invite(presenceId: string, from: InvitationSource & { kind: 'agent' }, text: string | undefined): Promise<Invitation>;
  /** The visitor closed the bubble: no automatic invitation for quietSeconds. */
  dismiss(presenceId: string, invitationId: string): Promise<Invitation>;
  accept(presenceId: string, invitationId: string): Promise<Invitation>;
  /**
   * POST /api/chat with invitationId: the accepted (or pending) invitation of this visitor id, now used, or
   * undefined (unknown, expired, someone else's, used already).
   */
  claim(invitationId: string, visitorId: string | undefined): Promise<Invitation | undefined>;
  /** A conversation this visitor (by visitor id) started: in chat until it closes. */
  noteConversation(visitorId: string, conversationId: string): Promise<void>;
  /**
   * Checks the automatic rules against the visitors online (those whose presence stream is open on this node, for
   * the Redis version: every node sweeps its own) and returns the invitations sent. Each is sent once per
   * visitor and rule per quietSeconds, whatever the number of nodes sweeping.
   */
  sweep(rules: readonly InvitationRule[], inChat: (conversationId: string) => Promise<boolean>): Promise<Invitation[]>;
  /** Starts what the version needs beside the calls (Redis: the invitation channel, the streams' heartbeat). */
  start(): Promise<void>;
  /** Stops it; this node's presence streams no longer count. */
  stop(): Promise<void>;
}

/** The in-memory version: tells how many visitors it holds (its bounds are tested). */
export interface MemoryVisitorPresence extends VisitorPresence {
  readonly size: number;
}

interface Entry {
  id: string;
  tokenHash: string;
  visitorId: string | undefined;
  /** The client address the presence began from (the per-address cap); never shown to agents. */
  address: string | undefined;
  onlineSince: number;
  source: VisitorSource;
  lastSeen: number;
  trail: PageView[];
  pages: number;
  /** enteredAt (ms) of the current page; undefined once left. */
  currentSince: number;
  listeners: Set<(event: PresenceEvent) => void>;
  invitations: Invitation[];
  /** ruleId -> last automatic invitation (ms). */
  ruleSentAt: Map<string, number>;
  dismissedAt: number | undefined;
  conversationId: string | undefined;
}

/** What is kept of a presence token: its SHA-256, so a read of memory (or of Redis) yields no usable token. */
export const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function createVisitorPresence(options: Partial<VisitorPresenceOptions> = {}): MemoryVisitorPresence {
  const opts: VisitorPresenceOptions = { ...defaultVisitorPresenceOptions, ...options };
  const { clock } = opts;
  const byId = new Map<string, Entry>();
  const byToken = new Map<string, Entry>();
  const byVisitor = new Map<string, Entry>();
  const byAddress = new Map<string, Set<Entry>>();
  const conversationsOfVisitor = new Map<string, string>();
  const now = () => clock().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();

  const online = (e: Entry, t: number) => e.listeners.size > 0 || t - e.lastSeen <= opts.onlineSeconds * 1000;

  function drop(e: Entry): void {
    byId.delete(e.id);
    byToken.delete(e.tokenHash);
    if (e.visitorId && byVisitor.get(e.visitorId) === e) byVisitor.delete(e.visitorId);
    if (e.address !== undefined) {
      const mine = byAddress.get(e.address);
      mine?.delete(e);
      if (mine?.size === 0) byAddress.delete(e.address);
    }
  }

  /** One address cannot fill the node (the global cap never drops streaming presences). */
  function makeRoomFor(address: string, t: number): void {
    const mine = byAddress.get(address);
    if (!mine || mine.size < opts.maxPerAddress) return;
    let oldest: Entry | undefined;
    for (const e of [...mine]) {
      if (!online(e, t)) drop(e);
      else if (e.listeners.size === 0 && (!oldest || e.lastSeen < oldest.lastSeen)) oldest = e;
    }
    if (mine.size < opts.maxPerAddress) return;
    if (oldest) drop(oldest);
    else throw new RateLimitedError('visitor-presence: too many visitors from this address', FULL_RETRY_SECONDS);
  }

  function expire(t: number): void {
    for (const e of byId.values()) if (!online(e, t)) drop(e);
  }

  function makeRoom(t: number): void {
    if (byId.size < opts.maxVisitors) return;
    expire(t);
    if (byId.size < opts.maxVisitors) return;
    // Still full: the quietest visitor without a stream goes (Map order is insertion; lastSeen decides).
    let oldest: Entry | undefined;
    for (const e of byId.values()) if (e.listeners.size === 0 && (!oldest || e.lastSeen < oldest.lastSeen)) oldest = e;
    if (oldest) drop(oldest);
    else throw new ConflictError('visitor-presence: too many visitors online', 'presence_full');
  }

  function live(presenceId: string): Entry {
    const e = byId.get(presenceId);
    if (!e || !online(e, now())) throw new NotFoundError(`visitor-presence: no visitor ${JSON.stringify(presenceId)} online`);
    return e;
  }

  function closeCurrent(e: Entry, t: number): void {
    const page = e.trail.at(-1);
    if (!page || page.leftAt) return;
    page.leftAt = iso(t);
    page.seconds = Math.max(0, Math.round((t - Date.parse(page.enteredAt)) / 1000));
  }

  function pending(e: Entry, t: number): Invitation | undefined {
    return e.invitations.find((i) => i.state === 'pending' && t - Date.parse(i.createdAt) < opts.invitationTtlSeconds * 1000);
  }

  function deliver(e: Entry, invitation: Invitation): void {
    e.invitations = [...e.invitations.slice(-9), invitation];
    for (const listener of e.listeners) listener({ type: 'invitation', invitation });
  }

  function invitationOf(e: Entry, id: string): Invitation {
    const found = e.invitations.find((i) => i.id === id);
    if (!found) throw new NotFoundError(`visitor-presence: no invitation ${JSON.stringify(id)}`);
    return found;
  }

  function snapshot(e: Entry): VisitorSnapshot {
    const current = e.trail.at(-1)!;
    const s: VisitorSnapshot = {
      id: e.id,
      currentPage: { url: current.url, title: current.title, since: current.enteredAt },
      pages: e.pages,
      onlineSince: iso(e.onlineSince),
      source: { ...e.source },
      trail: e.trail.slice(-opts.listTrail).map((p) => ({ ...p })),
    };
    const conversationId = e.visitorId ? conversationsOfVisitor.get(e.visitorId) : e.conversationId;
    if (conversationId) s.conversationId = conversationId;
    const last = e.invitations.at(-1);
    if (last) {
      s.invited = { id: last.id, by: last.from.kind, at: last.createdAt, state: last.state };
      if (last.from.kind === 'agent') s.invited.agentName = last.from.agentName;
    }
    return s;
  }

  return {
    get size() {
      return byId.size;
    },

    async pageView({ token, visitorId, address, url, title, source }) {
      const t = now();
      url = cutPath(url, opts.maxPathChars);
      let e = token ? byToken.get(hashOf(token)) : undefined;
      if (e && !online(e, t)) {
        drop(e);
        e = undefined;
      }
      let newToken: string | undefined;
      if (!e) {
        if (address !== undefined) makeRoomFor(address, t);
        makeRoom(t);
        newToken = randomBytes(32).toString('base64url');
        e = {
          id: randomUUID(), tokenHash: hashOf(newToken), visitorId, address, onlineSince: t, source: source ?? DIRECT_SOURCE, lastSeen: t, trail: [], pages: 0, currentSince: t,
          listeners: new Set(), invitations: [], ruleSentAt: new Map(), dismissedAt: undefined, conversationId: undefined,
        };
        byId.set(e.id, e);
        byToken.set(e.tokenHash, e);
        if (address !== undefined) byAddress.set(address, (byAddress.get(address) ?? new Set()).add(e));
        // One presence per visitor id: an older one (another token, e.g. cleared storage) is replaced.
        if (visitorId) {
          const previous = byVisitor.get(visitorId);
          if (previous && previous.listeners.size === 0) drop(previous);
          byVisitor.set(visitorId, e);
        }
      }
      closeCurrent(e, t);
      e.trail.push({ url, title, enteredAt: iso(t) });
      if (e.trail.length > opts.maxTrail) e.trail.splice(0, e.trail.length - opts.maxTrail);
      e.pages++;
      e.lastSeen = t;
      e.currentSince = t;
      return newToken ? { token: newToken, presenceId: e.id } : { presenceId: e.id };
    },

    async pageLeave(token) {
      const e = byToken.get(hashOf(token));
      if (!e) throw new UnauthorizedError('visitor-presence: unknown presence token');
      const t = now();
      closeCurrent(e, t);
      e.lastSeen = t;
    },

    async authenticate(token) {
      const e = byToken.get(hashOf(token));
      if (!e || !online(e, now())) throw new UnauthorizedError('visitor-presence: unknown or expired presence token');
      return { presenceId: e.id, visitorId: e.visitorId };
    },

    async subscribe(presenceId, listener) {
      const e = live(presenceId);
      e.listeners.add(listener);
      const open = pending(e, now());
      if (open) listener({ type: 'invitation', invitation: open });
      return () => {
        e.listeners.delete(listener);
        // The stream counted as a report: online for onlineSeconds more after it closes.
        e.lastSeen = now();
      };
    },

    async list() {
      const t = now();
      expire(t);
      // Snapshots (the costly part) only for the visitors returned: the console polls this every 5 s per agent.
      const latest = [...byId.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, opts.listLimit);
      return { visitors: latest.map(snapshot), total: byId.size };
    },

    async get(presenceId) {
      const e = byId.get(presenceId);
      return e && online(e, now()) ? snapshot(e) : undefined;
    },

    async invite(presenceId, from, text) {
      const e = live(presenceId);
      const t = now();
      if (pending(e, t)) throw new ConflictError('visitor-presence: this visitor has an open invitation', 'already_invited');
      const invitation: Invitation = { id: randomUUID(), from, text, createdAt: iso(t), state: 'pending' };
      deliver(e, invitation);
      return invitation;
    },

    async dismiss(presenceId, invitationId) {
      const e = live(presenceId);
      const invitation = invitationOf(e, invitationId);
      if (invitation.state === 'pending') invitation.state = 'dismissed';
      e.dismissedAt = now();
      return invitation;
    },

    async accept(presenceId, invitationId) {
      const e = live(presenceId);
      const invitation = invitationOf(e, invitationId);
      if (invitation.state === 'dismissed' || invitation.state === 'used') {
        throw new ConflictError(`visitor-presence: invitation ${invitationId} is ${invitation.state}`, 'invitation_closed');
      }
      invitation.state = 'accepted';
      return invitation;
    },

    async claim(invitationId, visitorId) {
      const t = now();
      for (const e of byId.values()) {
        const invitation = e.invitations.find((i) => i.id === invitationId);
        if (!invitation) continue;
        // The invitation went to this browser's presence: another visitor id cannot use it.
        if (!visitorId || e.visitorId !== visitorId) return undefined;
        if (invitation.state !== 'accepted' && invitation.state !== 'pending') return undefined;
        if (t - Date.parse(invitation.createdAt) > opts.invitationTtlSeconds * 1000) return undefined;
        invitation.state = 'used';
        return invitation;
      }
      return undefined;
    },

    async noteConversation(visitorId, conversationId) {
      conversationsOfVisitor.set(visitorId, conversationId);
      // Bounded like the visitors: the oldest notes go first.
      if (conversationsOfVisitor.size > opts.maxVisitors) conversationsOfVisitor.delete(conversationsOfVisitor.keys().next().value!);
    },

    async start() {},

    async stop() {},

    async sweep(rules, inChat) {
      const t = now();
      expire(t);
      const sent: Invitation[] = [];
      const enabled = rules.filter((r) => r.enabled);
      if (enabled.length === 0) return sent;
      for (const e of [...byId.values()]) {
        // Only to someone who can see it now (a stream is open), on a page they are still on.
        if (e.listeners.size === 0) continue;
        const page = e.trail.at(-1);
        if (!page || page.leftAt) continue;
        if (pending(e, t)) continue;
        if (e.dismissedAt !== undefined && t - e.dismissedAt < opts.quietSeconds * 1000) continue;
        const path = pathOf(page.url);
        const rule = enabled.find(
          (r) =>
            matchesUrlPattern(r.urlPattern, path) &&
            t - e.currentSince >= r.dwellSeconds * 1000 &&
            t - (e.ruleSentAt.get(r.id) ?? -Infinity) >= opts.quietSeconds * 1000,
        );
        if (!rule) continue;
        const conversationId = e.visitorId ? conversationsOfVisitor.get(e.visitorId) : undefined;
        if (conversationId && (await inChat(conversationId))) continue;
        e.ruleSentAt.set(rule.id, t);
        const invitation: Invitation = { id: randomUUID(), from: { kind: 'rule', ruleId: rule.id }, text: { ...rule.text }, createdAt: iso(t), state: 'pending' };
        deliver(e, invitation);
        sent.push(invitation);
      }
      return sent;
    },
  };
}

/** How long a visitor whose every presence streams waits before trying again (a tab closes, a slot frees). */
export const FULL_RETRY_SECONDS = 30;

/** Origin + path with the path cut to `max` characters (never inside a %XX escape). */
export function cutPath(url: string, max: number): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.slice(0, max);
  }
  if (parsed.pathname.length <= max) return url;
  return parsed.origin + parsed.pathname.slice(0, max).replace(/%[0-9A-Fa-f]?$/, '');
}

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
