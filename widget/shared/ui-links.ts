// Splits plain text into text runs and http(s) links, so links can be built as elements, never as HTML.

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** A URL candidate: http(s) scheme, then anything up to whitespace, angle brackets, quotes or CJK punctuation. */
const URL_CANDIDATE = /https?:\/\/[^\s<>"'`\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+/gi;
/** Sentence punctuation that usually ends the sentence, not the URL. */
const TRAILING = /[.,;:!?'")\]}]+$/;

/** The href for `raw` when it is an absolute http(s) URL with a host, else undefined. */
export function safeHref(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  return url.href;
}

/**
 * Text and link parts of `text`, in order; joining every part's `text` gives `text` back. Only http and
 * https URLs become links (`javascript:`, `data:` and the rest stay text).
 */
export function parseLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const push = (t: string) => {
    if (t === '') return;
    const prev = parts[parts.length - 1];
    if (prev?.kind === 'text') prev.text += t;
    else parts.push({ kind: 'text', text: t });
  };
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index ?? 0;
    let raw = match[0];
    // Keep a closing bracket that has its opening one inside the URL (wiki-style paths).
    const trail = TRAILING.exec(raw)?.[0] ?? '';
    let keep = raw.length - trail.length;
    if (trail.startsWith(')') && raw.slice(0, keep).includes('(')) keep += 1;
    raw = raw.slice(0, keep);
    const href = safeHref(raw);
    push(text.slice(last, start));
    if (href && /^https?:\/\/./i.test(raw)) parts.push({ kind: 'link', text: raw, href });
    else push(raw);
    last = start + raw.length;
  }
  push(text.slice(last));
  return parts;
}
