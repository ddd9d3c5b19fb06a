// <cw-attach-button>: the paperclip of both composers (widget and console). It picks a file (its button, or a
// paste or drop the composer hands it with `stage`), shows it above the composer with a remove button, and keeps
// it until the composer sends it (`take`). A file of a type or size the server would refuse is not kept: the
// reason shows instead. Says `attachment-pick` when a file is kept, so the composer can enable its send button.
import { LitElement, css, html, nothing } from 'lit';
import { ACCEPT_ATTRIBUTE, DEFAULT_MAX_ATTACHMENT_BYTES, fileRefusal, type AttachmentLabels } from './attachment-files.ts';
import './attachment-card.ts';
import { composedEvent, SharedEvent } from './events.ts';

const CLIP_ICON = html`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
  <path d="M16.5 6.5l-7.8 7.8a1.8 1.8 0 0 0 2.5 2.5l8.2-8.2a3.6 3.6 0 0 0-5.1-5.1L5.8 12a5.4 5.4 0 0 0 7.6 7.6l6.1-6.1" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
</svg>`;

/** How long the reason a file was refused stays above the composer. Range 2000-30000 ms; default 8000. */
const REFUSAL_MS = 8000;

export class AttachButton extends LitElement {
  static override properties = {
    labels: { attribute: false },
    maxBytes: { type: Number, attribute: 'max-bytes' },
    disabled: { type: Boolean, reflect: true },
    file: { state: true },
    refusal: { state: true },
  };
  declare labels: AttachmentLabels | undefined;
  /** Larger files are refused before sending (MAX_ATTACHMENT_BYTES of the server). Default 5 MiB. */
  declare maxBytes: number;
  declare disabled: boolean;
  /** The picked file, until sent or removed. */
  declare file: File | undefined;
  /** Why the last file offered was not kept. */
  declare refusal: string | undefined;
  private refusalTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.labels = undefined;
    this.maxBytes = DEFAULT_MAX_ATTACHMENT_BYTES;
    this.disabled = false;
    this.file = undefined;
    this.refusal = undefined;
  }

  static override styles = css`
    :host {
      position: relative;
      display: inline-flex;
    }
    .toggle {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 40px;
      height: 40px;
      padding: 0;
      border: 1px solid var(--cw-input-border, #8c959f);
      border-radius: 8px;
      background: var(--cw-bg, #fff);
      color: var(--cw-text, #1f2328);
      cursor: pointer;
    }
    .toggle:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    .toggle:focus-visible {
      outline: 3px solid var(--cw-focus, #0b5fff);
      outline-offset: 1px;
    }
    input {
      display: none;
    }
    .tray {
      position: absolute;
      left: 0;
      bottom: calc(100% + 10px);
      z-index: 2;
      width: max-content;
      max-width: min(280px, calc(100vw - 32px));
      padding: 8px;
      border: 1px solid var(--cw-border, #d0d7de);
      border-radius: 10px;
      background: var(--cw-bg, #fff);
      box-shadow: 0 6px 24px rgb(0 0 0 / 0.18);
    }
    /* Only words: clicks go through to the chat under it, and it fades by itself. */
    .tray.refused {
      pointer-events: none;
    }
    .refusal {
      margin: 0;
      max-width: 240px;
      font-size: 13px;
      color: var(--cw-danger, #a40e26);
    }
  `;

  /** Offers a file (picked, pasted or dropped): kept when it may be sent, else the reason shows. True when kept. */
  stage(file: File): boolean {
    const why = fileRefusal(file, this.maxBytes);
    if (why) {
      this.refusal = why === 'tooLarge' ? (this.labels?.tooLarge(this.maxBytes) ?? why) : (this.labels?.unsupported ?? why);
      clearTimeout(this.refusalTimer);
      this.refusalTimer = setTimeout(() => (this.refusal = undefined), REFUSAL_MS);
      return false;
    }
    this.refusal = undefined;
    this.file = file;
    this.dispatchEvent(composedEvent(SharedEvent.attachmentPick, { file }));
    return true;
  }

  /** The picked file, handed over for sending (the tray empties); undefined when none. */
  take(): File | undefined {
    const file = this.file;
    this.file = undefined;
    this.refusal = undefined;
    return file;
  }

  /** Drops the picked file and any refusal (the composer moved to another chat). */
  clear(): void {
    this.file = undefined;
    this.refusal = undefined;
  }

  private open(): void {
    this.refusal = undefined;
    this.renderRoot.querySelector<HTMLInputElement>('input')?.click();
  }

  private readonly onChange = (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    // The same file may be picked again after a removal: the input must change for that.
    input.value = '';
    if (file) this.stage(file);
  };

  // The card's `attachment-remove` goes on bubbling: the composer around follows what is picked.
  private readonly onRemove = () => {
    this.clear();
    this.renderRoot.querySelector<HTMLButtonElement>('.toggle')?.focus();
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.refusalTimer);
  }

  override render() {
    const label = this.labels?.attach ?? '';
    return html`<button type="button" class="toggle" data-testid="attach" aria-label=${label} title=${label} ?disabled=${this.disabled} @click=${this.open}>
        ${CLIP_ICON}
      </button>
      <input type="file" data-testid="attach-input" accept=${ACCEPT_ATTRIBUTE} tabindex="-1" aria-hidden="true" @change=${this.onChange} />
      ${this.file || this.refusal
        ? html`<div class=${this.file ? 'tray' : 'tray refused'} data-testid="attachment-pending">
            ${this.file
              ? html`<cw-attachment-card .file=${this.file} .labels=${this.labels} removable @attachment-remove=${this.onRemove}></cw-attachment-card>`
              : nothing}
            ${this.refusal ? html`<p class="refusal" role="alert" data-testid="attachment-refused">${this.refusal}</p>` : nothing}
          </div>`
        : nothing}`;
  }
}

if (!customElements.get('cw-attach-button')) customElements.define('cw-attach-button', AttachButton);

declare global {
  interface HTMLElementTagNameMap {
    'cw-attach-button': AttachButton;
  }
}
