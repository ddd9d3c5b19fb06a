import { describe, expect, it } from 'vitest';
import { createAnalyzer } from './tokenize.ts';
import { loadChineseLexicon } from './jieba.ts';

const lexicon = loadChineseLexicon();
import { buildSynonyms } from './synonyms.ts';

const pos = { file: 'synonyms.yaml', line: 1, col: 1 };

describe('createAnalyzer', () => {
  it('matches the knowledge base vocabulary before segmenting the rest', () => {
    const analyze = createAnalyzer(lexicon, ['宽带', '网厅']);
    const units = analyze('网厅宽带').units.map((u) => u.text);
    expect(units).toEqual(expect.arrayContaining(['网厅', '宽带']));
  });

  it('drops Chinese and English stop words from content units', () => {
    const analyze = createAnalyzer(lexicon);
    expect(analyze('请问怎么办').units).toEqual([]);
    expect(analyze('how do i do it').units).toEqual([]);
  });

  it('stems English and keeps prices as one number', () => {
    const { tokens } = createAnalyzer(lexicon)('recharging costs 0.20 yuan');
    expect(tokens).toEqual(expect.arrayContaining(['recharg', 'cost', '0.2', 'yuan']));
  });

  it('marks bigrams guessed from unknown characters as soft', () => {
    const { units } = createAnalyzer(lexicon)('鑫淼');
    expect(units.every((u) => u.soft)).toBe(true);
  });
});

describe('buildSynonyms', () => {
  const rewrite = buildSynonyms([
    { terms: ['网厅', '网上营业厅', 'online hall'], pos },
    { terms: ['营业厅', 'business hall'], pos },
    { terms: ['发票', 'fapiao', 'invoice'], pos },
  ]);

  it('prefers the longest term, so 网上营业厅 is not read as 营业厅', () => {
    expect(rewrite('网上营业厅充值')).toBe('网厅充值');
    expect(rewrite('去营业厅')).toBe('去营业厅');
  });

  it('replaces English terms only as whole words', () => {
    expect(rewrite('online hall fapiao').replace(/\s+/g, ' ').trim()).toBe('网厅 发票');
    expect(rewrite('invoices')).toBe('invoices');
  });
});
