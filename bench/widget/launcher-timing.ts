// Loads the demo hall in headless Chromium, a fresh browser context (empty cache, no storage) per load, and
// reads in the page when the chat launcher became usable; the same page with JavaScript off is the baseline.
import type { Browser } from 'playwright-core';

/** Milliseconds since navigation start (the page's performance.now()) of each moment in one load of the hall with the widget. */
export interface WidgetLoad {
  /** Response of the HTML fully received. */
  responseEnd: number;
  domContentLoaded: number;
  /** End of the load event (waits for the async widget.js too). */
  load: number;
  /** widget.js fully received (resource timing). */
  scriptEnd: number;
  /** <chat-widget> defined (the bundle has run). */
  defined: number;
  /** The launcher rendered, visible, enabled, and what a click at its centre would hit: usable. */
  usable: number;
  /** The animation frame after that: the launcher is on screen. */
  painted: number;
  /** From the click on the launcher (window, capture phase) until the panel's input was rendered and visible. */
  clickToPanel: number;
}

/** One load of the hall page with JavaScript off: the page alone, without the widget. */
export interface PlainLoad {
  responseEnd: number;
  domContentLoaded: number;
  load: number;
}

/**
 * Runs in every document before its own scripts (page.addInitScript; CSP does not apply to it). Mutation
 * observers on the document and then on the widget's shadow root call `check` in the same microtask
 * checkpoint as the change, so the mark is taken when the launcher first renders, not at a polling tick.
 */
function probe(): void {
  type Marks = { defined?: number; usable?: number; painted?: number; click?: number; panel?: number };
  const marks: Marks = {};
  (window as unknown as { __benchMarks: Marks }).__benchMarks = marks;
  const usable = (el: HTMLElement | null | undefined, root: ShadowRoot): boolean => {
    if (!el || !el.isConnected || (el as HTMLButtonElement).disabled) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (hit === el || el.contains(hit));
  };
  const check = (root: ShadowRoot) => {
    if (marks.usable === undefined && usable(root.querySelector<HTMLElement>('[data-testid="launcher"]'), root)) {
      marks.usable = performance.now();
      requestAnimationFrame(() => (marks.painted = performance.now()));
    }
    if (marks.click !== undefined && marks.panel === undefined) {
      const input = root.querySelector<HTMLElement>('[data-testid="input"]');
      if (input?.isConnected && input.checkVisibility()) marks.panel = performance.now();
    }
  };
  let watched: ShadowRoot | undefined;
  const watchShadow = () => {
    const root = document.querySelector('chat-widget')?.shadowRoot;
    if (!root || watched) return;
    watched = root;
    new MutationObserver(() => check(root)).observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
    check(root);
  };
  new MutationObserver(watchShadow).observe(document, { childList: true, subtree: true });
  void customElements.whenDefined('chat-widget').then(() => (marks.defined = performance.now()));
  window.addEventListener('click', () => (marks.click ??= performance.now()), { capture: true });
  // A safety net should the observers miss a change (e.g. a style sheet arriving late): every frame until usable.
  const tick = () => {
    if (watched) check(watched);
    else watchShadow();
    if (marks.usable === undefined || (marks.click !== undefined && marks.panel === undefined)) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/**
 * The probe as source text. tsx compiles with esbuild's keepNames, which wraps inner functions in a
 * `__name(fn, "name")` helper that does not exist in the page: a no-op stands in for it.
 */
const PROBE_SCRIPT = `(() => { const __name = (fn) => fn; (${probe.toString()})(); })();`;

export interface LauncherTimingOptions {
  url: string;
  /** Timed loads of each kind. */
  loads: number;
  /** Untimed loads of each kind first (server caches, Chromium's code cache for its own pages). Default 2. */
  warmup: number;
  onProgress?: (done: number, total: number) => void;
}

export async function timeLauncher(browser: Browser, o: LauncherTimingOptions): Promise<{ widget: WidgetLoad[]; plain: PlainLoad[] }> {
  const widget: WidgetLoad[] = [];
  const plain: PlainLoad[] = [];
  const contextOptions = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
  const total = o.warmup + o.loads;
  // Interleaved, so whatever else the machine is doing touches both kinds alike.
  for (let i = 0; i < total; i++) {
    const counted = i >= o.warmup;
    {
      const context = await browser.newContext(contextOptions);
      try {
        await context.addInitScript({ content: PROBE_SCRIPT });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(String(err)));
        await page.goto(o.url, { waitUntil: 'load' });
        await page.waitForFunction(() => (window as unknown as { __benchMarks: { usable?: number } }).__benchMarks.usable !== undefined, undefined, { timeout: 15_000 });
        // Usable means a click opens the panel: prove it on every load.
        await page.getByTestId('launcher').click({ timeout: 5000 });
        await page.getByTestId('input').waitFor({ state: 'visible', timeout: 5000 });
        await page.waitForFunction(() => (window as unknown as { __benchMarks: { panel?: number } }).__benchMarks.panel !== undefined, undefined, { timeout: 5000 });
        if (errors.length) throw new Error(`bench widget: the demo page threw: ${errors.join('; ')}`);
        const m = await page.evaluate(() => {
          const marks = (window as unknown as { __benchMarks: Record<string, number> }).__benchMarks;
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/widget.js')) as PerformanceResourceTiming | undefined;
          return {
            responseEnd: nav.responseEnd,
            domContentLoaded: nav.domContentLoadedEventEnd,
            load: nav.loadEventEnd,
            scriptEnd: script?.responseEnd ?? Number.NaN,
            defined: marks.defined ?? Number.NaN,
            usable: marks.usable!,
            painted: marks.painted ?? Number.NaN,
            clickToPanel: marks.panel! - marks.click!,
          };
        });
        if (counted) widget.push(m);
      } finally {
        await context.close();
      }
    }
    {
      const context = await browser.newContext({ ...contextOptions, javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.goto(o.url, { waitUntil: 'load' });
        const m = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return { responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
        });
        if (counted) plain.push(m);
      } finally {
        await context.close();
      }
    }
    o.onProgress?.(i + 1, total);
  }
  return { widget, plain };
}
