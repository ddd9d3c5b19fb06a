// <cw-emoji-picker>: the emoji button of both composers (widget and console) and its small popover. Keyboard first:
// the button opens it with focus on the first emoji, arrows move (roving tab stop), Enter or Space picks, Escape or
// Tab closes it and focus goes back. It only says what was picked (`emoji-pick`); the composer inserts it.
import { LitElement, css, html, nothing } from 'lit';
import { composedEvent, SharedEvent } from './events.ts';
import { EMOJI } from './emoji-list.ts';

/** Emoji per row of the popover, for the up and down arrows. Range 4-12; default 8. */
const COLUMNS = 8;

export class EmojiPicker extends LitElement {
  static override properties = {
    locale: { type: String },
    label: { type: String },
    closeLabel: { type: String, attribute: 'close-label' },
    disabled: { type: Boolean, reflect: true },
    open: { type: Boolean, reflect: true },
    active: { state: true },
  };
  /** `zh` or `en`: the emoji's names for screen readers (not `lang`, which every element has already). */
  declare locale: string;
  /** The button's name (表情 / Emoji). */
  declare label: string;
  declare closeLabel: string;
  declare disabled: boolean;
  declare open: boolean;
  /** The emoji holding the tab stop. */
  declare active: number;

  constructor() {
    super();
    this.locale = 'zh';
    this.label = '表情';
    this.closeLabel = '';
    this.disabled = false;
    this.open = false;
    this.active = 0;
  }

  static override styles = css`
    :host {
      position: relative;
      display: inline-flex;
    }
    .toggle {
      width: 40px;
      height: 40px;
      padding: 0;
      border: 1px solid var(--cw-input-border, #8c959f);
      border-radius: 8px;
      background: var(--cw-bg, #fff);
      color: var(--cw-text, #1f2328);
      font: inherit;
      font-size: 20px;
      line-height: 1;
      cursor: pointer;
    }
    .toggle:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    .toggle:focus-visible,
    .grid button:focus-visible {
      outline: 3px solid var(--cw-focus, #0b5fff);
      outline-offset: 1px;
    }
    .pop {
      position: absolute;
      right: 0;
      bottom: calc(100% + 6px);
      z-index: 2;
      width: max-content;
      max-width: min(320px, calc(100vw - 24px));
      padding: 6px;
      border: 1px solid var(--cw-border, #d0d7de);
      border-radius: 10px;
      background: var(--cw-bg, #fff);
      box-shadow: 0 6px 24px rgb(0 0 0 / 0.22);
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(${COLUMNS}, 34px);
      gap: 2px;
      margin: 0;
      padding: 0;
    }
    .grid button {
      width: 34px;
      height: 34px;
      padding: 0;
      border: none;
      border-radius: 6px;
      background: transparent;
      font-size: 20px;
      line-height: 1;
      cursor: pointer;
    }
    .grid button:hover {
      background: var(--cw-bot-bg, #f1f3f5);
    }
    @media (max-width: 360px) {
      .grid {
        grid-template-columns: repeat(${COLUMNS - 2}, 34px);
      }
    }
  `;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.onOutside, true);
  }

  /** Opens the popover with focus on the current emoji, or closes it (focus back on the button). */
  toggle(open = !this.open): void {
    if (open === this.open || (open && this.disabled)) return;
    this.open = open;
    if (open) {
      document.addEventListener('pointerdown', this.onOutside, true);
      void this.updateComplete.then(() => this.focusActive());
    } else {
      document.removeEventListener('pointerdown', this.onOutside, true);
    }
  }

  private focusActive(): void {
    this.renderRoot.querySelectorAll<HTMLButtonElement>('.grid button')[this.active]?.focus();
  }

  private close(refocus: boolean): void {
    this.toggle(false);
    if (refocus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.toggle')?.focus());
  }

  private pick(emoji: string): void {
    this.toggle(false);
    this.dispatchEvent(composedEvent(SharedEvent.emojiPick, { emoji }));
  }

  /** A press anywhere outside the picker closes it (focus stays where the press put it). */
  private readonly onOutside = (e: PointerEvent) => {
    if (!e.composedPath().includes(this)) this.toggle(false);
  };

  private readonly onGridKey = (e: KeyboardEvent) => {
    const last = EMOJI.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: Math.min(last, this.active + 1),
      ArrowLeft: Math.max(0, this.active - 1),
      ArrowDown: Math.min(last, this.active + this.columns()),
      ArrowUp: Math.max(0, this.active - this.columns()),
      Home: 0,
      End: last,
    };
    if (e.key in moves) {
      e.preventDefault();
      this.active = moves[e.key]!;
      void this.updateComplete.then(() => this.focusActive());
    } else if (e.key === 'Escape') {
      // Closes the popover only, not the chat panel around it.
      e.preventDefault();
      e.stopPropagation();
      this.close(true);
    } else if (e.key === 'Tab') {
      this.toggle(false);
    }
  };

  /** Emoji per row as laid out now (fewer on a very narrow phone). */
  private columns(): number {
    const grid = this.renderRoot.querySelector<HTMLElement>('.grid');
    const count = grid ? getComputedStyle(grid).gridTemplateColumns.split(' ').length : COLUMNS;
    return count > 0 ? count : COLUMNS;
  }

  override render() {
    const en = this.locale === 'en';
    return html`
      <button
        type="button"
        class="toggle"
        data-testid="emoji-button"
        aria-label=${this.open && this.closeLabel ? this.closeLabel : this.label}
        title=${this.label}
        aria-haspopup="dialog"
        aria-expanded=${this.open ? 'true' : 'false'}
        ?disabled=${this.disabled}
        @click=${() => this.toggle()}
      >
        <span aria-hidden="true">😊</span>
      </button>
      ${this.open
        ? html`<div class="pop" role="dialog" aria-label=${this.label} data-testid="emoji-popover">
            <div class="grid" role="group" aria-label=${this.label} @keydown=${this.onGridKey}>
              ${EMOJI.map(
                (e, i) => html`<button
                  type="button"
                  data-testid="emoji-option"
                  tabindex=${i === this.active ? '0' : '-1'}
                  aria-label=${en ? e.en : e.zh}
                  title=${en ? e.en : e.zh}
                  @click=${() => {
                    this.active = i;
                    this.pick(e.emoji);
                  }}
                >${e.emoji}</button>`,
              )}
            </div>
          </div>`
        : nothing}
    `;
  }
}

/**
 * Puts `text` where the caret is in `field` (replacing a selection), leaves the caret after it, and tells the page
 * with an `input` event, as typing would (the composers count it as typing and keep their drafts).
 */
export function insertAtCaret(field: HTMLTextAreaElement | HTMLInputElement, text: string): void {
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  const max = field.maxLength > 0 ? field.maxLength : Infinity;
  // A full box takes nothing more, as the keyboard would not.
  if (field.value.length - (end - start) + text.length > max) return;
  field.setRangeText(text, start, end, 'end');
  field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }));
  field.focus();
}

if (!customElements.get('cw-emoji-picker')) customElements.define('cw-emoji-picker', EmojiPicker);

declare global {
  interface HTMLElementTagNameMap {
    'cw-emoji-picker': EmojiPicker;
  }
}
