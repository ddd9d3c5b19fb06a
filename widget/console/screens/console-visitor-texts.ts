// <console-visitor-texts>: the admins' screen for what every visitor's widget shows: the welcome text and the warning
// banner (an anti-fraud notice) in Chinese and English, and the chat button's icon. Saved texts and icons reach every
// widget opened afterwards (the widget reads them at start).
import { LitElement, css, html, nothing } from 'lit';
import { ApiError, type AdminVisitorTexts, type ConsoleApi } from '../console-api.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';

/** The server's limit (handoff/visitor-texts/logo-image.ts), checked here first so a big file is refused at once. */
const MAX_LOGO_BYTES = 256 * 1024;
const MAX_WELCOME_CHARS = 500;
const MAX_BANNER_CHARS = 300;

type Field = 'welcome' | 'banner';

export class ConsoleVisitorTexts extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    saved: { state: true },
    draft: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  /** What the server has, with the knowledge base's default welcome. */
  declare saved: AdminVisitorTexts | undefined;
  /** The texts being edited. */
  declare draft: { welcome: { zh: string; en: string }; banner: { zh: string; en: string } };
  declare error: string;
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.saved = undefined;
    this.draft = { welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } };
    this.error = '';
    this.notice = '';
    this.busy = false;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: flex; flex-direction: column; gap: 12px; padding: 16px; height: 100%; overflow: auto; }
      form, section { display: flex; flex-direction: column; gap: 10px; max-width: 860px; }
      fieldset { border: 1px solid var(--cs-border); border-radius: 8px; margin: 0; padding: 10px 12px; display: grid; gap: 8px; grid-template-columns: 1fr 1fr; }
      legend { font-weight: 600; padding: 0 4px; }
      label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; }
      textarea { min-height: 72px; resize: vertical; }
      .hint { grid-column: 1 / -1; color: var(--cs-muted); font-size: 12px; margin: 0; white-space: pre-wrap; }
      .logo { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
      .preview { width: 56px; height: 56px; border-radius: 12px; border: 1px solid var(--cs-border); object-fit: contain; background: #fff; }
      .file { position: relative; }
      .file input { position: absolute; inset: 0; opacity: 0; width: 100%; cursor: pointer; }
      .file:focus-within { outline: 2px solid var(--cs-focus); outline-offset: 1px; border-radius: 6px; }
      @media (max-width: 700px) { fieldset { grid-template-columns: 1fr; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.show(await this.api.visitorTexts());
    } catch (err) {
      this.fail(err);
    }
  }

  private show(saved: AdminVisitorTexts): void {
    this.saved = saved;
    this.draft = { welcome: { ...saved.texts.welcome }, banner: { ...saved.texts.banner } };
  }

  private fail(err: unknown): void {
    this.notice = '';
    this.error = err instanceof ApiError ? err.message : String(err);
  }

  private edit(field: Field, lang: 'zh' | 'en', value: string): void {
    this.draft = { ...this.draft, [field]: { ...this.draft[field], [lang]: value } };
    this.notice = '';
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.error = '';
    try {
      this.show(await this.api.saveVisitorTexts(this.draft));
      this.notice = this.strings.visitorTexts.saved;
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async upload(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > MAX_LOGO_BYTES) {
      this.fail(this.strings.visitorTexts.tooBig);
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      this.saved = await this.api.saveVisitorLogo(await dataUrl(file));
      this.notice = this.strings.visitorTexts.logoSaved;
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async removeLogo(): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      this.saved = await this.api.removeVisitorLogo();
      this.notice = this.strings.visitorTexts.logoRemoved;
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private area(field: Field, lang: 'zh' | 'en', label: string, max: number, placeholder = '') {
    return html`<label>${label}
      <textarea
        data-testid=${`texts-${field}-${lang}`}
        lang=${lang}
        maxlength=${max}
        placeholder=${placeholder}
        .value=${this.draft[field][lang]}
        @input=${(e: Event) => this.edit(field, lang, (e.target as HTMLTextAreaElement).value)}
      ></textarea>
    </label>`;
  }

  override render() {
    const s = this.strings.visitorTexts;
    const saved = this.saved;
    if (!saved) return html`<h2>${s.title}</h2>${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted">${s.loading}</p>`}`;
    const defaults = saved.defaults.welcome;
    const logo = saved.texts.logo;
    return html`
      <h2>${s.title}</h2>
      <p class="muted">${s.intro}</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="texts-error">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="ok" role="status" data-testid="texts-notice">${this.notice}</p>` : nothing}
      <form @submit=${(e: SubmitEvent) => void this.save(e)}>
        <fieldset>
          <legend>${s.welcome}</legend>
          ${this.area('welcome', 'zh', s.welcomeZh, MAX_WELCOME_CHARS, defaults.zh)}
          ${this.area('welcome', 'en', s.welcomeEn, MAX_WELCOME_CHARS, defaults.en)}
          <p class="hint">${s.defaultWelcome} ${defaults.zh} / ${defaults.en}</p>
        </fieldset>
        <fieldset>
          <legend>${s.banner}</legend>
          ${this.area('banner', 'zh', s.bannerZh, MAX_BANNER_CHARS)}
          ${this.area('banner', 'en', s.bannerEn, MAX_BANNER_CHARS)}
          <p class="hint">${s.bannerHint}</p>
        </fieldset>
        <div class="row">
          <button class="primary" type="submit" data-testid="texts-save" ?disabled=${this.busy}>${s.save}</button>
          ${saved.texts.updatedAt ? html`<span class="muted">${s.updated}: ${formatTime(saved.texts.updatedAt)}</span>` : nothing}
        </div>
      </form>
      <section aria-labelledby="logo-h">
        <h3 id="logo-h">${s.logo}</h3>
        <div class="logo">
          ${logo ? html`<img class="preview" src=${logo.url} alt=${s.logo} data-testid="texts-logo-preview" />` : html`<span class="muted">${s.noLogo}</span>`}
          <span class="file">
            <button type="button" tabindex="-1" aria-hidden="true" ?disabled=${this.busy}>${s.choose}</button>
            <input type="file" accept="image/png,image/jpeg,image/webp" aria-label=${s.choose} data-testid="texts-logo-file" ?disabled=${this.busy} @change=${(e: Event) => void this.upload(e)} />
          </span>
          ${logo ? html`<button type="button" data-testid="texts-logo-remove" ?disabled=${this.busy} @click=${() => void this.removeLogo()}>${s.remove}</button>` : nothing}
        </div>
        <p class="muted">${s.logoHint}</p>
      </section>
    `;
  }
}

/** The file as a data: URL (base64), as the server takes a logo. */
function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

customElements.define('console-visitor-texts', ConsoleVisitorTexts);

declare global {
  interface HTMLElementTagNameMap {
    'console-visitor-texts': ConsoleVisitorTexts;
  }
}
