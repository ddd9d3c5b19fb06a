// <cw-attachment-card>: a file in a chat, on both faces: a picture as a thumbnail (opens full size), a PDF as an
// icon with its name and size (downloads). It shows a stored attachment, or a local file (picked, or still being
// sent). The name is only ever text: Lit escapes it, and nothing of it becomes a URL.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { MessageAttachment } from '../../handoff/http/wire.ts';
import { formatBytes, isImage, type AttachmentLabels } from './attachment-files.ts';
import { composedEvent, SharedEvent } from './events.ts';

/** A URL an <img> or a download link can use for a stored attachment (the widget fetches with its token first). */
export type AttachmentSource = (attachment: MessageAttachment) => Promise<string>;

const PDF_ICON = html`<svg class="icon" viewBox="0 0 32 40" aria-hidden="true">
  <path d="M3 1h18l8 8v28a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2z" fill="#fff" stroke="currentColor" stroke-width="2" />
  <path d="M21 1v8h8" fill="none" stroke="currentColor" stroke-width="2" />
  <rect x="4" y="22" width="24" height="11" rx="2" fill="#c8102e" />
  <text x="16" y="30.5" text-anchor="middle" font-size="8" font-weight="700" font-family="system-ui, sans-serif" fill="#fff">PDF</text>
</svg>`;

export class AttachmentCard extends LitElement {
  static override properties = {
    attachment: { attribute: false },
    file: { attribute: false },
    source: { attribute: false },
    labels: { attribute: false },
    removable: { type: Boolean },
    sending: { type: Boolean, reflect: true },
    href: { state: true },
    broken: { state: true },
  };
  /** A stored attachment (from a message). */
  declare attachment: MessageAttachment | undefined;
  /** A local file (picked, or on its way): shown from memory. */
  declare file: File | undefined;
  /** How a stored attachment's bytes are reached; default its URL as it is (same origin, session cookie). */
  declare source: AttachmentSource | undefined;
  declare labels: AttachmentLabels | undefined;
  /** Shows a remove button (`attachment-remove`): a picked file not sent yet. */
  declare removable: boolean;
  /** On its way to the server: shown faded until stored. */
  declare sending: boolean;
  /** Where the picture or the file is, once known. */
  declare href: string | undefined;
  /** The bytes could not be had (erased, or no longer allowed). */
  declare broken: boolean;
  private localUrl: string | undefined;
  private pending: { url: string; href: Promise<string | undefined> } | undefined;

  constructor() {
    super();
    this.attachment = undefined;
    this.file = undefined;
    this.source = undefined;
    this.labels = undefined;
    this.removable = false;
    this.sending = false;
    this.href = undefined;
    this.broken = false;
  }

