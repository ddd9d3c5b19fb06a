// The visitors screen's filter: page search over titles and paths (current page and trail), time on site, chat state.
import { expect, it } from 'vitest';
import type { OnlineVisitor } from '../console-api.ts';
import { filterVisitors, noVisitorFilter, sourcesOf } from './visitor-filter.ts';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function visitor(id: string, minutes: number, url: string, title: string, extra: Partial<OnlineVisitor> = {}): OnlineVisitor {
  return {
    id, pages: 1, onlineSince: ago(minutes), inChat: false,
    currentPage: { url, title, since: ago(0) },
    trail: [{ url, title, enteredAt: ago(0) }],
    ...extra,
  } as OnlineVisitor;
}

const list = [
  visitor('a', 2, 'https://www.189.cn/broadband/repair', '宽带报修'),
  visitor('b', 20, 'https://www.189.cn/bill/', 'Bill', { inChat: true, trail: [{ url: 'https://www.189.cn/5g/plans', title: '5G 套餐', enteredAt: ago(19) }] }),
  visitor('c', 40, 'https://www.189.cn/%E5%85%85%E5%80%BC', '', { invited: { id: 'i', by: 'agent', at: ago(1), state: 'pending' } }),
];
const ids = (f: Partial<typeof noVisitorFilter>) => filterVisitors(list, { ...noVisitorFilter, ...f }, NOW).map((v) => v.id);

it('shows everyone without a filter', () => {
  expect(ids({})).toEqual(['a', 'b', 'c']);
});

it('finds pages by title or path, in the trail too, any case, every word', () => {
  expect(ids({ text: '宽带' })).toEqual(['a']);
  expect(ids({ text: 'BROADBAND' })).toEqual(['a']);
  expect(ids({ text: '5g' })).toEqual(['b']);
  expect(ids({ text: '充值' })).toEqual(['c']);
  expect(ids({ text: 'bill 5g' })).toEqual(['b']);
  expect(ids({ text: 'bill repair' })).toEqual([]);
  expect(ids({ text: '   ' })).toEqual(['a', 'b', 'c']);
});

it('keeps those online at least the minutes asked', () => {
  expect(ids({ minMinutes: 5 })).toEqual(['b', 'c']);
  expect(ids({ minMinutes: 30 })).toEqual(['c']);
});

it('filters by chat state', () => {
  expect(ids({ state: 'in_chat' })).toEqual(['b']);
  expect(ids({ state: 'invited' })).toEqual(['c']);
  expect(ids({ state: 'idle' })).toEqual(['a']);
  expect(ids({ state: 'idle', text: '宽带', minMinutes: 5 })).toEqual([]);
});

it('filters by source: a kind, or one engine or site; a visitor without a source is direct', () => {
  const withSources = [
    visitor('s1', 1, 'https://www.189.cn/a', 'A', { source: { kind: 'search', name: 'baidu' } }),
    visitor('s2', 1, 'https://www.189.cn/b', 'B', { source: { kind: 'search', name: 'bing' } }),
    visitor('s3', 1, 'https://www.189.cn/c', 'C', { source: { kind: 'site', name: 'weibo.com' } }),
    visitor('s4', 1, 'https://www.189.cn/d', 'D', { source: { kind: 'direct', name: null } }),
    visitor('s5', 1, 'https://www.189.cn/e', 'E'),
    visitor('s6', 1, 'https://www.189.cn/f', 'F', { source: { kind: 'search', name: 'baidu' } }),
  ];
  const pick = (source: string) => filterVisitors(withSources, { ...noVisitorFilter, source }, NOW).map((v) => v.id);
  expect(pick('')).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
  expect(pick('search')).toEqual(['s1', 's2', 's6']);
  expect(pick('search:baidu')).toEqual(['s1', 's6']);
  expect(pick('site')).toEqual(['s3']);
  expect(pick('site:weibo.com')).toEqual(['s3']);
  expect(pick('direct')).toEqual(['s4', 's5']);
  // The menu: engines first, most visitors first.
  expect(sourcesOf(withSources)).toEqual([
    { kind: 'search', name: 'baidu', count: 2 },
    { kind: 'search', name: 'bing', count: 1 },
    { kind: 'site', name: 'weibo.com', count: 1 },
  ]);
  // Combined with the page search and the time on site.
  expect(filterVisitors(withSources, { ...noVisitorFilter, source: 'search', text: 'B' }, NOW).map((v) => v.id)).toEqual(['s2']);
});
