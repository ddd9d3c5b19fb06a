// <console-multi-select>: pick several values from a list of known ones (groups, provinces, skills), with the chosen
// ones as removable chips, a filter over the choices, and, where allowed, new values typed in. It takes part in the
// form it sits in like a set of checkboxes named `name` (FormData.getAll(name)), so a form reads it as before.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type Strings } from './console-strings.ts';

export interface PickOption {
  value: string;
  label: string;
}

/** Choices listed before the rest are behind the filter: a short list shows whole, a long one scrolls. */
const FOLD_AT = 12;

export class ConsoleMultiSelect extends LitElement {
  static formAssociated = true;
  static override properties = {
    name: { type: String },
    label: { type: String },
    options: { attribute: false },
    initial: { attribute: false },
    freeEntry: { attribute: false },
    strings: { attribute: false },
    selected: { state: true },
    query: { state: true },
  };
  /** The form field's name: each chosen value is one entry under it. */
  declare name: string;
  /** The legend. */
  declare label: string;
  declare options: readonly PickOption[];
  /** The values chosen when the form is shown or reset; a new list with other values replaces the choice. */
  declare initial: readonly string[];
  /** Whether (and which) values not among the options may be typed in; undefined: the options only. */
  declare freeEntry: RegExp | undefined;
  declare strings: Strings['picker'];
  declare selected: string[];
  declare query: string;
  private readonly internals: ElementInternals;
  private initialKey = '';

  constructor() {
    super();
    this.name = '';
    this.label = '';
    this.options = [];
    this.initial = [];
    this.freeEntry = undefined;
    this.strings = STRINGS.zh.picker;
    this.selected = [];
    this.query = '';
    this.internals = this.attachInternals();
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; min-width: 0; flex: 1 1 260px; max-width: 100%; }
      fieldset { border: 1px solid var(--cs-border); border-radius: 6px; margin: 0; padding: 4px 8px 8px; min-width: 0; }
      legend { font-size: 12px; padding: 0 4px; }
      .chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 2px 0 6px; min-height: 24px; align-items: center; }
      .chip { display: inline-flex; align-items: center; gap: 2px; padding: 0 2px 0 8px; border-radius: 12px; background: var(--cs-agent); font-size: 12px; }
      .chip button { border: none; background: none; min-height: 0; padding: 0 6px; line-height: 20px; border-radius: 10px; }
      .chip button:hover { background: rgb(0 0 0 / 8%); }
      input[type='search'] { width: 100%; min-width: 0; font-size: 13px; padding: 3px 8px; }
      .choices { display: flex; flex-wrap: wrap; gap: 2px 12px; margin-top: 6px; max-height: 9.5em; overflow-y: auto; }
      .choices label { display: inline-flex; align-items: center; gap: 4px; font-size: 13px; white-space: nowrap; }
      .hint { font-size: 12px; color: var(--cs-muted); }
      .hint.bad { color: #b3261e; }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('initial')) {
      const key = JSON.stringify(this.initial ?? []);
      // A re-render passing an equal list (a new array each time) keeps what the person picked meanwhile.
      if (key !== this.initialKey) {
        this.initialKey = key;
        this.selected = [...new Set(this.initial ?? [])];
      }
    }
    if (changed.has('selected') || changed.has('name')) this.syncForm();
  }

  /** The form was reset: back to the initial values. */
  formResetCallback(): void {
    this.selected = [...new Set(this.initial ?? [])];
    this.query = '';
  }

  private syncForm(): void {
    const data = new FormData();
    for (const v of this.selected) data.append(this.name, v);
    this.internals.setFormValue(data);
  }

  /** The label of a value: its option's, or the value itself (one chosen before that the list no longer has). */
  private labelOf(value: string): string {
    return this.options.find((o) => o.value === value)?.label ?? value;
  }

  private toggle(value: string, on: boolean): void {
    this.selected = on ? [...new Set([...this.selected, value])] : this.selected.filter((v) => v !== value);
  }

  /** The typed text as a new value, when free entry allows it and it is not already a choice. */
  private freeValue(): string | undefined {
    const v = this.query.trim().toLowerCase();
    if (!this.freeEntry || v === '' || !this.freeEntry.test(v)) return undefined;
    return this.options.some((o) => o.value === v) ? undefined : v;
  }

  private matching(): PickOption[] {
    const q = this.query.trim().toLowerCase();
    const known = new Set(this.options.map((o) => o.value));
    // Chosen values the list lacks stay choosable (unticking one is how it goes).
    const all = [...this.options, ...this.selected.filter((v) => !known.has(v)).map((v) => ({ value: v, label: v }))];
    return q === '' ? all : all.filter((o) => o.label.toLowerCase().includes(q) || o.value.toLowerCase().includes(q));
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Enter' || e.isComposing) return;
    // Enter adds the typed value, or ticks the only match; it never submits the form around.
    e.preventDefault();
    const free = this.freeValue();
    const matches = this.matching();
    if (free) this.toggle(free, true);
    else if (matches.length === 1) this.toggle(matches[0]!.value, true);
    else return;
    this.query = '';
  }

  override render() {
    const s = this.strings;
    const matches = this.matching();
    const free = this.freeValue();
    const typed = this.query.trim();
    const filterable = this.options.length > FOLD_AT || this.freeEntry !== undefined;
    return html`<fieldset>
      <legend>${this.label}</legend>
      <div class="chips" aria-live="polite">
        ${this.selected.length === 0
          ? html`<span class="hint">${s.none}</span>`
          : this.selected.map(
              (v) => html`<span class="chip" data-testid="pick-chip" data-value=${v}>${this.labelOf(v)}<button type="button"
                aria-label=${s.remove(this.labelOf(v))} @click=${() => this.toggle(v, false)}>×</button></span>`,
            )}
      </div>
      ${filterable
        ? html`<input type="search" data-testid="pick-filter" placeholder=${s.filter} aria-label=${`${this.label}: ${s.filter}`} .value=${this.query}
            @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} @keydown=${this.onKeydown} />`
        : nothing}
      <div class="choices" role="group" aria-label=${this.label}>
        ${matches.map(
          (o) => html`<label><input type="checkbox" value=${o.value} .checked=${this.selected.includes(o.value)}
            @change=${(e: Event) => this.toggle(o.value, (e.target as HTMLInputElement).checked)} />${o.label}</label>`,
        )}
        ${free ? html`<button type="button" data-testid="pick-add" @click=${() => ((this.query = ''), this.toggle(free, true))}>${s.add(free)}</button>` : nothing}
        ${matches.length === 0 && !free && typed !== ''
          ? html`<span class="hint ${this.freeEntry ? 'bad' : ''}">${this.freeEntry ? s.invalid : s.noMatch}</span>`
          : nothing}
      </div>
    </fieldset>`;
  }
}

customElements.define('console-multi-select', ConsoleMultiSelect);

declare global {
  interface HTMLElementTagNameMap {
    'console-multi-select': ConsoleMultiSelect;
  }
}
