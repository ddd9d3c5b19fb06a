// <console-clipped-text>: text a visitor wrote (or a list cell built from it), cut in a list so one long spam message
// cannot fill the screen, with the whole text a click away; as the tickets list does (console-format.ts shorten).
import { LitElement, html, nothing } from 'lit';
import { shorten } from './console-format.ts';
import { STRINGS, type Strings } from './console-strings.ts';
import { renderText } from './console-text.ts';

/** Characters shown before the cut when the list does not say. Range 20-2000; default 280 (the tickets list's). */
export const DEFAULT_CLIP_CHARS = 280;

export class ConsoleClippedText extends LitElement {
  static override properties = {
    text: { type: String },
    max: { type: Number },
    strings: { attribute: false },
    whole: { state: true },
  };
  declare text: string;
  declare max: number;
  declare strings: Pick<Strings, 'showAll' | 'showLess'>;
  declare whole: boolean;

  constructor() {
    super();
    this.text = '';
    this.max = DEFAULT_CLIP_CHARS;
    this.strings = STRINGS.zh;
    this.whole = false;
  }

  /**
   * No shadow root: the text is part of the list it sits in (found by the page's search, copied with its row, read
   * by the list's innerText), and the button takes the list's own look (`button.link` of consoleBase).
   */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override render() {
    const short = shorten(this.text ?? '', this.max);
    return html`<span data-testid="clipped-text" style="white-space: pre-wrap; overflow-wrap: anywhere">${renderText(this.whole ? this.text : short.text)}</span>${short.cut
      ? html` <button type="button" class="link" style="font-size: 12px; white-space: nowrap" data-testid="clip-toggle" aria-expanded=${this.whole ? 'true' : 'false'}
          @click=${() => (this.whole = !this.whole)}>${this.whole ? this.strings.showLess : this.strings.showAll}</button>`
      : nothing}`;
  }
}

customElements.define('console-clipped-text', ConsoleClippedText);

declare global {
  interface HTMLElementTagNameMap {
    'console-clipped-text': ConsoleClippedText;
  }
}
