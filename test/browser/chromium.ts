// Which Chromium to drive and how to start it: shared by the real-browser tests and the widget bench.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** CHROMIUM_PATH when set (nothing else is tried then), else Debian's package (`apt-get install chromium`). */
export function findChromium(): { path: string | undefined; wanted: string } {
  const wanted = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return { path: existsSync(wanted) ? wanted : undefined, wanted };
}

/** Flags for a container: no sandbox (no user namespaces), no GPU, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--lang=zh-CN',
];

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
