// The admin-edited words and logo the widget shows (welcome, warning banner, launcher logo), read once when the
// widget starts from GET /api/visitor/texts. The browser keeps the answer and asks again at each load (ETag), so an
// admin's change shows on the next page load; until the answer comes, or if it never does, the built-in words show.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PublicVisitorTexts } from '../../handoff/http/wire.ts';
import type { Lang } from './visitor-i18n.ts';

/** The only paths a logo may have (the server names it by its hash): nothing else is ever put in an img src. */
const LOGO_PATH = /^\/api\/visitor\/logo\/[0-9a-f]{64}$/;

/** The server's answer, kept only where every field has the expected shape (anything else: the built-in words). */
export function parseVisitorTexts(raw: unknown): PublicVisitorTexts | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const pair = (v: unknown) => {
    const p = v as Record<string, unknown> | null;
    return p && typeof p === 'object' && typeof p.zh === 'string' && typeof p.en === 'string' ? { zh: p.zh, en: p.en } : undefined;
  };
  const welcome = pair(r.welcome);
  const banner = pair(r.banner);
  if (!welcome || !banner) return undefined;
  const logo = typeof r.logo === 'string' && LOGO_PATH.test(r.logo) ? r.logo : null;
  return { welcome, banner, logo };
}

export class VisitorTexts implements ReactiveController {
  private texts: PublicVisitorTexts | undefined;
  private started = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly server: () => string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  /** The welcome in `lang`, else the widget's own. */
  welcome(lang: Lang, builtIn: string): string {
    return this.texts?.welcome[lang] || builtIn;
  }

  /** The warning banner in `lang`; '' = none. */
  banner(lang: Lang): string {
    return this.texts?.banner[lang] ?? '';
  }

  /** Where the launcher's logo is, or undefined for the built-in icon. */
  logoUrl(): string | undefined {
    const path = this.texts?.logo;
    return path ? `${this.server().replace(/\/+$/, '')}${path}` : undefined;
  }

  private async load(): Promise<void> {
    try {
      const res = await fetch(`${this.server().replace(/\/+$/, '')}/api/visitor/texts`, {
        headers: { accept: 'application/json' },
        credentials: 'omit',
      });
      if (!res.ok) return;
      this.texts = parseVisitorTexts(await res.json());
      this.host.requestUpdate();
    } catch {
      // Offline or an old server without the route: the built-in words stay.
    }
  }
}
