import { describe, expect, it } from 'vitest';
import { groupKeyOf, groupUnanswered } from './unanswered-groups.ts';
import type { UnansweredRow } from './unanswered-store.ts';

let nextId = 1;
function row(normKey: string, tokens: string[], over: Partial<UnansweredRow> = {}): UnansweredRow {
  return {
    id: nextId++,
    conversationId: 'c',
    text: over.text ?? normKey,
    normKey,
    tokens,
    lang: 'zh',
    kind: 'fallback',
    reason: 'no_match',
    candidates: [],
    askedAt: '2025-03-01T10:00:00.000Z',
    ...over,
  };
}

describe('groupUnanswered', () => {
  it('groups one wording, counts every ask and keeps the latest time', () => {
    const groups = groupUnanswered([
      row('宽带网线颜色', ['宽带', '网线', '颜色'], { text: '宽带网线颜色？', askedAt: '2025-03-01T10:00:00.000Z' }),
      row('宽带网线颜色', ['宽带', '网线', '颜色'], { text: '宽带网线颜色!', askedAt: '2025-03-02T10:00:00.000Z' }),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 2, lastAskedAt: '2025-03-02T10:00:00.000Z', text: '宽带网线颜色!', variants: ['宽带网线颜色!', '宽带网线颜色？'] });
    expect(groups[0]!.groupKey).toBe(groupKeyOf('zh', '宽带网线颜色'));
  });

  it('groups paraphrases that share few words when the engine read them as close to the same entries', () => {
    // Three wordings of "do the bundle's free minutes carry over": token overlap 2/9 to 2/7, same best entries.
    const cands = (ids: string[]) => ids.map((entryId, i) => ({ entryId, score: 0.4 - i * 0.05 }));
    const groups = groupUnanswered([
      row('套餐送的分钟月底清零吗', ['套餐', '送', '分钟', '月底', '清零'], { candidates: cands(['bundle.minutes', 'bundle.overage', 'data.cap']) }),
      row('套餐赠送的通话时长能留到下个月吗', ['套餐', '赠送', '通话', '时长', '次月', '分钟'], { candidates: cands(['bundle.minutes', 'bundle.overage', 'bundle.prepay']) }),
      row('套餐没打完的分钟会作废不', ['套餐', '分钟', '作废', '打完'], { candidates: cands(['bundle.minutes', 'data.cap', 'bundle.overage']) }),
      // same best entry but no shared word: a different question the engine placed nearby
      row('宽带多少兆', ['宽带', '兆'], { candidates: cands(['bundle.minutes', 'bundle.overage', 'data.cap']) }),
    ]);
    expect(groups.map((g) => g.count)).toEqual([3, 1]);
  });

  it('compares with the group leader, so A~B and B~C do not chain A and C together', () => {
    // Jaccard(A,B) = 2/4, Jaccard(B,C) = 2/4, Jaccard(A,C) = 1/5: C must start its own group.
    const a = row('a', ['x', 'y', 'z'], { askedAt: '2025-03-03T00:00:00.000Z' });
    const a2 = row('a', ['x', 'y', 'z']);
    const b = row('b', ['y', 'z', 'w']);
    const c = row('c', ['z', 'w', 'v']);
    const groups = groupUnanswered([a, a2, b, c]);
    expect(groups.map((g) => g.count)).toEqual([3, 1]);
    expect(groups[1]!.variants).toEqual(['c']);
  });

  it('never groups across languages', () => {
    const groups = groupUnanswered([row('esim', ['esim']), row('esim', ['esim'], { lang: 'en' })]);
    expect(groups).toHaveLength(2);
  });

  it('ranks candidates by their total over the group, with best and mean scores', () => {
    const groups = groupUnanswered([
      row('k1', ['t'], { candidates: [{ entryId: 'x.one', score: 0.9 }, { entryId: 'x.two', score: 0.5 }] }),
      row('k2', ['t'], { candidates: [{ entryId: 'x.two', score: 0.6 }] }),
      row('k3', ['t'], { candidates: [{ entryId: 'x.two', score: 0.4 }] }),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.candidates).toEqual([
      { entryId: 'x.two', score: 0.6, meanScore: 0.5, hits: 3 },
      { entryId: 'x.one', score: 0.9, meanScore: 0.9, hits: 1 },
    ]);
  });

  it('orders groups by count, then by the most recent ask, and caps variants', () => {
    const rows = [
      row('old', ['o'], { askedAt: '2025-01-01T00:00:00.000Z' }),
      row('new', ['n'], { askedAt: '2025-02-01T00:00:00.000Z' }),
      ...Array.from({ length: 12 }, (_, i) => row(`many${i}`, ['m', 'n2'], { text: `many ${i}`, askedAt: `2025-01-0${(i % 9) + 1}T00:00:00.000Z` })),
    ];
    const groups = groupUnanswered(rows, { maxVariants: 3 });
    expect(groups.map((g) => g.count)).toEqual([12, 1, 1]);
    expect(groups[0]!.variants).toHaveLength(3);
    expect(groups.slice(1).map((g) => g.text)).toEqual(['new', 'old']);
  });
});
