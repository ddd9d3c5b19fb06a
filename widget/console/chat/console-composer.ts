// <console-composer>: the agent's reply box: Enter sends, "/" opens canned replies with search,
// and the visitor sees "typing" while the agent types (started, then stopped after a pause).
import { LitElement, css, html, type PropertyValues } from 'lit';
import { ApiError, type CannedReply, type ConsoleApi } from '../console-api.ts';
import { cannedQuery } from '../console-format.ts';
import { groupByCategory } from '../canned-categories.ts';
import { newClientMessageId, sendWithRetry } from '../../shared/send-with-retry.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { composedEvent, ConsoleEvent, type EmojiPickDetail } from '../../shared/events.ts';
import { insertAtCaret } from '../../shared/emoji-picker.ts';
import type { AttachButton } from '../../shared/attach-button.ts';
import '../../shared/attach-button.ts';
import { dragHasFiles, fileOf, formatBytes } from '../../shared/attachment-files.ts';
import { consoleAttachmentLabels, sendAgentFile } from './console-files.ts';

/** Quiet time after the last keystroke before "stopped typing" is sent. Range 1000-10000 ms; default 3000. */
const TYPING_IDLE_MS = 3000;
/** Pause before a canned search runs while the agent types. Range 0-1000 ms; default 150. */
const CANNED_DEBOUNCE_MS = 150;

export class ConsoleComposer extends LitElement {
  static override properties = {
    api: { attribute: false },
    conversationId: { type: String },
    lang: { type: String },
    strings: { attribute: false },
    disabled: { type: Boolean },
    value: { state: true },
    canned: { state: true },
    selected: { state: true },
    error: { state: true },
    sending: { state: true },
    picked: { state: true },
  };
  declare api: ConsoleApi;
  declare conversationId: string;
  /** The visitor's language: canned replies for it come first. */
  declare lang: string;
  declare strings: Strings;
  declare disabled: boolean;
  declare value: string;
  /** Canned replies shown for the "/" search; undefined = the list is closed. */
  declare canned: CannedReply[] | undefined;
  declare selected: number;
  declare error: string;
  declare sending: boolean;
  /** A file waits in the paperclip to be sent with the next send. */
  declare picked: boolean;
  private typingSent = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private cannedTimer: ReturnType<typeof setTimeout> | undefined;
  private cannedSeq = 0;
  /** Drafts of other chats, so switching tabs keeps what was typed. */
  private drafts = new Map<string, string>();
  /** The reply that failed to send: sending the same text in the same chat again reuses its id (stored once). */
  private unsent: { conversationId: string; text: string; clientMessageId: string } | undefined;

