// The embed script (/widget.js, an IIFE): defines <chat-widget> and adds one to the page, configured from
// the data- attributes of its own <script> tag (data-server, data-lang, data-province, data-title, data-primary-color, data-position,
// data-theme: light, dark, or auto to follow the page's prefers-color-scheme).
import { ChatWidget } from './visitor/chat-widget.ts';

/** Our <script> tag: `currentScript` while a classic (also async) script first runs; else found by its src. */
function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
}

/** Where the chat server is: data-server, else the origin the script came from, else this page. */
export function serverFrom(script: HTMLScriptElement | null): string {
  const configured = script?.dataset.server?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  if (script?.src) {
    try {
      const origin = new URL(script.src, location.href).origin;
      return origin === location.origin ? '' : origin;
    } catch {
      // An odd src: fall back to the page's origin.
    }
  }
  return '';
}

function mount(): void {
  // Once per page, also when the script is included twice or a page already placed its own element.
  if (document.querySelector('chat-widget')) return;
  const el = new ChatWidget();
  el.server = serverFrom(script);
  const d = script?.dataset ?? {};
  if (d.lang) el.language = d.lang;
  if (d.province) el.province = d.province;
  if (d.title) el.heading = d.title;
  if (d.primaryColor) el.primaryColor = d.primaryColor;
  if (d.position === 'left' || d.position === 'right') el.position = d.position;
  if (d.theme === 'light' || d.theme === 'dark' || d.theme === 'auto') el.theme = d.theme;
  document.body.append(el);
}

// Read now: currentScript is only set during this first synchronous run.
const script = ownScript();
if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount, { once: true });
