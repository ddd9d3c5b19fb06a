import { describe, expect, it } from 'vitest';
import { fitLinear, messageFeatures, probability } from './message-classifier.ts';

describe('message detectors', () => {
  it('reads characters, character pairs, English words and word pairs, and numbers by length', () => {
    const f = messageFeatures('帮我查 check it for me 13012345678');
    // why: 帮我 and "for me" carry the request; a phone number means an account, whatever its digits
    expect(f).toEqual(expect.arrayContaining(['帮', '帮我', '我查', '^帮我', 'w:for me', 'w:check', '^check', 'w:#number']));
    expect(f).not.toContain('w:13012345678');
  });

  it('learns request words from labelled messages, the same way every time', () => {
    const samples = [
      ...['帮我退了', '帮我停掉', '帮我改一下', '帮我开通'].map((t) => ({ features: messageFeatures(t), y: 1 as const })),
      ...['怎么退订', '怎么停机', '怎么改套餐', '怎么开通'].map((t) => ({ features: messageFeatures(t), y: 0 as const })),
    ];
    const a = fitLinear(samples);
    const b = fitLinear(samples);
    expect(a).toEqual(b);
    // why: 帮我 came only with requests and 怎么 only with questions, whatever the verb
    expect(probability(a, messageFeatures('帮我取消'))).toBeGreaterThan(0.5);
    expect(probability(a, messageFeatures('怎么取消'))).toBeLessThan(0.5);
  });
});