  constructor() {
    super();
    this.conversationId = '';
    this.lang = 'zh';
    this.strings = STRINGS.zh;
    this.disabled = false;
    this.value = '';
    this.canned = undefined;
    this.selected = 0;
    this.error = '';
    this.sending = false;
    this.picked = false;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; position: relative; border-top: 1px solid var(--cs-border); background: var(--cs-panel); padding: 8px; }
      .box { display: flex; gap: 8px; align-items: flex-end; }
      textarea { flex: 1; resize: vertical; min-height: 56px; max-height: 40vh; }
      /* A phone's narrow box: three lines, so the hint (Enter sends, "/" for canned replies) shows whole. */
      @media (max-width: 720px) { textarea { min-height: 76px; } }
      ul[role='listbox'] {
        position: absolute; left: 8px; right: 8px; bottom: 100%; max-height: 260px; overflow-y: auto; margin: 0; padding: 4px;
        list-style: none; background: #fff; border: 1px solid var(--cs-border); border-radius: 8px; box-shadow: 0 4px 16px rgb(0 0 0 / 12%);
      }
      li { padding: 6px 8px; border-radius: 6px; cursor: pointer; }
      li[aria-selected='true'] { background: var(--cs-visitor); }
      li.category { cursor: default; padding: 6px 8px 2px; font-size: 12px; font-weight: 600; color: var(--cs-muted); }
      li .preview { display: block; color: var(--cs-muted); font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId')) {
      const previous = changed.get('conversationId');
      if (previous) {
        this.drafts.set(previous, this.value);
        this.stopTyping(previous);
      }
      this.value = this.drafts.get(this.conversationId) ?? '';
      this.canned = undefined;
      this.error = '';
      // A file picked for one chat is never sent into another.
      this.attachButton()?.clear();
      this.picked = false;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.conversationId) this.stopTyping(this.conversationId);
  }

  override focus(): void {
    this.renderRoot.querySelector('textarea')?.focus();
  }

  private onInput(e: Event) {
    this.value = (e.target as HTMLTextAreaElement).value;
    this.error = '';
    this.noteTyping();
    const q = cannedQuery(this.value);
    clearTimeout(this.cannedTimer);
    if (q === undefined) {
      this.canned = undefined;
      return;
    }
    this.cannedTimer = setTimeout(() => void this.searchCanned(q), CANNED_DEBOUNCE_MS);
  }

  private async searchCanned(q: string) {
    const seq = ++this.cannedSeq;
    try {
      const { replies } = await this.api.canned(q);
      if (seq !== this.cannedSeq || cannedQuery(this.value) === undefined) return;
      // Replies written for the visitor's language (or for both) first, then grouped under their categories.
      const fit = (r: CannedReply) => (r.lang === undefined || r.lang === this.lang ? 0 : 1);
      this.canned = groupByCategory([...replies].sort((a, b) => fit(a) - fit(b))).flatMap((g) => g.replies);
      this.selected = 0;
    } catch {
      this.canned = undefined;
    }
  }

  /** A text goes into the box as it is, a link as its title and address; a file is sent into the chat at once. */
  private pick(reply: CannedReply) {
    this.canned = undefined;
    this.cannedSeq++;
    const text = reply.kind === 'file' ? '' : reply.kind === 'link' ? `${reply.title} ${reply.url ?? reply.text}` : reply.text;
    this.value = text;
    const area = this.renderRoot.querySelector('textarea');
    if (area) {
      area.value = text;
      area.focus();
    }
    if (reply.kind === 'file') void this.sendLibraryFile(reply);
  }

  /** Sends a library file into this chat: the visitor gets it as any file the agent sends. */
  private async sendLibraryFile(reply: CannedReply) {
    const id = this.conversationId;
    if (!id || this.disabled || this.sending) return;
    this.sending = true;
    this.error = '';
    try {
      const { message } = await this.api.sendCannedFile(id, reply.id);
      this.dispatchEvent(composedEvent(ConsoleEvent.messageSent, { conversationId: id, message }));
    } catch (err) {
      const s = this.strings;
      this.error = err instanceof ApiError ? (err.status === 409 ? s.fileNotYours : err.status === 404 ? s.library.notAFile : err.message) : String(err);
    } finally {
      this.sending = false;
      this.focus();
    }
  }

  private onKeydown(e: KeyboardEvent) {
    const list = this.canned;
    if (list !== undefined) {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.canned = undefined;
        return;
      }
      if (list.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        this.selected = (this.selected + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
        return;
      }
      if (list.length > 0 && (e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
        e.preventDefault();
        this.pick(list[this.selected] ?? list[0]!);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void this.send();
    }
  }

  /** An emoji from the picker goes where the caret is; the input event it sends keeps `value` and typing in step. */
  private readonly onEmoji = (e: CustomEvent<EmojiPickDetail>) => {
    const area = this.renderRoot.querySelector('textarea');
    if (area) insertAtCaret(area, e.detail.emoji);
  };

  private noteTyping() {
    const id = this.conversationId;
    if (!id || this.disabled) return;
    if (!this.typingSent) {
      this.typingSent = true;
      this.api.typing(id, true).catch(() => undefined);
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(id), TYPING_IDLE_MS);
  }

  private stopTyping(id: string) {
    clearTimeout(this.typingTimer);
    if (!this.typingSent) return;
    this.typingSent = false;
    this.api.typing(id, false).catch(() => undefined);
  }

  private attachButton(): AttachButton | null {
    return this.renderRoot.querySelector('cw-attach-button');
  }

  /** Sends the picked file first; false when it was refused (the reason shows, the text waits in the box). */
  private async sendPicked(): Promise<boolean> {
    const file = this.attachButton()?.take();
    this.picked = false;
    if (!file) return true;
    const id = this.conversationId;
    this.sending = true;
    this.error = '';
    try {
      const sent = await sendAgentFile(this.api.base, id, file, this.strings);
      if ('error' in sent) {
        this.error = sent.error;
        return false;
      }
      this.dispatchEvent(composedEvent(ConsoleEvent.messageSent, { conversationId: id, message: sent.message }));
      return true;
    } finally {
      this.sending = false;
    }
  }

  /** A pasted or dropped file goes to the paperclip (its preview shows, or why it cannot be sent). */
  private readonly onFileTransfer = (e: ClipboardEvent | DragEvent) => {
    const file = fileOf('clipboardData' in e ? e.clipboardData : e.dataTransfer);
    const button = this.attachButton();
    if (!file || !button || this.disabled) return;
    e.preventDefault();
    button.stage(file);
  };

  private readonly onDragOver = (e: DragEvent) => {
    if (!this.disabled && dragHasFiles(e)) e.preventDefault();
  };

  private async send() {
    const text = this.value.trim();
    if (this.picked && !this.sending && !this.disabled && !(await this.sendPicked())) return;
    if (!text || this.sending || this.disabled) return;
    const id = this.conversationId;
    this.sending = true;
    this.error = '';
    const u = this.unsent;
    const clientMessageId = u && u.conversationId === id && u.text === text ? u.clientMessageId : newClientMessageId();
    this.unsent = { conversationId: id, text, clientMessageId };
    try {
      // Lost responses and 502-504 are tried again (0.5 s, 1 s, 2 s) with the same id; the text stays in the box.
      const { message } = await sendWithRetry(() => this.api.send(id, text, clientMessageId));
      this.unsent = undefined;
      this.stopTyping(id);
      if (this.conversationId === id) this.value = '';
      this.drafts.delete(id);
      this.dispatchEvent(composedEvent(ConsoleEvent.messageSent, { conversationId: id, message }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.sending = false;
      this.focus();
    }
  }

  override render() {
    const s = this.strings;
    const list = this.canned;
    return html`
      ${list !== undefined
        ? html`<ul role="listbox" id="canned" aria-label=${s.canned} data-testid="canned-list">
            ${list.length === 0 ? html`<li class="muted" aria-disabled="true">${s.cannedEmpty}</li>` : ''}
            ${list.map(
              (r, i) => html`${r.category !== list[i - 1]?.category && (r.category || i > 0)
                ? html`<li role="presentation" class="category" data-testid="canned-category">${r.category || s.noCategory}</li>`
                : ''}<li
                role="option"
                id=${`canned-${i}`}
                aria-selected=${i === this.selected ? 'true' : 'false'}
                data-testid="canned-item"
                @mousedown=${(e: Event) => e.preventDefault()}
                @click=${() => this.pick(r)}
              >
                <strong>${r.shortcut}</strong> ${r.kind !== 'text' ? html`<span class="tag" data-testid="canned-item-kind">${s.library.kinds[r.kind]}</span>` : ''}
                ${r.title} ${r.lang ? html`<span class="tag">${r.lang}</span>` : ''}
                <span class="preview">${r.kind === 'file' && r.file ? `📎 ${r.file.name} · ${formatBytes(r.file.size)}` : r.kind === 'link' ? `🔗 ${r.url ?? r.text}` : r.text}</span>
              </li>`,
            )}
          </ul>`
        : ''}
      <div class="box" @dragover=${this.onDragOver} @drop=${this.onFileTransfer}>
        <cw-attach-button
          .labels=${consoleAttachmentLabels(s)}
          ?disabled=${this.disabled}
          @attachment-pick=${() => (this.picked = true)}
          @attachment-remove=${() => (this.picked = false)}
        ></cw-attach-button>
        <textarea
          data-testid="agent-input"
          aria-label=${s.typeReply}
          placeholder=${this.disabled ? s.composerEnded : s.typeReply}
          .value=${this.value}
          ?disabled=${this.disabled}
          maxlength="2000"
          role="combobox"
          aria-expanded=${list !== undefined ? 'true' : 'false'}
          aria-controls="canned"
          aria-autocomplete="list"
          aria-activedescendant=${list !== undefined && list.length > 0 ? `canned-${this.selected}` : ''}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @paste=${this.onFileTransfer}
          @blur=${() => this.conversationId && this.stopTyping(this.conversationId)}
        ></textarea>
        <cw-emoji-picker locale=${s.locale} label=${s.emoji} close-label=${s.emojiClose} ?disabled=${this.disabled} @emoji-pick=${this.onEmoji}></cw-emoji-picker>
        <button class="primary" data-testid="agent-send" ?disabled=${this.disabled || this.sending || (!this.value.trim() && !this.picked)} @click=${() => void this.send()}>
          ${s.send}
        </button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
    `;
  }
}

customElements.define('console-composer', ConsoleComposer);

declare global {
  interface HTMLElementTagNameMap {
    'console-composer': ConsoleComposer;
  }
}
