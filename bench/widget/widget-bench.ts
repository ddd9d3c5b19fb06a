// Bench section "widget": what the one-tag embed costs a page: the bundle's gzipped size against its budget,
// and how soon after navigation the demo hall's chat launcher can be clicked, in headless Chromium.
import path from 'node:path';
import { ratio, stats, type BenchContext, type SectionResult, type SummaryRow } from '../section.ts';
import { startServerProcess } from '../server-process.ts';
import { buildAndWeigh, type BundleSizes } from './bundle-sizes.ts';
import { findChromium, launchChromium } from '../../test/browser/chromium.ts';
import { timeLauncher, type PlainLoad, type WidgetLoad } from './launcher-timing.ts';

export interface WidgetBenchOptions {
  /** Timed page loads of each kind (with the widget, and JavaScript off). Full 30, quick 5. */
  loads: number;
  /** Untimed loads of each kind first. Range 0-10; default 2. */
  warmup: number;
}

export const fullWidgetOptions: WidgetBenchOptions = { loads: 30, warmup: 2 };
export const quickWidgetOptions: WidgetBenchOptions = { loads: 5, warmup: 2 };

/** The budget for widget.js, gzipped (README: budget 40 KB). */
export const WIDGET_GZIP_BUDGET = 40 * 1024;

type Lat = ReturnType<typeof stats>;

