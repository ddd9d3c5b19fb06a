// <console-login>: the sign-in form; fires `signed-in` with the agent once the server set the session cookie.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi } from './console-api.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type Strings } from './console-strings.ts';
import { composedEvent, ConsoleEvent } from '../shared/events.ts';

export class ConsoleLogin extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    notice: { type: String },
    busy: { state: true },
    error: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  /** Shown above the form (e.g. "your session ended"). */
  declare notice: string;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.notice = '';
    this.busy = false;
    this.error = '';
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: grid; place-items: center; min-height: 100%; padding: 24px; }
      form { width: min(360px, 100%); display: flex; flex-direction: column; gap: 10px; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
      h1 { font-size: 20px; margin: 0 0 4px; color: var(--cs-primary); }
    `,
  ];

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!username || !password) return;
    this.busy = true;
    this.error = '';
    try {
      const { agent } = await this.api.login(username, password);
      form.reset();
      this.dispatchEvent(composedEvent(ConsoleEvent.signedIn, agent));
    } catch (err) {
      const s = this.strings;
      this.error = err instanceof ApiError && err.status === 401 ? s.badLogin : err instanceof ApiError && err.status === 429 ? s.tooMany : err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const s = this.strings;
    return html`<form class="card" @submit=${this.submit} aria-labelledby="login-title">
      <h1 id="login-title">${s.title}</h1>
      ${this.notice ? html`<p class="muted" role="status">${this.notice}</p>` : ''}
      <label>${s.username}<input name="username" autocomplete="username" required data-testid="login-username" /></label>
      <label
        >${s.password}<input name="password" type="password" autocomplete="current-password" required data-testid="login-password"
      /></label>
      ${this.error ? html`<p class="error" role="alert" data-testid="login-error">${this.error}</p>` : ''}
      <button class="primary" type="submit" ?disabled=${this.busy} data-testid="login-submit">${this.busy ? s.signingIn : s.signIn}</button>
    </form>`;
  }
}

customElements.define('console-login', ConsoleLogin);

declare global {
  interface HTMLElementTagNameMap {
    'console-login': ConsoleLogin;
  }
}
