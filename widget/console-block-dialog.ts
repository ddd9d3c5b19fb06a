// <console-block-dialog>: blocks the open chat's visitor by visitor id or by IP, for a while or until lifted.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type VisitorBlock } from './console-api.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type Strings } from './console-strings.ts';

/** Sent (bubbling, composed, so it reaches window) after a block is made or lifted: the counter refreshes. */
export const BLOCKS_CHANGED = 'visitor-blocks-changed';

export interface VisitorBlockedDetail {
  conversationId: string;
  block: VisitorBlock;
}

/** The preselected duration: a day stops a flood without keeping a shared address (an office, a mobile carrier) out for long. */
const DEFAULT_DURATION_HOURS = 24;

export class ConsoleBlockDialog extends LitElement {
  static override properties = {
    api: { attribute: false },
    conversationId: { type: String },
    strings: { attribute: false },
    visitorId: { attribute: false },
    ip: { attribute: false },
    by: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare api: ConsoleApi;
  declare conversationId: string;
  declare strings: Strings;
  /** The conversation's visitor id and address, when the server knows them (a choice without one is disabled). */
  declare visitorId: string | undefined;
  declare ip: string | undefined;
  declare by: 'visitor' | 'ip';
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.conversationId = '';
    this.strings = STRINGS.zh;
    this.visitorId = undefined;
    this.ip = undefined;
    this.by = 'visitor';
    this.error = '';
    this.busy = false;
  }

  static override styles = [
    consoleBase,
    css`
      dialog { border: 1px solid var(--cs-border); border-radius: 10px; padding: 16px; width: min(440px, 92vw); }
      dialog::backdrop { background: rgb(0 0 0 / 30%); }
      form { display: flex; flex-direction: column; gap: 12px; }
      p.intro { margin: 0; font-size: 13px; color: var(--cs-muted); }
      fieldset { border: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: 6px; }
      legend { font-size: 13px; padding: 0; margin-bottom: 4px; font-weight: 600; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
      fieldset label { flex-direction: row; align-items: baseline; gap: 6px; }
      fieldset label.off { color: var(--cs-muted); }
      code { font-size: 12px; background: #eef0f3; border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
      .actions { display: flex; justify-content: flex-end; gap: 8px; }
    `,
  ];

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  async open(): Promise<void> {
    this.error = '';
    this.by = this.visitorId || !this.ip ? 'visitor' : 'ip';
    await this.updateComplete;
    this.renderRoot.querySelector('form')?.reset();
    this.dialog?.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const reason = String(data.get('reason') ?? '').trim();
    const duration = String(data.get('duration') ?? '');
    this.busy = true;
    this.error = '';
    try {
      const { block } = await this.api.block(this.conversationId, {
        by: this.by,
        durationHours: duration === '' ? null : Number(duration),
        ...(reason ? { reason } : {}),
      });
      this.close();
      this.dispatchEvent(
        new CustomEvent<VisitorBlockedDetail>('visitor-blocked', { detail: { conversationId: this.conversationId, block }, bubbles: true, composed: true }),
      );
      this.dispatchEvent(new CustomEvent(BLOCKS_CHANGED, { bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof ApiError ? (this.strings.blockErrors[err.code] ?? err.message) : String(err);
    } finally {
      this.busy = false;
    }
  }

  private choice(by: 'visitor' | 'ip', label: string, value: string | undefined) {
    return html`<label class=${value ? '' : 'off'}>
      <input
        type="radio"
        name="by"
        value=${by}
        data-testid=${`block-by-${by}`}
        ?disabled=${!value}
        ?checked=${this.by === by}
        @change=${() => (this.by = by)}
      />
      <span>${label}</span>
      ${value ? html`<code>${value}</code>` : html`<span class="muted">(${this.strings.unknownValue})</span>`}
    </label>`;
  }

  override render() {
    const s = this.strings;
    const chosen = this.by === 'visitor' ? this.visitorId : this.ip;
    return html`<dialog aria-labelledby="block-title" aria-describedby="block-intro" data-testid="block-dialog">
      <form @submit=${this.submit}>
        <h2 id="block-title">${s.blockTitle}</h2>
        <p class="intro" id="block-intro">${s.blockIntro}</p>
        <fieldset>
          <legend>${s.blockBy}</legend>
          ${this.choice('visitor', s.byVisitor, this.visitorId)} ${this.choice('ip', s.byIp, this.ip)}
        </fieldset>
        <label>${s.blockDuration}
          <select name="duration" data-testid="block-duration">
            ${s.durations.map(
              ([hours, label]) => html`<option value=${hours === null ? '' : String(hours)} ?selected=${hours === DEFAULT_DURATION_HOURS}>${label}</option>`,
            )}
          </select>
        </label>
        <label>${s.blockReason}<textarea name="reason" rows="2" maxlength="200" data-testid="block-reason"></textarea></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <div class="actions">
          <button type="button" @click=${() => this.close()} data-testid="block-cancel">${s.cancel}</button>
          <button class="primary" type="submit" ?disabled=${this.busy || !chosen} data-testid="block-confirm">${s.blockConfirm}</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define('console-block-dialog', ConsoleBlockDialog);

declare global {
  interface HTMLElementTagNameMap {
    'console-block-dialog': ConsoleBlockDialog;
  }
}
