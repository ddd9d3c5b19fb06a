import { describe, expect, it } from 'vitest';
import type { Entry, KnowledgeBase } from '../../knowledge/types.ts';
import { entryQuestion } from './handoff-group.ts';

const entry = (id: string, answer: Entry['answer'], questions: Entry['questions']) => ({ id, answer, questions }) as unknown as Entry;
const kb = {
  entries: [
    entry('recharge.sms', { zh: '发送 CZ# 到 10011', en: 'Send CZ# to 10011' }, { zh: ['怎么短信充值'], en: ['How do I top up by SMS?'] }),
    entry('zh.only', { zh: '只有中文', en: '' }, { zh: ['中文问题'], en: [] }),
  ],
} as unknown as KnowledgeBase;

describe('entryQuestion', () => {
  it("gives the question and the answer in the visitor's language, for one-click sending", () => {
    expect(entryQuestion(kb, 'recharge.sms', 'en')).toEqual({ question: 'How do I top up by SMS?', answer: 'Send CZ# to 10011' });
    expect(entryQuestion(kb, 'recharge.sms', 'zh')).toEqual({ question: '怎么短信充值', answer: '发送 CZ# 到 10011' });
  });

  it('falls back to the other language when one is missing', () => {
    expect(entryQuestion(kb, 'zh.only', 'en')).toEqual({ question: '中文问题', answer: '只有中文' });
  });

  it('knows nothing of an entry that is gone', () => {
    expect(entryQuestion(kb, 'nope', 'zh')).toBeUndefined();
  });
});
