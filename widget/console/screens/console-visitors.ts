// <console-visitors>: visitors on the site now (page, source, time on page, trail, Invite), polled every 5 s; and
// <console-invitation-rules>, the admins' automatic invitation rules (shown on the admin screen).
import { LitElement, css, html, nothing } from 'lit';
import { ApiError, type ConsoleApi, type OnlineVisitor } from '../console-api.ts';
import { formatDuration } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import './console-invitation-rules.ts';
import { MINUTE_STEPS, filterVisitors, noVisitorFilter, sourceKey, sourcesOf, type VisitorFilter, type VisitorState } from './visitor-filter.ts';
import '../console-clipped-text.ts';

/** Page titles are the visited site's, but any page can set one: longer ones are cut, the rest on demand. */
const TITLE_CHARS = 80;

/**
 * The list is polled, not pushed: page views are frequent and agents look at the list now and then, so a
 * 5 s refresh while the screen is shown costs less than a hub event per page view on every agent's stream.
 */
export const VISITORS_POLL_MS = 5_000;

const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

export class ConsoleVisitors extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    visitors: { state: true },
    loaded: { state: true },
    error: { state: true },
    expanded: { state: true },
    inviting: { state: true },
    notice: { state: true },
    now: { state: true },
    filter: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare visitors: OnlineVisitor[];
  declare loaded: boolean;
  declare error: string;
  /** Visitor ids whose trail is open. */
  declare expanded: ReadonlySet<string>;
  /** The visitor whose invite form is open. */
  declare inviting: string;
  declare notice: string;
  declare now: number;
  /** Kept across the 5 s refreshes: it filters each new list as it comes. */
  declare filter: VisitorFilter;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.visitors = [];
    this.loaded = false;
    this.error = '';
    this.expanded = new Set();
    this.inviting = '';
    this.notice = '';
    this.now = Date.now();
    this.filter = noVisitorFilter;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; padding: 12px 16px; }
      table { width: 100%; border-collapse: collapse; }
      th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--cs-border); vertical-align: top; }
      td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
      .path { color: var(--cs-muted); font-size: 12px; overflow-wrap: anywhere; }
      .tag { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: var(--cs-agent); }
      .trail { margin: 4px 0 0; padding-left: 18px; font-size: 12px; color: var(--cs-muted); }
      form.invite { display: flex; gap: 6px; margin-top: 6px; }
      form.invite input { flex: 1; min-width: 0; }
      .hint { color: var(--cs-muted); font-size: 12px; }
      form.filter { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; margin-bottom: 8px; }
      form.filter label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; min-width: 0; }
      form.filter input { width: 16em; max-width: 100%; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.timer = setInterval(() => void this.load(), VISITORS_POLL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  async load(): Promise<void> {
    try {
      this.visitors = (await this.api.visitors()).visitors;
      this.now = Date.now();
      this.error = '';
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.loaded = true;
    }
  }

  private toggle(id: string): void {
    const next = new Set(this.expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.expanded = next;
  }

  private async invite(e: SubmitEvent, id: string): Promise<void> {
    e.preventDefault();
    const text = new FormData(e.target as HTMLFormElement).get('text')?.toString().trim();
    try {
      await this.api.inviteVisitor(id, text || undefined);
      this.inviting = '';
      this.notice = this.strings.visitors.sent;
      await this.load();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private status(v: OnlineVisitor) {
    const s = this.strings.visitors;
    if (v.inChat) return html`<span class="tag" data-testid="visitor-in-chat">${s.inChat}</span>`;
    if (!v.invited) return nothing;
    const label = v.invited.state === 'dismissed' ? s.dismissed : v.invited.state === 'pending' ? s.invited : s.accepted;
    return html`<span class="tag">${label}</span>`;
  }

  override render() {
    const s = this.strings.visitors;
    return html`<h2>${s.title} <span class="hint">· ${s.refresh}</span></h2>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      <p role="status" class="hint">${this.notice}</p>
      ${this.loaded && this.visitors.length === 0 ? html`<p>${s.none}</p>` : nothing}
      ${this.visitors.length > 0 ? this.renderList(filterVisitors(this.visitors, this.filter, this.now)) : nothing}`;
  }

  private setFilter(part: Partial<VisitorFilter>): void {
    this.filter = { ...this.filter, ...part };
  }

  private renderList(shown: OnlineVisitor[]) {
    const s = this.strings.visitors;
    const f = this.filter;
    return html`<form class="filter" role="search" @submit=${(e: Event) => e.preventDefault()}>
        <label>${s.search}
          <input type="search" data-testid="visitor-search" maxlength="100" placeholder=${s.searchHint} .value=${f.text}
            @input=${(e: Event) => this.setFilter({ text: (e.target as HTMLInputElement).value })} /></label>
        <label>${s.minOnline}
          <select data-testid="visitor-min-online" @change=${(e: Event) => this.setFilter({ minMinutes: Number((e.target as HTMLSelectElement).value) })}>
            ${MINUTE_STEPS.map((m) => html`<option value=${m} ?selected=${f.minMinutes === m}>${m === 0 ? s.anyTime : s.atLeast(m)}</option>`)}
          </select></label>
        <label>${this.strings.visitorSource.source}
          <select data-testid="visitor-source" @change=${(e: Event) => this.setFilter({ source: (e.target as HTMLSelectElement).value })}>
            ${this.sourceChoices().map(([value, label]) => html`<option value=${value} ?selected=${f.source === value}>${label}</option>`)}
          </select></label>
        <label>${s.state}
          <select data-testid="visitor-state" @change=${(e: Event) => this.setFilter({ state: (e.target as HTMLSelectElement).value as VisitorState })}>
            ${([['all', s.all], ['in_chat', s.inChat], ['invited', s.invited], ['idle', s.idle]] as const).map(
              ([value, label]) => html`<option value=${value} ?selected=${f.state === value}>${label}</option>`,
            )}
          </select></label>
        <span class="hint" data-testid="visitor-shown">${s.shown(shown.length, this.visitors.length)}</span>
      </form>
      ${shown.length === 0
        ? html`<p data-testid="visitor-no-match">${s.noMatch}</p>`
        : html`<table>
            <thead><tr><th>${s.page}</th><th>${s.onPage}</th><th>${s.pages}</th><th>${s.online}</th><th></th></tr></thead>
            <tbody>
              ${shown.map((v) => this.renderRow(v))}
            </tbody>
          </table>`}`;
  }

  /** The source menu: any, each kind, then each engine and site among the visitors listed now (and the one chosen). */
  private sourceChoices(): Array<[string, string]> {
    const s = this.strings.visitorSource;
    const named = sourcesOf(this.visitors).map((x) => [sourceKey(x), this.sourceLabel(x)] as [string, string]);
    const chosen = this.filter.source;
    // A source chosen that no visitor has any more stays in the menu (the list refreshes under the agent).
    const kept = chosen.includes(':') && !named.some(([k]) => k === chosen) ? [[chosen, chosen.slice(chosen.indexOf(':') + 1)] as [string, string]] : [];
    return [['', s.all], ['search', s.anySearch], ['site', s.anySite], ['direct', this.strings.report.direct], ...named, ...kept];
  }

  private sourceLabel(source: OnlineVisitor['source'] | undefined): string {
    const r = this.strings.report;
    if (!source || source.kind === 'direct' || !source.name) return r.direct;
    return source.kind === 'search' ? `${r.search} · ${r.engines[source.name] ?? source.name}` : `${r.site} · ${source.name}`;
  }

  private renderRow(v: OnlineVisitor) {
    const s = this.strings.visitors;
    const open = this.expanded.has(v.id);
    const onPage = Math.max(0, Math.round((this.now - Date.parse(v.currentPage.since)) / 1000));
    const online = Math.max(0, Math.round((this.now - Date.parse(v.onlineSince)) / 1000));
    return html`<tr data-testid="visitor-row" data-visitor=${v.id}>
      <td>
        <div><console-clipped-text .text=${v.currentPage.title || pathOf(v.currentPage.url)} .max=${TITLE_CHARS} .strings=${this.strings}></console-clipped-text> ${this.status(v)}</div>
        <div class="path" data-testid="visitor-path">${pathOf(v.currentPage.url)}</div>
        <div class="path" data-testid="visitor-source-tag"><span class="tag">${this.sourceLabel(v.source)}</span></div>
        <button class="link" aria-expanded=${open ? 'true' : 'false'} @click=${() => this.toggle(v.id)}>${s.trail} (${v.trail.length})</button>
        ${open
          ? html`<ol class="trail" data-testid="visitor-trail">
              ${v.trail.map((p) => html`<li><console-clipped-text .text=${p.title || pathOf(p.url)} .max=${TITLE_CHARS} .strings=${this.strings}></console-clipped-text> <span class="path">${pathOf(p.url)}</span>${p.seconds !== undefined ? html` · ${formatDuration(p.seconds)}` : nothing}</li>`)}
            </ol>`
          : nothing}
        ${this.inviting === v.id
          ? html`<form class="invite" @submit=${(e: SubmitEvent) => this.invite(e, v.id)}>
              <input name="text" maxlength="300" aria-label=${s.message} placeholder=${s.message} data-testid="visitor-invite-text" />
              <button type="submit" class="primary" data-testid="visitor-invite-send">${s.send}</button>
              <button type="button" @click=${() => (this.inviting = '')}>${s.cancel}</button>
            </form>`
          : nothing}
      </td>
      <td class="num">${formatDuration(onPage)}</td>
      <td class="num">${v.pages}</td>
      <td class="num">${formatDuration(online)}</td>
      <td>
        <button data-testid="visitor-invite" ?disabled=${v.inChat} @click=${() => (this.inviting = v.id)}>${s.invite}</button>
      </td>
    </tr>`;
  }
}

customElements.define('console-visitors', ConsoleVisitors);

declare global {
  interface HTMLElementTagNameMap {
    'console-visitors': ConsoleVisitors;
  }
}
