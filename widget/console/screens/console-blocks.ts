// <console-blocks>: the admin's list of visitor blocks (active first, then those ended in the last 30 days) with Lift.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type VisitorBlock } from '../console-api.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';

export class ConsoleBlocks extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    blocks: { state: true },
    loaded: { state: true },
    error: { state: true },
    lifting: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare blocks: VisitorBlock[];
  declare loaded: boolean;
  declare error: string;
  /** The block being lifted (its button is disabled meanwhile). */
  declare lifting: string;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.blocks = [];
    this.loaded = false;
    this.error = '';
    this.lifting = '';
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; }
      code { font-size: 12px; overflow-wrap: anywhere; }
      tr.ended td { color: var(--cs-muted); }
      td.num { font-variant-numeric: tabular-nums; }
      .tag.on { background: var(--cs-agent); color: var(--cs-primary-dark); }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.blocks = (await this.api.blocks()).blocks;
      this.error = '';
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.loaded = true;
    }
  }

  private async lift(block: VisitorBlock) {
    this.lifting = block.id;
    this.error = '';
    try {
      await this.api.liftBlock(block.id);
      this.dispatchEvent(composedEvent(ConsoleEvent.blocksChanged));
      await this.load();
      // The row's button is gone: keep focus in the section instead of dropping it on the page.
      this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.lifting = '';
    }
  }

  private state(b: VisitorBlock): string {
    const s = this.strings;
    return b.active ? s.blockActive : b.liftedAt ? s.blockLifted : s.blockExpired;
  }

  override render() {
    const s = this.strings;
    return html`<section class="card" aria-labelledby="blocks-h" data-testid="blocks">
      <h2 id="blocks-h" tabindex="-1">${s.blocks}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.loaded && this.blocks.length === 0 && !this.error
        ? html`<p class="muted">${s.noBlocks}</p>`
        : html`<table>
            <thead>
              <tr>
                <th>${s.blockKind}</th><th>${s.blockValue}</th><th>${s.blockReasonColumn}</th><th>${s.blockedBy}</th><th>${s.blockedAt}</th>
                <th>${s.expires}</th><th>${s.hits}</th><th></th>
              </tr>
            </thead>
            <tbody>
              ${this.blocks.map(
                (b) => html`<tr class=${b.active ? '' : 'ended'} data-testid="block-row" data-block-id=${b.id} data-active=${b.active ? 'true' : 'false'}>
                  <td>${b.by === 'ip' ? s.byIp : s.byVisitor}</td>
                  <td><code>${b.value}</code></td>
                  <td>${b.reason ?? ''}</td>
                  <td>${b.createdBy.displayName}</td>
                  <td>${formatTime(b.createdAt)}</td>
                  <td>${b.expiresAt ? formatTime(b.expiresAt) : s.untilLifted}</td>
                  <td class="num">${b.hits}${b.lastHitAt ? html` <span class="muted">${formatTime(b.lastHitAt)}</span>` : ''}</td>
                  <td>
                    <div class="row">
                      <span class=${b.active ? 'tag on' : 'tag'}>${this.state(b)}</span>
                      ${b.active
                        ? html`<button data-testid="block-lift" aria-label=${s.liftLabel(b.value)} ?disabled=${this.lifting === b.id} @click=${() => void this.lift(b)}>${s.lift}</button>`
                        : ''}
                    </div>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }
}

customElements.define('console-blocks', ConsoleBlocks);

declare global {
  interface HTMLElementTagNameMap {
    'console-blocks': ConsoleBlocks;
  }
}
