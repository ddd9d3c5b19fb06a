// <console-monitor>: the supervisors' live view (admins): agents with presence and load, the queue, the
// active chats, and any one chat followed read-only as it happens.
import { LitElement, css, html } from 'lit';
import type { AgentStatus, MonitorChat, MonitorSnapshot } from '../../../handoff/http/wire.ts';
import { ApiError, type ConsoleApi, type ConversationView, type ViewMessage } from '../console-api.ts';
import type { ConsoleConnection, ConsoleWireEvent } from '../console-connection.ts';
import { formatDuration, formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import '../chat/console-transcript.ts';

export interface ConsoleMonitorOptions {
  /** Supervisor events arriving together cause one refetch after this pause. Range 0-5000 ms; default 300. */
  refetchDelayMs: number;
  /** How often "time in status" and waits tick on screen (no request). Range 1000-60000 ms; default 5000. */
  tickMs: number;
}

export const defaultConsoleMonitorOptions: ConsoleMonitorOptions = { refetchDelayMs: 300, tickMs: 5000 };

const STATUS_COLORS: Record<AgentStatus, string> = { online: '#1e8e3e', away: '#f29900', busy: '#d93025', invisible: '#5f6368', offline: '#9aa0a6' };

export class ConsoleMonitor extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    connection: { attribute: false },
    snapshot: { state: true },
    selected: { state: true },
    view: { state: true },
    messages: { state: true },
    error: { state: true },
    now: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  /** The console's one live stream; this screen listens on it while shown. */
  declare connection: ConsoleConnection | undefined;
  declare snapshot: MonitorSnapshot | undefined;
  /** The chat followed read-only. */
  declare selected: string | undefined;
  declare view: ConversationView | undefined;
  declare messages: ViewMessage[];
  declare error: string;
  declare now: number;

  options: ConsoleMonitorOptions = defaultConsoleMonitorOptions;
  /**
   * Unsubscribes from the console's stream. `supervisor` and `watching` come on it for admins; a watch applies
   * to the session's streams, so the console's own handler sees (and ignores) messages of the watched chat.
   */
  private unsubscribe: (() => void) | undefined;
  private refetchTimer: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.connection = undefined;
    this.snapshot = undefined;
    this.selected = undefined;
    this.view = undefined;
    this.messages = [];
    this.error = '';
    this.now = Date.now();
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; padding: 16px; height: 100%; overflow: auto; box-sizing: border-box; }
      .grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); gap: 16px; align-items: start; }
      section { background: var(--cs-panel); border: 1px solid var(--cs-border); border-radius: 8px; padding: 10px 12px; margin-bottom: 16px; }
      h2 { font-size: 14px; margin: 0 0 8px; }
      table { width: 100%; border-collapse: collapse; font-size: 13px; }
      th { text-align: left; font-weight: 600; color: var(--cs-muted); font-size: 12px; padding: 4px 6px; border-bottom: 1px solid var(--cs-border); }
      td { padding: 6px; border-bottom: 1px solid var(--cs-border); vertical-align: middle; }
      td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      td.load { white-space: nowrap; font-variant-numeric: tabular-nums; }
      .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
      .bar { display: inline-block; width: 80px; height: 8px; background: var(--cs-bg); border: 1px solid var(--cs-border); border-radius: 4px; overflow: hidden; vertical-align: middle; margin-right: 6px; }
      .bar > span { display: block; height: 100%; background: var(--cs-primary); }
      .bar.full > span { background: var(--cs-primary-dark); }
      .tiles { display: flex; gap: 10px; flex-wrap: wrap; }
      .tile { flex: 1; min-width: 110px; border: 1px solid var(--cs-border); border-radius: 8px; padding: 8px 10px; }
      .tile .v { font-size: 20px; font-weight: 600; color: var(--cs-primary-dark); font-variant-numeric: tabular-nums; }
      .tile .k { font-size: 12px; color: var(--cs-muted); }
      .groups { font-size: 12px; color: var(--cs-muted); margin-top: 6px; }
      ul.chats { list-style: none; margin: 0; padding: 0; }
      ul.chats li button { all: unset; box-sizing: border-box; display: block; width: 100%; cursor: pointer; padding: 6px 8px; border-radius: 6px; border: 1px solid transparent; }
      ul.chats li button:hover, ul.chats li button:focus-visible { background: var(--cs-bg); border-color: var(--cs-border); }
      ul.chats li button[aria-pressed='true'] { border-color: var(--cs-primary); background: var(--cs-agent); }
      .chat-meta { font-size: 12px; color: var(--cs-muted); }
      .preview { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .watch { position: sticky; top: 0; display: flex; flex-direction: column; height: calc(100vh - 140px); min-height: 320px; padding: 0; overflow: hidden; }
      .watch header { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 8px 12px; border-bottom: 1px solid var(--cs-border); }
      .readonly { background: #fff4e5; color: #7a4a00; border-bottom: 1px solid #f3d19e; padding: 6px 12px; font-size: 12px; font-weight: 600; }
      .readonly .tag { display: inline-block; background: #7a4a00; color: #fff; border-radius: 4px; padding: 0 6px; margin-right: 6px; font-size: 11px; }
      console-transcript { flex: 1; min-height: 0; }
      .hint { color: var(--cs-muted); padding: 24px 12px; text-align: center; }
      .error { color: var(--cs-primary-dark); }
      @media (max-width: 900px) { .grid { grid-template-columns: 1fr; } .watch { position: static; height: 60vh; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.connection?.subscribe((e) => this.onEvent(e));
    void this.refetch();
    this.ticker = setInterval(() => (this.now = Date.now()), this.options.tickMs);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.refetchTimer);
    clearInterval(this.ticker);
    // Stop following on the server too: the console's stream would otherwise keep receiving the chat.
    if (this.selected) void this.api.watch(this.selected, false).catch(() => undefined);
  }

  private onEvent(e: ConsoleWireEvent): void {
    switch (e.event) {
      // (Re)connected: a watch lives as long as a stream, so follow the chat again and reload what was missed.
      case 'ready':
        void this.refetch();
        if (this.selected) void this.follow(this.selected);
        break;
      case 'supervisor':
        this.scheduleRefetch();
        break;
      case 'message': {
        const { conversationId, ...message } = e.data;
        if (conversationId !== this.selected) return;
        if (this.messages.some((x) => x.id === message.id)) return;
        this.messages = [...this.messages, message].sort((a, b) => a.id - b.id);
        break;
      }
      case 'closed':
        if (e.data.conversationId === this.selected && this.view) this.view = { ...this.view, status: 'closed' };
        break;
      default:
        break;
    }
  }

  private scheduleRefetch(): void {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => void this.refetch(), this.options.refetchDelayMs);
  }

  private async refetch(): Promise<void> {
    try {
      this.snapshot = await this.api.monitor();
      this.now = Date.now();
      this.error = '';
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  /** Watch first, then load: a message between the two is in the transcript or arrives live (deduplicated by id). */
  private async follow(id: string): Promise<void> {
    try {
      await this.api.watch(id, true);
      const view = await this.api.view(id);
      if (this.selected !== id) return;
      this.view = view;
      const known = new Map(this.messages.map((m) => [m.id, m]));
      for (const m of view.messages) known.set(m.id, m);
      this.messages = [...known.values()].sort((a, b) => a.id - b.id);
    } catch (err) {
      // Closed meanwhile (409): show what there is, read-only as ever.
      if (err instanceof ApiError && err.status === 409) {
        const view = await this.api.view(id).catch(() => undefined);
        if (view && this.selected === id) {
          this.view = view;
          this.messages = view.messages;
        }
        return;
      }
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private async select(chat: MonitorChat): Promise<void> {
    if (this.selected === chat.id) return;
    const previous = this.selected;
    this.selected = chat.id;
    this.view = undefined;
    this.messages = [];
    if (previous) void this.api.watch(previous, false).catch(() => undefined);
    await this.follow(chat.id);
  }

  private unselect(): void {
    const previous = this.selected;
    this.selected = undefined;
    this.view = undefined;
    this.messages = [];
    if (previous) void this.api.watch(previous, false).catch(() => undefined);
  }

  private secondsSince(iso: string | undefined): number | undefined {
    if (!iso) return undefined;
    return Math.max(0, Math.round((this.now - Date.parse(iso)) / 1000));
  }

  override render() {
    const s = this.strings;
    const m = s.monitor;
    const snap = this.snapshot;
    const names = new Map((snap?.agents ?? []).map((a) => [a.id, a.displayName]));
    return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <div class="grid">
        <div>
          <section aria-labelledby="agents-h">
            <h2 id="agents-h">${m.agents}</h2>
            <table>
              <thead><tr><th>${m.agent}</th><th>${m.status}</th><th class="n">${m.since}</th><th>${m.load}</th><th>${m.groups}</th></tr></thead>
              <tbody>
                ${(snap?.agents ?? []).map((a) => {
                  const since = this.secondsSince(a.statusSince);
                  const ratio = a.capacity > 0 ? Math.min(1, a.load / a.capacity) : 0;
                  return html`<tr data-testid="monitor-agent-row" data-agent-id=${a.id} data-status=${a.status} data-load=${a.load}>
                    <td>${a.displayName}</td>
                    <td><span class="dot" style=${`background:${STATUS_COLORS[a.status]}`} aria-hidden="true"></span>${s[a.status]}</td>
                    <td class="n">${since === undefined ? '—' : formatDuration(since)}</td>
                    <td class="load">
                      <span class=${`bar${a.load >= a.capacity ? ' full' : ''}`} role="meter" aria-valuemin="0" aria-valuemax=${a.capacity} aria-valuenow=${a.load} aria-label=${m.load}>
                        <span style=${`width:${Math.round(ratio * 100)}%`}></span>
                      </span><span data-testid="monitor-load">${a.load}/${a.capacity}</span>
                    </td>
                    <td>${a.groups.join(', ')}</td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="queue-h">
            <h2 id="queue-h">${m.queue}</h2>
            <div class="tiles" data-testid="monitor-queue">
              <div class="tile"><div class="v">${snap?.queue.waiting ?? 0}</div><div class="k">${m.waiting}</div></div>
              <div class="tile"><div class="v">${formatDuration(snap?.queue.longestWaitSeconds ?? 0)}</div><div class="k">${m.longestWait}</div></div>
            </div>
            ${snap && Object.keys(snap.queue.byGroup).length > 0
              ? html`<div class="groups">${m.byGroup}: ${Object.entries(snap.queue.byGroup)
                  .map(([g, q]) => `${g} ${q.waiting} (${formatDuration(q.longestWaitSeconds)})`)
                  .join(' · ')}</div>`
              : ''}
          </section>
          <section aria-labelledby="active-h">
            <h2 id="active-h">${m.active} (${snap?.active.length ?? 0})</h2>
            ${snap && snap.active.length > 0
              ? html`<ul class="chats">
                  ${snap.active.map(
                    (c) => html`<li>
                      <button data-testid="monitor-chat" data-conversation-id=${c.id} aria-pressed=${this.selected === c.id ? 'true' : 'false'} @click=${() => void this.select(c)}>
                        <div><strong>${names.get(c.agentId) ?? c.agentId}</strong> · ${c.group ?? ''} · ${c.lang}</div>
                        <div class="preview">${c.preview ?? ''}</div>
                        <div class="chat-meta">${m.started} ${formatTime(c.startedAt)} · ${m.lastMessage} ${formatTime(c.lastMessageAt)}</div>
                      </button>
                    </li>`,
                  )}
                </ul>`
              : html`<p class="hint">${m.noActive}</p>`}
          </section>
        </div>
        <section class="watch" aria-label=${m.live}>
          ${this.selected
            ? html`<header>
                  <strong>${this.view?.agent?.displayName ?? ''} · ${this.view?.status === 'closed' ? m.ended : m.live}</strong>
                  <button @click=${() => this.unselect()}>${m.closeView}</button>
                </header>
                <div class="readonly" role="note" data-testid="monitor-readonly"><span class="tag">${m.readOnlyTag}</span>${m.readOnly}</div>
                <console-transcript data-testid="monitor-transcript" .messages=${this.messages} .strings=${s} .names=${names}></console-transcript>`
            : html`<p class="hint">${m.pick}</p>`}
        </section>
      </div>`;
  }
}

customElements.define('console-monitor', ConsoleMonitor);

declare global {
  interface HTMLElementTagNameMap {
    'console-monitor': ConsoleMonitor;
  }
}
