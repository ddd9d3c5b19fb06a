// <console-block-counter>: the toolbar's "Blocked N" (requests refused today), polled and refreshed after a block.
import { LitElement, css, html } from 'lit';
import type { BlockSummary, ConsoleApi } from './console-api.ts';
import { ConsoleEvent } from '../shared/events.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type Strings } from './console-strings.ts';

/** How often the counter asks the server. Range 5000-300000 ms; default 30000 (refused requests are not urgent news). */
export const BLOCK_COUNTER_POLL_MS = 30_000;

export class ConsoleBlockCounter extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    pollMs: { type: Number },
    summary: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare pollMs: number;
  /** Undefined until the first answer (and while the server has none): the counter stays hidden. */
  declare summary: BlockSummary | undefined;

  private timer: ReturnType<typeof setInterval> | undefined;
  private loading = false;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.pollMs = BLOCK_COUNTER_POLL_MS;
    this.summary = undefined;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: inline-flex; }
      button { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; font-size: 13px; }
      .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--cs-muted); }
      .dot.on { background: var(--cs-primary); }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // Blocks made or lifted anywhere in this page (the chat pane, the admin list) bubble up to window.
    addEventListener(ConsoleEvent.blocksChanged, this.onChanged);
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener(ConsoleEvent.blocksChanged, this.onChanged);
    clearInterval(this.timer);
  }

  /** Asks the server now (also what pressing the counter does). */
  async refresh(): Promise<void> {
    if (this.loading || !this.api) return;
    this.loading = true;
    try {
      this.summary = await this.api.blockSummary();
    } catch {
      // Keep the last figure: a missed poll is not worth a message; the next one tries again.
    } finally {
      this.loading = false;
    }
  }

  private readonly onChanged = () => void this.refresh();

  override render() {
    const summary = this.summary;
    if (!summary) return html``;
    const s = this.strings;
    const tooltip = s.blockedTooltip(summary.hitsToday, summary.active);
    return html`<button type="button" data-testid="blocked-counter" title=${tooltip} aria-label=${`${s.blockedCounter(summary.hitsToday)}: ${tooltip}`} @click=${() => void this.refresh()}>
      <span class=${summary.active > 0 ? 'dot on' : 'dot'} aria-hidden="true"></span>
      <span>${s.blockedCounter(summary.hitsToday)}</span>
    </button>`;
  }
}

customElements.define('console-block-counter', ConsoleBlockCounter);

declare global {
  interface HTMLElementTagNameMap {
    'console-block-counter': ConsoleBlockCounter;
  }
}
