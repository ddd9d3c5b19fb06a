// Pure helpers of the agent console: durations, highlights, the "/" canned trigger (links: ui-links.ts).
import type { ProvinceOption } from '../../handoff/http/wire.ts';

/** "45s", "3m 05s", "1h 02m": short enough for a queue row. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * The console's one way to show a time, the same in both languages: HH:MM today, MM-DD HH:MM this year, else
 * YYYY-MM-DD HH:MM (local time of the agent's browser). Every screen uses it, not toLocaleString, whose form
 * differs by browser language.
 */
export function formatTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return hm;
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
  return d.getFullYear() === now.getFullYear() ? md : `${d.getFullYear()}-${md}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A search snippet cut into plain and highlighted pieces from the server's UTF-16 offsets (overlaps merged). */
export function highlightParts(snippet: string, highlights: ReadonlyArray<{ start: number; length: number }>): Array<{ text: string; mark: boolean }> {
  const ranges = highlights
    .map((h) => ({ start: Math.max(0, h.start), end: Math.min(snippet.length, h.start + h.length) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const parts: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const r of ranges) {
    const start = Math.max(r.start, at);
    if (r.end <= start) continue;
    if (start > at) parts.push({ text: snippet.slice(at, start), mark: false });
    parts.push({ text: snippet.slice(start, r.end), mark: true });
    at = r.end;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), mark: false });
  return parts;
}

/**
 * The canned-reply search the composer should run: input that starts with "/" and has no space or line
 * yet ("/退" -> "退", "/" -> ""), else undefined (an ordinary message).
 */
export function cannedQuery(input: string): string | undefined {
  const m = /^\/([^\s]*)$/u.exec(input);
  return m ? m[1] : undefined;
}

/** "08:30-21:30, Mon-Sun" style summary of ISO weekdays (1 = Monday). */
export function formatDays(days: readonly number[], names: readonly string[]): string {
  const sorted = [...new Set(days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  if (sorted.length === 7) return `${names[0]}-${names[6]}`;
  const runs: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const a = names[sorted[i]! - 1]!;
    const b = names[sorted[j]! - 1]!;
    runs.push(i === j ? a : j === i + 1 ? `${a}, ${b}` : `${a}-${b}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/** Comma or space separated group ids as a clean list ("mobile, billing" -> ['mobile', 'billing']). */
export function parseGroupList(text: string): string[] {
  return [...new Set(text.split(/[\s,，]+/u).map((g) => g.trim().toLowerCase()).filter(Boolean))];
}

/** The next title of a title flash: alternates the notice and the page's own title. */
export function flashTitle(base: string, notice: string, tick: number): string {
  return tick % 2 === 0 ? `【${notice}】${base}` : base;
}

/** A province id's name from the server's list (GET /api/agent/groups); the id itself when not listed. */
export function provinceLabel(catalog: readonly ProvinceOption[], id: string, lang: 'zh' | 'en'): string {
  return catalog.find((p) => p.id === id)?.[lang] ?? id;
}

/**
 * A message cut for a list: at most `max` characters (whole code points, so an emoji is never split) with "…",
 * and whether it was cut. A long spam message would otherwise fill the screen; the full text is a click away.
 */
export function shorten(text: string, max: number): { text: string; cut: boolean } {
  const chars = Array.from(text);
  if (chars.length <= max) return { text, cut: false };
  return { text: `${chars.slice(0, max).join('').trimEnd()}…`, cut: true };
}
