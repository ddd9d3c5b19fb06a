// The base of the console's modal dialogs (transfer, block, FAQ draft): a <dialog> with one form, a busy flag
// while its request runs, the error shown inside, and events that reach the console through shadow roots.
import { LitElement, css, type PropertyDeclarations } from 'lit';
import { ApiError, type ConsoleApi } from './console-api.ts';
import { STRINGS, type Strings } from './console-strings.ts';
import { composedEvent, type EventDetails } from '../shared/events.ts';

export abstract class ConsoleDialog extends LitElement {
  // Lit merges these into each subclass's own `properties`.
  static override properties: PropertyDeclarations = {
    api: { attribute: false },
    strings: { attribute: false },
    error: { state: true },
    busy: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare error: string;
  /** A request is on its way: the submit button is disabled. */
  declare busy: boolean;

  /** The frame every dialog shares; each adds its width and its form's layout. */
  static readonly dialogStyles = css`
    /* The element itself takes no room: only its <dialog> shows, in the top layer (in a grid it took a row). */
    :host { display: contents; }
    dialog { border: 1px solid var(--cs-border); border-radius: 10px; padding: 16px; }
    dialog::backdrop { background: rgb(0 0 0 / 30%); }
    label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
    .actions { display: flex; justify-content: flex-end; gap: 8px; }
  `;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.error = '';
    this.busy = false;
  }

  protected get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  /** Shows the dialog once the state set before this call is rendered; `reset` clears what was typed last time. */
  protected async showModal(reset: boolean): Promise<void> {
    this.error = '';
    await this.updateComplete;
    if (reset) this.renderRoot.querySelector('form')?.reset();
    this.dialog?.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  /**
   * Runs the dialog's request with the submit button disabled; on success closes and calls `done` (which
   * announces it), on failure keeps the dialog open with the error (`message` picks the words for an ApiError).
   */
  protected async submitWith<T>(request: () => Promise<T>, done: (result: T) => void, message: (err: ApiError) => string = (err) => err.message): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const result = await request();
      this.close();
      done(result);
    } catch (err) {
      this.error = err instanceof ApiError ? message(err) : String(err);
    } finally {
      this.busy = false;
    }
  }

  /** An event that bubbles out of the shadow root to the console (and window). */
  protected emit<K extends keyof EventDetails>(name: K, ...detail: EventDetails[K] extends undefined ? [] : [EventDetails[K]]): void {
    this.dispatchEvent(composedEvent(name, ...detail));
  }
}
