// Which online visitors the agents' visitors screen shows: a search over the pages (title or path, current page
// or trail), a least time on the site, and the chat state. Client-side: the list is the few most recent visitors.
import type { OnlineVisitor } from '../console-api.ts';

export type VisitorState = 'all' | 'in_chat' | 'invited' | 'idle';

export interface VisitorFilter {
  /** Words to find in a page title or path (current page or trail), any case; blank matches everyone. */
  text: string;
  /** Least time online, in minutes; 0 for anyone. */
  minMinutes: number;
  state: VisitorState;
}

export const noVisitorFilter: VisitorFilter = { text: '', minMinutes: 0, state: 'all' };

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
    if (words.length === 0) return true;
    const pages = [v.currentPage, ...v.trail].map((p) => `${p.title} ${pathOf(p.url)}`.toLowerCase()).join('\n');
    return words.every((w) => pages.includes(w));
  });
}
