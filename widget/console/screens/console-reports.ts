// <console-reports>: the supervisors' dashboard: a range picker, headline tiles, the by-hour and
// handoff-reason charts as inline SVG, top entries, the agents table, the visitors' browsers, systems and
// sources as bar tables, and the CSV download.
import { LitElement, css, html, svg } from 'lit';
import { ApiError, type ConsoleApi, type Report } from '../console-api.ts';
import { formatDuration } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';

type Preset = '7' | '30' | 'custom';

/** yyyy-mm-dd of a Date in Beijing (the server reads date-only values as Beijing days). */
function beijingDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const seconds = (v: number | null) => (v === null ? '—' : formatDuration(v));

export class ConsoleReports extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    preset: { state: true },
    from: { state: true },
    to: { state: true },
    report: { state: true },
    error: { state: true },
    loading: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare preset: Preset;
  /** The range as dates (Beijing days); `to` exclusive, as the API reads it. */
  declare from: string;
  declare to: string;
  declare report: Report | undefined;
  declare error: string;
  declare loading: boolean;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.preset = '7';
    const tomorrow = addDays(beijingDate(new Date()), 1);
    this.to = tomorrow;
    this.from = addDays(tomorrow, -7);
    this.report = undefined;
    this.error = '';
    this.loading = false;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; padding: 16px; height: 100%; overflow: auto; }
      .wrap { display: flex; flex-direction: column; gap: 16px; }
      form { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-end; }
      label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
      .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; }
      .tile { background: var(--cs-panel); border: 1px solid var(--cs-border); border-radius: 8px; padding: 10px 12px; }
      .tile .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; color: var(--cs-primary-dark); }
      .tile .k { font-size: 12px; color: var(--cs-muted); }
      .charts { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
      svg { width: 100%; height: auto; display: block; }
      svg text { font-size: 10px; fill: var(--cs-muted); }
      svg .bar { fill: var(--cs-primary); }
      svg .bar.alt { fill: var(--cs-focus); }
      td.n { text-align: right; font-variant-numeric: tabular-nums; }
      .visitors { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 16px; }
      .bars { width: 100%; border-collapse: collapse; table-layout: fixed; }
      .bars th { text-align: left; font-weight: normal; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; width: 42%; padding: 3px 6px 3px 0; }
      .bars td { padding: 3px 0; }
      .bars .track { display: flex; align-items: center; gap: 6px; }
      .bars .fill { height: 12px; min-width: 2px; border-radius: 2px; background: var(--cs-primary); }
      .bars .num { font-variant-numeric: tabular-nums; font-size: 12px; color: var(--cs-muted); white-space: nowrap; }
      @media (max-width: 720px) { .charts { grid-template-columns: 1fr; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** The CSV of the current range; a preset ends tomorrow (Beijing), so today counts. */
  get csvHref(): string {
    return this.api?.reportsCsvUrl(this.from, this.to) ?? '';
  }

  async load() {
    this.loading = true;
    this.error = '';
    try {
      this.report = await this.api.reports(this.from, this.to);
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }

  private pick(preset: Preset) {
    this.preset = preset;
    if (preset === 'custom') return;
    this.to = addDays(beijingDate(new Date()), 1);
    this.from = addDays(this.to, -Number(preset));
    void this.load();
  }

  private applyCustom(e: SubmitEvent) {
    e.preventDefault();
    const d = new FormData(e.currentTarget as HTMLFormElement);
    this.from = String(d.get('from') ?? '');
    this.to = String(d.get('to') ?? '');
    void this.load();
  }

  override render() {
    const s = this.strings.report;
    const r = this.report;
    return html`<div class="wrap" data-testid="reports">
      <form class="card" @submit=${this.applyCustom} aria-label=${s.range}>
        <label>${s.range}
          <select data-testid="report-range" .value=${this.preset} @change=${(e: Event) => this.pick((e.target as HTMLSelectElement).value as Preset)}>
            <option value="7" ?selected=${this.preset === '7'}>${s.last7}</option>
            <option value="30" ?selected=${this.preset === '30'}>${s.last30}</option>
            <option value="custom" ?selected=${this.preset === 'custom'}>${s.custom}</option>
          </select>
        </label>
        ${this.preset === 'custom'
          ? html`<label>${s.from}<input type="date" name="from" required .value=${this.from} /></label>
              <label>${s.to}<input type="date" name="to" required .value=${this.to} /></label>
              <button class="primary" type="submit">${s.apply}</button>`
          : ''}
        <a data-testid="report-csv" href=${this.csvHref} download>${s.download}</a>
        ${this.loading ? html`<span class="muted" role="status">${s.loading}</span>` : ''}
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${r ? this.renderReport(r) : ''}
    </div>`;
  }

  private renderReport(r: Report) {
    const s = this.strings.report;
    const tiles: Array<[string, string]> = [
      [s.conversations, String(r.conversations)],
      [s.containment, percent(r.containmentRate)],
      [s.handoff, percent(r.handoffRate)],
      [s.fallback, percent(r.fallbackRate)],
      [s.avgWait, seconds(r.avgWaitSeconds)],
      [s.avgHandle, seconds(r.avgHandleSeconds)],
      [s.csat, r.csat.average === null ? '—' : `${r.csat.average.toFixed(2)} (${r.csat.count} ${s.ratings})`],
    ];
    const reasons = Object.entries(r.handoffReasons);
    return html`
      <section class="tiles" aria-label=${s.range}>
        ${tiles.map(([k, v]) => html`<div class="tile" data-testid="report-tile"><div class="v">${v}</div><div class="k">${k}</div></div>`)}
      </section>
      <section class="charts">
        <div class="card"><h2 id="by-hour-h">${s.byHour}</h2>${this.hourChart(r.byHour)}</div>
        <div class="card"><h2 id="reasons-h">${s.reasons}</h2>
          ${reasons.length === 0 ? html`<p class="muted">${s.none}</p>` : this.reasonChart(reasons)}</div>
      </section>
      <section class="charts">
        <div class="card"><h2>${s.topEntries}</h2>
          ${r.topEntries.length === 0
            ? html`<p class="muted">${s.none}</p>`
            : html`<table><thead><tr><th>${s.entry}</th><th>${s.count}</th></tr></thead><tbody>
                ${r.topEntries.map((e) => html`<tr><td>${e.entryId}</td><td class="n">${e.count}</td></tr>`)}
              </tbody></table>`}
        </div>
        <div class="card"><h2>${s.agent}</h2>
          ${r.agents.length === 0
            ? html`<p class="muted">${s.none}</p>`
            : html`<table><thead><tr><th>${s.agent}</th><th>${s.handled}</th><th>${s.avgHandle}</th><th>${s.csat}</th></tr></thead><tbody>
                ${r.agents.map((a) => html`<tr data-testid="report-agent"><td>${a.displayName}</td><td class="n">${a.conversations}</td>
                  <td class="n">${seconds(a.avgHandleSeconds)}</td>
                  <td class="n">${a.csat.average === null ? '—' : `${a.csat.average.toFixed(2)} (${a.csat.count})`}</td></tr>`)}
              </tbody></table>`}
        </div>
      </section>
      ${this.renderVisitors(r)}
    `;
  }

  /** Browsers, systems and sources as bar tables: a name, a bar as long as its share of the top count, the count. */
  private renderVisitors(r: Report) {
    const s = this.strings.report;
    const named = (name: string) => (name === 'unknown' ? s.unknown : name);
    const source = (x: Report['visitors']['sources'][number]) =>
      x.kind === 'direct' ? s.direct : x.kind === 'search' ? `${s.search} · ${s.engines[x.name ?? ''] ?? x.name}` : `${s.site} · ${x.name}`;
    const lists: Array<[title: string, testid: string, rows: Array<[string, number]>]> = [
      [s.browsers, 'report-browsers', r.visitors.browsers.map((b) => [named(b.name), b.count])],
      [s.systems, 'report-systems', r.visitors.systems.map((b) => [named(b.name), b.count])],
      [s.sources, 'report-sources', r.visitors.sources.map((x) => [source(x), x.count])],
    ];
    return html`<section aria-label=${s.visitors}>
      <h2>${s.visitors}</h2>
      <div class="visitors">
        ${lists.map(([title, testid, rows]) => {
          const max = Math.max(1, ...rows.map(([, n]) => n));
          return html`<div class="card"><h3>${title}</h3>
            ${rows.length === 0
              ? html`<p class="muted">${s.none}</p>`
              : html`<table class="bars" data-testid=${testid}><tbody>
                  ${rows.map(([name, n]) => html`<tr><th scope="row" title=${name}>${name}</th>
                    <td><div class="track"><div class="fill" style="width:${Math.round((70 * n) / max)}%"></div>
                      <span class="num">${n} · ${percent(n / Math.max(1, r.conversations))}</span></div></td></tr>`)}
                </tbody></table>`}
          </div>`;
        })}
      </div>
    </section>`;
  }

  /** 24 bars, hour labels every 3 hours; the numbers are in each bar's title for screen readers and hover. */
  private hourChart(byHour: number[]) {
    const W = 480, H = 160, top = 12, bottom = 18, left = 4;
    const max = Math.max(1, ...byHour);
    const step = (W - left) / 24;
    return svg`<svg data-testid="report-hours" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="by-hour-h">
      ${byHour.map((n, h) => {
        const height = ((H - top - bottom) * n) / max;
        return svg`<g><title>${String(h).padStart(2, '0')}:00 — ${n}</title>
          <rect class="bar" x=${left + h * step + 2} y=${H - bottom - height} width=${step - 4} height=${height}></rect>
          ${n > 0 ? svg`<text x=${left + h * step + step / 2} y=${H - bottom - height - 2} text-anchor="middle">${n}</text>` : ''}
          ${h % 3 === 0 ? svg`<text x=${left + h * step + step / 2} y=${H - 4} text-anchor="middle">${h}</text>` : ''}</g>`;
      })}
      <line x1="0" x2=${W} y1=${H - bottom} y2=${H - bottom} stroke="#d9dce1"></line>
    </svg>`;
  }

  /** Horizontal bars, one per reason, labelled with the console's words for the reason codes. */
  private reasonChart(reasons: Array<[string, number]>) {
    const names = this.strings.reasons;
    const W = 320, row = 24, labelW = 110;
    const H = reasons.length * row + 4;
    const max = Math.max(1, ...reasons.map(([, n]) => n));
    return svg`<svg data-testid="report-reasons" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="reasons-h">
      ${reasons.map(([reason, n], i) => {
        const width = ((W - labelW - 30) * n) / max;
        const y = i * row + 4;
        return svg`<g><title>${names[reason] ?? reason}: ${n}</title>
          <text x=${labelW - 6} y=${y + 13} text-anchor="end">${names[reason] ?? reason}</text>
          <rect class="bar alt" x=${labelW} y=${y} width=${width} height=${row - 8}></rect>
          <text x=${labelW + width + 4} y=${y + 13}>${n}</text></g>`;
      })}
    </svg>`;
  }
}

customElements.define('console-reports', ConsoleReports);

declare global {
  interface HTMLElementTagNameMap {
    'console-reports': ConsoleReports;
  }
}
