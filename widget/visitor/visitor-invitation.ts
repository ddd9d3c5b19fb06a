// The widget's presence on the site: page-view reports (no chat needed), the presence stream, and invitations.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { pageAddress } from './page-address.ts';
import { createSseParser, pumpSse } from './visitor-sse-parser.ts';

export interface InvitationView {
  id: string;
  from: 'agent' | 'rule';
  agentName?: string;
  /** The agent's words, or the rule's per language. */
  text?: string | { zh: string; en: string };
}

export interface VisitorInvitationOptions {
  server: () => string;
  visitorId: () => string;
  /** Called after the server took the acceptance: the chat opens with the invitation as its first line. */
  onAccept: (invitation: InvitationView) => void;
}

/** Reconnect backoff of the presence stream: 2 s doubling to 60 s (an idle page needs no hurry). */
const BACKOFF = { firstMs: 2_000, maxMs: 60_000 };
/** The stream opens this long after the first report: a visitor who bounces at once costs no stream. */
const STREAM_DELAY_MS = 1_500;

export class VisitorInvitation implements ReactiveController {
  invitation: InvitationView | undefined;
  private token: string | undefined;
  private base = '';
  private key = '';
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private stopped = true;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: VisitorInvitationOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.stopped = false;
    this.base = (this.options.server() || location.origin).replace(/\/+$/, '');
    // Not under the chat-widget: prefix: that key holds the chat's JSON state, this one a bare token.
    this.key = `chat-presence:v1:${this.base}`;
    try {
      this.token = localStorage.getItem(this.key) ?? undefined;
    } catch {
      this.token = undefined;
    }
    addEventListener('pagehide', this.onHide);
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.report();
  }

  hostDisconnected(): void {
    this.stopped = true;
    removeEventListener('pagehide', this.onHide);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.closeStream();
  }

  /** The visitor closed the bubble (button or Escape). */
  async dismiss(): Promise<void> {
    const invitation = this.invitation;
    if (!invitation) return;
    this.invitation = undefined;
    this.host.requestUpdate();
    await this.post(`/api/visitor/invitations/${encodeURIComponent(invitation.id)}/dismiss`).catch(() => {});
  }

  async accept(): Promise<void> {
    const invitation = this.invitation;
    if (!invitation) return;
    this.invitation = undefined;
    this.host.requestUpdate();
    // Even if the server cannot be told (network), the visitor asked to chat: open it.
    await this.post(`/api/visitor/invitations/${encodeURIComponent(invitation.id)}/accept`).catch(() => {});
    this.options.onAccept(invitation);
  }

  private readonly onHide = () => this.leave();

  private readonly onVisibility = () => {
    if (document.visibilityState === 'hidden') this.leave();
    else void this.report();
  };

  /** The time on this page ends now: a beacon survives the page going away. */
  private leave(): void {
    if (!this.token) return;
    const body = new Blob([JSON.stringify({ token: this.token })], { type: 'text/plain' });
    try {
      navigator.sendBeacon(`${this.base}/api/visitor/pageleave`, body);
    } catch {
      // No beacon (old browser, blocked): the server closes the page at the next report.
    }
  }

  private async report(): Promise<void> {
    const body: Record<string, string> = { url: pageAddress(location.href).slice(0, 2048), title: document.title.slice(0, 200) };
    const visitorId = this.options.visitorId();
    if (visitorId) body.visitorId = visitorId;
    // Where the visitor came from, without its query (search words): the server keeps only its source (search
    // engine, site, direct), for the agents' list.
    if (document.referrer) body.referrer = pageAddress(document.referrer).slice(0, 2048);
    try {
      const res = await this.post('/api/visitor/pageview', body);
      const json = (await res.json().catch(() => ({}))) as { token?: string };
      if (json.token) {
        this.token = json.token;
        try {
          localStorage.setItem(this.key, json.token);
        } catch {
          // Private mode: presence lasts this page only.
        }
      }
    } catch {
      return;
    }
    if (!this.abort && !this.stopped) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.openStream(), STREAM_DELAY_MS);
    }
  }

  private async post(path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.base + path, { method: 'POST', headers, body: JSON.stringify(body ?? {}), credentials: 'omit', cache: 'no-store', keepalive: true });
    if (!res.ok) throw new Error(`presence ${res.status}`);
    return res;
  }

  private openStream(): void {
    if (this.stopped || !this.token || this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    void this.readStream(abort).then(
      () => this.retry(abort, false),
      () => this.retry(abort, true),
    );
  }

  private retry(abort: AbortController, failed: boolean): void {
    if (this.abort !== abort || abort.signal.aborted) return;
    this.abort = undefined;
    if (this.stopped) return;
    const delay = failed ? Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** this.attempts++) : BACKOFF.firstMs;
    this.timer = setTimeout(() => this.openStream(), delay * (0.75 + Math.random() * 0.5));
  }

  private async readStream(abort: AbortController): Promise<void> {
    const res = await fetch(`${this.base}/api/visitor/events`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${this.token}` },
      signal: abort.signal,
      cache: 'no-store',
      credentials: 'omit',
    });
    if (res.status === 401) {
      // The presence expired on the server: report again for a new token (the next stream uses it).
      this.token = undefined;
      await this.report();
      throw new Error('presence expired');
    }
    if (res.status === 403) {
      // Blocked: nothing will change by retrying.
      this.stopped = true;
      return;
    }
    if (!res.ok || !res.body) throw new Error(`presence stream ${res.status}`);
    this.attempts = 0;
    const parser = createSseParser({
      onMessage: (m) => {
        if (m.event !== 'invitation') return;
        try {
          this.invitation = JSON.parse(m.data) as InvitationView;
          this.host.requestUpdate();
        } catch {
          // A malformed event is ignored.
        }
      },
    });
    await pumpSse(res.body, parser, abort.signal);
  }

  private closeStream(): void {
    clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = undefined;
  }
}
