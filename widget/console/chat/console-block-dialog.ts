// <console-block-dialog>: blocks the open chat's visitor by visitor id or by IP, for a while or until lifted.
import { css, html } from 'lit';
import { ConsoleDialog } from '../console-dialog.ts';
import { consoleBase } from '../console-styles.ts';
import { ConsoleEvent } from '../../shared/events.ts';
export type { VisitorBlockedDetail } from '../../shared/events.ts';

/** Sent (bubbling, composed, so it reaches window) after a block is made or lifted: the counter refreshes. */

/** The preselected duration: a day stops a flood without keeping a shared address (an office, a mobile carrier) out for long. */
const DEFAULT_DURATION_HOURS = 24;

export class ConsoleBlockDialog extends ConsoleDialog {
  static override properties = {
    conversationId: { type: String },
    visitorId: { attribute: false },
    hasIp: { attribute: false },
    ip: { attribute: false },
    by: { state: true },
  };
  declare conversationId: string;
  /** The conversation's visitor id, when the server knows it (a choice without one is disabled). */
  declare visitorId: string | undefined;
  /** The server knows the address: blocking by it is offered; the address itself comes (as `ip`) to admins only. */
  declare hasIp: boolean;
  declare ip: string | undefined;
  declare by: 'visitor' | 'ip';

  constructor() {
    super();
    this.conversationId = '';
    this.visitorId = undefined;
    this.hasIp = false;
    this.ip = undefined;
    this.by = 'visitor';
  }

  static override styles = [
    consoleBase,
    ConsoleDialog.dialogStyles,
    css`
      dialog { width: min(440px, 92vw); }
      form { display: flex; flex-direction: column; gap: 12px; }
      p.intro { margin: 0; font-size: 13px; color: var(--cs-muted); }
      fieldset { border: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: 6px; }
      legend { font-size: 13px; padding: 0; margin-bottom: 4px; font-weight: 600; }
      fieldset label { flex-direction: row; align-items: baseline; gap: 6px; }
      fieldset label.off { color: var(--cs-muted); }
      code { font-size: 12px; background: #eef0f3; border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
    `,
  ];

  async open(): Promise<void> {
    this.by = this.visitorId || !this.hasIp ? 'visitor' : 'ip';
    await this.showModal(true);
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const reason = String(data.get('reason') ?? '').trim();
    const duration = String(data.get('duration') ?? '');
    const conversationId = this.conversationId;
    await this.submitWith(
      () => this.api.block(conversationId, {
        by: this.by,
        durationHours: duration === '' ? null : Number(duration),
        ...(reason ? { reason } : {}),
      }),
      ({ block }) => {
        this.emit(ConsoleEvent.visitorBlocked, { conversationId, block });
        this.emit(ConsoleEvent.blocksChanged);
      },
      (err) => this.strings.blockErrors[err.code] ?? err.message,
    );
  }

  /** `known`: the server has the value; `value`: it is shown (an address is shown to admins only). */
  private choice(by: 'visitor' | 'ip', label: string, known: boolean, value: string | undefined) {
    return html`<label class=${known ? '' : 'off'}>
      <input
        type="radio"
        name="by"
        value=${by}
        data-testid=${`block-by-${by}`}
        ?disabled=${!known}
        ?checked=${this.by === by}
        @change=${() => (this.by = by)}
      />
      <span>${label}</span>
      ${value ? html`<code>${value}</code>` : known ? '' : html`<span class="muted">(${this.strings.unknownValue})</span>`}
    </label>`;
  }

  override render() {
    const s = this.strings;
    const chosen = this.by === 'visitor' ? Boolean(this.visitorId) : this.hasIp;
    return html`<dialog aria-labelledby="block-title" aria-describedby="block-intro" data-testid="block-dialog">
      <form @submit=${this.submit}>
        <h2 id="block-title">${s.blockTitle}</h2>
        <p class="intro" id="block-intro">${s.blockIntro}</p>
        <fieldset>
          <legend>${s.blockBy}</legend>
          ${this.choice('visitor', s.byVisitor, Boolean(this.visitorId), this.visitorId)} ${this.choice('ip', s.byIp, this.hasIp, this.ip)}
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
