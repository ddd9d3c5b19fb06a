// Which online visitors the agents' visitors screen shows: a search over the pages (title or path, current page
// or trail), a least time on the site, where they came from, and the chat state. Client-side: the list is the few
// most recent visitors.
import type { OnlineVisitor } from '../console-api.ts';

export type VisitorState = 'all' | 'in_chat' | 'invited' | 'idle';

export interface VisitorFilter {
  /** Words to find in a page title or path (current page or trail), any case; blank matches everyone. */
  text: string;
  /** Least time online, in minutes; 0 for anyone. */
  minMinutes: number;
  state: VisitorState;
  /**
   * Where they came from: '' any; `search`, `site` or `direct` by kind; `search:<engine>` or `site:<host>` one of
   * them (sourceKey of a visitor's source).
   */
  source: string;
}

export const noVisitorFilter: VisitorFilter = { text: '', minMinutes: 0, state: 'all', source: '' };

/** A source as a filter value: `direct`, `search:baidu`, `site:weibo.com`. */
export function sourceKey(source: OnlineVisitor['source'] | undefined): string {
  if (!source || source.kind === 'direct' || !source.name) return 'direct';
  return `${source.kind}:${source.name}`;
}

/** The named sources among these visitors (engines, then sites, each by how many visitors came from it), for the menu. */
export function sourcesOf(visitors: readonly OnlineVisitor[]): Array<{ kind: 'search' | 'site'; name: string; count: number }> {
  const counts = new Map<string, { kind: 'search' | 'site'; name: string; count: number }>();
  for (const v of visitors) {
    const s = v.source;
    if (!s || s.kind === 'direct' || !s.name) continue;
    const key = sourceKey(s);
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { kind: s.kind, name: s.name, count: 1 });
  }
  return [...counts.values()].sort((a, b) => Number(a.kind === 'site') - Number(b.kind === 'site') || b.count - a.count || a.name.localeCompare(b.name));
}

/** The choices of the least time on site, in minutes. */
export const MINUTE_STEPS = [0, 1, 5, 15, 30] as const;

function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

/** The visitors that pass every part of `filter`, in the list's order; `now` in ms. */
export function filterVisitors(visitors: readonly OnlineVisitor[], filter: VisitorFilter, now: number): OnlineVisitor[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return visitors.filter((v) => {
    if (filter.minMinutes > 0 && now - Date.parse(v.onlineSince) < filter.minMinutes * 60_000) return false;
    if (filter.state === 'in_chat' && !v.inChat) return false;
    if (filter.state === 'invited' && (v.inChat || !v.invited)) return false;
    if (filter.state === 'idle' && (v.inChat || v.invited)) return false;
    if (filter.source !== '') {
      const key = sourceKey(v.source);
      if (filter.source.includes(':') ? key !== filter.source : key.split(':')[0] !== filter.source) return false;
    }
    if (words.length === 0) return true;
    const pages = [v.currentPage, ...v.trail].map((p) => `${p.title} ${pathOf(p.url)}`.toLowerCase()).join('\n');
    return words.every((w) => pages.includes(w));
  });
}