interface Timing {
  loads: number;
  chromium: string;
  withWidget: Record<keyof WidgetLoad, Lat>;
  plain: Record<keyof PlainLoad, Lat>;
  /** Per load: usable - load event of the same load (negative: usable before the load event). */
  usableAfterLoad: Lat;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');

function statsOf<T extends object>(rows: readonly T[]): Record<keyof T, Lat> {
  const keys = Object.keys(rows[0] ?? {}) as (keyof T)[];
  return Object.fromEntries(keys.map((k) => [k, stats(rows.map((r) => r[k] as number).filter(Number.isFinite))])) as Record<keyof T, Lat>;
}

export async function runWidgetBench(ctx: BenchContext): Promise<SectionResult> {
  const o = ctx.quick ? quickWidgetOptions : fullWidgetOptions;
  ctx.progress('widget: building the bundles');
  const sizes = await buildAndWeigh();

  const chromium = findChromium();
  let timing: Timing | undefined;
  let skipped: string | undefined;
  if (!chromium.path) {
    const why = `Chromium not found at ${chromium.wanted} (install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH)`;
    if (/^(1|true|yes)$/i.test(process.env.CI ?? '')) throw new Error(`bench widget: ${why}; CI is set, so the launcher timing may not be skipped`);
    skipped = why;
    ctx.progress(`widget: launcher timing skipped: ${why}`);
  } else {
    const server = await startServerProcess({ root: ctx.root, env: { DATA_DIR: path.join(ctx.tmpDir, 'widget-data'), LOG_LEVEL: 'warn' } });
    const browser = await launchChromium(chromium.path).catch(async (err) => {
      await server.stop();
      throw err;
    });
    try {
      ctx.progress(`widget: ${o.warmup} + ${o.loads} loads of ${server.url}/ with the widget and as many with JavaScript off`);
      const { widget, plain } = await timeLauncher(browser, {
        url: `${server.url}/`,
        loads: o.loads,
        warmup: o.warmup,
        onProgress: (done, total) => {
          if (done % 10 === 0 || done === total) ctx.progress(`widget: ${done}/${total} load pairs`);
        },
      });
      timing = {
        loads: widget.length,
        chromium: `${path.basename(chromium.path)} ${browser.version()}`,
        withWidget: statsOf(widget),
        plain: statsOf(plain),
        usableAfterLoad: stats(widget.map((w) => w.usable - w.load)),
      };
    } finally {
      await browser.close();
      await server.stop();
    }
  }

  const data = { mode: ctx.quick ? 'quick' : 'full', options: o, budgetBytes: WIDGET_GZIP_BUDGET, sizes, timing, skipped };
  return { id: 'widget', markdown: formatWidget(ctx, o, sizes, timing, skipped), data, summary: widgetSummary(sizes, timing, skipped) };
}

function widgetJs(sizes: BundleSizes) {
  const w = sizes.files.find((f) => f.name === 'widget.js');
  if (!w) throw new Error('bench widget: the build wrote no widget.js');
  return w;
}

function formatWidget(ctx: BenchContext, o: WidgetBenchOptions, sizes: BundleSizes, t: Timing | undefined, skipped: string | undefined): string {
  const sizeRows = sizes.files.map(
    (f) =>
      `| ${f.name} | ${kb(f.bytes)} | **${kb(f.gzipBytes)}** | ${kb(f.brotliBytes)} | ${f.name === 'widget.js' ? `${kb(WIDGET_GZIP_BUDGET)} (${((f.gzipBytes / WIDGET_GZIP_BUDGET) * 100).toFixed(0)}% used) ${f.gzipBytes <= WIDGET_GZIP_BUDGET ? '✓' : '✗ over'}` : 'none (the agent console)'} |`,
  );
  const row = (label: string, s: Lat, base: Lat | undefined) => `| ${label} | ${ms(s.median)} | ${ms(s.p99)} | ${ms(s.max)} | ${base ? `${ratio(s.median, base.median)} / ${ratio(s.p99, base.p99)}` : ''} |`;
  const timingPart = t
    ? `### Until the launcher can be clicked (${t.loads} loads each, ${ctx.quick ? 'quick' : 'full'}; ${t.chromium})

| ms after navigation start | median | p99 | max | ratio to the plain page's load event, median / p99 |
|---|---|---|---|---|
${[
  row('**baseline**: the same page with JavaScript off: load event', t.plain.load, t.plain.load),
  row('- its DOMContentLoaded', t.plain.domContentLoaded, t.plain.load),
  row('with the widget: HTML received', t.withWidget.responseEnd, t.plain.load),
  row('- DOMContentLoaded', t.withWidget.domContentLoaded, t.plain.load),
  row('- widget.js received', t.withWidget.scriptEnd, t.plain.load),
  row('- `<chat-widget>` defined (bundle ran)', t.withWidget.defined, t.plain.load),
  row('- **launcher usable** (rendered, visible, enabled, hit-testable)', t.withWidget.usable, t.plain.load),
  row('- the frame after it (on screen)', t.withWidget.painted, t.plain.load),
  row('- load event (it waits for the async widget.js)', t.withWidget.load, t.plain.load),
].join('\n')}

- Per load, launcher usable minus the same load's load event: median ${ms(t.usableAfterLoad.median)} ms, p99 ${ms(t.usableAfterLoad.p99)} ms (negative: usable before the load event ends; the load event waits for widget.js to run, the launcher's first render comes a microtask later or in a following task).
- Click on the launcher -> panel rendered with its input visible: median ${ms(t.withWidget.clickToPanel.median)} ms, p99 ${ms(t.withWidget.clickToPanel.p99)} ms (in-page, from the click event).

How measured: the real server (\`node --import tsx bot/server/main.ts\`, its own data folder, \`LOG_LEVEL=warn\`) serves the demo hall
at \`/\` as in production (gzip, CSP). Headless Chromium (playwright-core, the browser tests' flags, 1280x800) loads it in a
fresh browser context each time (empty HTTP cache, no localStorage, so the widget starts closed). The mark is taken **in the page**:
a script added before the page's own (\`addInitScript\`) watches the document and then the widget's shadow root with
MutationObservers, and takes \`performance.now()\` (ms since navigation start) the first time the launcher button is connected,
not disabled, has a size, passes \`checkVisibility()\` and is what \`elementFromPoint\` finds at its centre, i.e. a click there
would reach it (a per-frame check backs the observers up). Playwright then clicks the launcher and waits for the panel's input,
so every counted load proved the launcher opens the panel. The **baseline** is the same page from the same server in the same
browser with JavaScript off (so without the widget), its navigation-timing load event; loads alternate with and without the
widget, ${o.warmup} of each untimed first. Medians and p99 are nearest rank; nothing fails on a time.
`
    : `### Until the launcher can be clicked

Skipped: ${skipped}.
`;
  return `## Widget: bundle size and time to a usable launcher

### Bundle sizes (${path.relative(ctx.root, sizes.outdir)}, esbuild minified IIFE, built in ${sizes.buildMs.toFixed(0)} ms)

| bundle | raw | gzip -9 | brotli -11 | gzip budget |
|---|---|---|---|---|
${sizeRows.join('\n')}

Sizes are the bundles \`widget/build.ts\` writes now (the source maps beside them are not loaded by browsers unless devtools
are open), compressed in this process with node:zlib (gzip level 9, brotli quality 11); the server sends gzip.

${timingPart}`;
}

function widgetSummary(sizes: BundleSizes, t: Timing | undefined, skipped: string | undefined): SummaryRow[] {
  const w = widgetJs(sizes);
  const rows: SummaryRow[] = [
    {
      figure: 'widget.js gzipped (gzip -9)',
      value: `${kb(w.gzipBytes)} (${kb(w.bytes)} raw, ${kb(w.brotliBytes)} brotli)`,
      baseline: `budget ${kb(WIDGET_GZIP_BUDGET)}: ${ratio(w.gzipBytes, WIDGET_GZIP_BUDGET)}`,
      target: '<= 40 KB',
      met: w.gzipBytes <= WIDGET_GZIP_BUDGET,
    },
  ];
  rows.push(
    t
      ? {
          figure: 'demo page: navigation start -> launcher usable, headless Chromium, fresh context',
          value: `p50 ${ms(t.withWidget.usable.median)} ms, p99 ${ms(t.withWidget.usable.p99)} ms (${t.loads} loads)`,
          baseline: `same page, JavaScript off, load event p50 ${ms(t.plain.load.median)} ms, p99 ${ms(t.plain.load.p99)} ms: ${ratio(t.withWidget.usable.median, t.plain.load.median)}, ${ratio(t.withWidget.usable.p99, t.plain.load.p99)}`,
        }
      : { figure: 'demo page: navigation start -> launcher usable', value: `skipped: ${skipped}` },
  );
  return rows;
}
