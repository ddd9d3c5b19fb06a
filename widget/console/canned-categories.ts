// Canned replies grouped by their category, for the console's canned screen and the composer's "/" picker.
import type { CannedReply } from './console-api.ts';

export interface CannedGroup {
  /** '' for the replies without a category. */
  category: string;
  replies: CannedReply[];
}

/**
 * The replies in groups of one category, each group where its first reply stood (so the best match's category
 * leads a ranked search), replies keeping their order inside a group; the uncategorized ones last.
 */
export function groupByCategory(replies: readonly CannedReply[]): CannedGroup[] {
  const groups = new Map<string, CannedReply[]>();
  for (const r of replies) {
    const key = r.category ?? '';
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const named = [...groups].filter(([k]) => k !== '').map(([category, list]) => ({ category, replies: list }));
  const none = groups.get('');
  return none ? [...named, { category: '', replies: none }] : named;
}

/** The categories in use, sorted for a filter menu (Chinese by pinyin where the runtime knows it). */
export function categoriesOf(replies: readonly CannedReply[], locale: string): string[] {
  const seen = new Set<string>();
  for (const r of replies) if (r.category) seen.add(r.category);
  return [...seen].sort(new Intl.Collator(locale).compare);
}