  static override styles = css`
    :host {
      display: inline-block;
      max-width: 100%;
      vertical-align: top;
    }
    .card {
      position: relative;
      display: inline-flex;
      flex-direction: column;
      gap: 4px;
      max-width: 100%;
      margin: 0;
      padding: 6px;
      border: 1px solid var(--cw-border, #d0d7de);
      border-radius: 10px;
      background: var(--cw-bg, #fff);
      color: var(--cw-text, #1f2328);
    }
    :host([sending]) .card {
      opacity: 0.6;
    }
    a {
      color: inherit;
      text-decoration: none;
      border-radius: 6px;
    }
    a:focus-visible,
    button:focus-visible {
      outline: 3px solid var(--cw-focus, #0b5fff);
      outline-offset: 1px;
    }
    img {
      display: block;
      max-width: min(220px, 100%);
      max-height: 180px;
      min-width: 48px;
      min-height: 32px;
      border-radius: 6px;
      object-fit: contain;
      background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 12px 12px;
    }
    .file {
      display: flex;
      align-items: center;
      gap: 10px;
      padding: 2px 4px;
      min-width: 0;
    }
    .icon {
      flex: none;
      width: 30px;
      height: 38px;
      color: var(--cw-muted, #57606a);
    }
    .text {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .name {
      max-width: 200px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-size: 13px;
      font-weight: 600;
    }
    .size,
    figcaption {
      font-size: 12px;
      color: var(--cw-muted, #57606a);
    }
    figcaption {
      max-width: 220px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .remove {
      position: absolute;
      top: -9px;
      right: -9px;
      width: 24px;
      height: 24px;
      padding: 0;
      border: 1px solid var(--cw-border, #d0d7de);
      border-radius: 50%;
      background: var(--cw-bg, #fff);
      color: var(--cw-text, #1f2328);
      font: inherit;
      font-size: 12px;
      line-height: 1;
      cursor: pointer;
    }
    .broken {
      font-size: 12px;
      color: var(--cw-muted, #57606a);
    }
  `;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('file')) {
      if (this.localUrl) URL.revokeObjectURL(this.localUrl);
      this.localUrl = this.file ? URL.createObjectURL(this.file) : undefined;
    }
    if (changed.has('attachment') || changed.has('source')) {
      this.href = undefined;
      this.broken = false;
      // Same origin with the session cookie: the URL as it is. Behind a token, a picture is fetched to be shown
      // and a PDF only when it is asked for.
      if (this.attachment && !this.source) this.href = this.attachment.url;
      else if (this.attachment && isImage(this.attachment.type)) void this.resolve();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.localUrl) URL.revokeObjectURL(this.localUrl);
    this.localUrl = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page (a list re-rendered): the local preview is made again.
    if (this.file && !this.localUrl) this.localUrl = URL.createObjectURL(this.file);
  }

  /** The stored attachment's usable URL (its own, or what `source` makes of it); one fetch at a time. */
  private resolve(): Promise<string | undefined> {
    const attachment = this.attachment;
    if (!attachment) return Promise.resolve(undefined);
    if (this.href) return Promise.resolve(this.href);
    if (!this.source) return Promise.resolve((this.href = attachment.url));
    if (this.pending?.url === attachment.url) return this.pending.href;
    const href = this.source(attachment).then(
      (url) => {
        if (this.attachment === attachment) this.href = url;
        return url;
      },
      () => {
        if (this.attachment === attachment) this.broken = true;
        return undefined;
      },
    );
    this.pending = { url: attachment.url, href };
    void href.finally(() => {
      if (this.pending?.href === href) this.pending = undefined;
    });
    return href;
  }

  /** A PDF behind a token is fetched when the pointer or focus comes to it, so the click itself saves it. */
  private readonly prefetch = () => {
    if (!this.href) void this.resolve();
  };

  /** A PDF behind a token not fetched yet: fetched on the click, then saved under its name. */
  private readonly onDownload = async (e: Event) => {
    if (this.href || !this.attachment) return;
    e.preventDefault();
    const url = await this.resolve();
    if (!url) return;
    const link = document.createElement('a');
    link.href = url;
    link.download = this.attachment.name;
    link.rel = 'noopener';
    link.click();
  };

  private onRemove(): void {
    this.dispatchEvent(composedEvent(SharedEvent.attachmentRemove));
  }

  override render() {
    const shown = this.attachment ?? (this.file ? { name: this.file.name || 'image', type: this.file.type, size: this.file.size } : undefined);
    if (!shown) return nothing;
    const labels = this.labels;
    const local = this.attachment === undefined;
    const href = local ? this.localUrl : this.href;
    const size = formatBytes(shown.size);
    const remove = this.removable
      ? html`<button type="button" class="remove" data-testid="attachment-remove" aria-label=${labels?.remove ?? '×'} title=${labels?.remove ?? ''} @click=${this.onRemove}>✕</button>`
      : nothing;
    if (isImage(shown.type)) {
      const picture = href ? html`<img data-testid="attachment-image" src=${href} alt=${shown.name} />` : html`<span class="broken">${this.broken ? '—' : '…'}</span>`;
      return html`<figure class="card" data-testid="attachment" data-type=${shown.type}>
        ${href && !local
          ? html`<a href=${href} target="_blank" rel="noopener noreferrer" aria-label=${`${labels?.open ?? ''} ${shown.name}`.trim()}>${picture}</a>`
          : picture}
        <figcaption title=${shown.name}>${shown.name} · ${size}</figcaption>
        ${remove}
      </figure>`;
    }
    const body = html`${PDF_ICON}<span class="text"><span class="name" title=${shown.name}>${shown.name}</span><span class="size">PDF · ${size}</span></span>`;
    return html`<div class="card" data-testid="attachment" data-type=${shown.type}>
      ${local
        ? html`<span class="file" data-testid="attachment-pdf">${body}</span>`
        : html`<a
            class="file"
            data-testid="attachment-pdf"
            href=${this.href ?? this.attachment!.url}
            download=${shown.name}
            rel="noopener"
            aria-label=${`${labels?.download ?? ''} ${shown.name}`.trim()}
            @pointerenter=${this.prefetch}
            @focus=${this.prefetch}
            @click=${this.onDownload}
            >${body}</a
          >`}
      ${this.broken ? html`<span class="broken">—</span>` : nothing}
      ${remove}
    </div>`;
  }
}

if (!customElements.get('cw-attachment-card')) customElements.define('cw-attachment-card', AttachmentCard);

declare global {
  interface HTMLElementTagNameMap {
    'cw-attachment-card': AttachmentCard;
  }
}
