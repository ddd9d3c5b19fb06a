// Grouping canned replies by category: groups in first-appearance order, uncategorized last, order kept inside.
import { describe, expect, it } from 'vitest';
import type { CannedReply } from './console-api.ts';
import { categoriesOf, groupByCategory } from './canned-categories.ts';

const reply = (shortcut: string, category?: string): CannedReply => ({
  id: shortcut, kind: 'text', scope: 'shared', shortcut, title: shortcut, text: shortcut, createdAt: '', updatedAt: '', ...(category ? { category } : {}),
});

describe('groupByCategory', () => {
  it('keeps the ranked order of categories and of replies inside each, uncategorized last', () => {
    const groups = groupByCategory([reply('/a', '宽带'), reply('/b'), reply('/c', '账单'), reply('/d', '宽带')]);
    expect(groups.map((g) => [g.category, g.replies.map((r) => r.shortcut)])).toEqual([
      ['宽带', ['/a', '/d']],
      ['账单', ['/c']],
      ['', ['/b']],
    ]);
    expect(groupByCategory([])).toEqual([]);
  });

  it('lists the categories in use once, sorted', () => {
    expect(categoriesOf([reply('/a', 'b'), reply('/b'), reply('/c', 'a'), reply('/d', 'b')], 'en')).toEqual(['a', 'b']);
  });
});
