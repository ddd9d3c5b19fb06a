// The learned channel: a classifier over question features that learns which words tell entries apart.
import { describe, expect, it } from 'vitest';
import { defaultLearnedChannelOptions, trainLearnedChannel, type LearnedChannel } from './learned-channel.ts';

function train(questions: { entry: number; features: string[] }[], options = defaultLearnedChannelOptions): LearnedChannel | undefined {
  const steps = trainLearnedChannel(questions, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

// Two entries sharing most words, told apart by the carrier: what the lexical overlap cannot weigh.
const questions = [
  { entry: 0, features: ['联通', '充值', '发票', '~怎么'] },
  { entry: 0, features: ['联通', '发票', '打印'] },
  { entry: 0, features: ['联通', '交费', '发票', '~哪里'] },
  { entry: 1, features: ['移动', '充值', '发票', '~怎么'] },
  { entry: 1, features: ['移动', '发票', '打印'] },
  { entry: 1, features: ['移动', '自助机', '发票'] },
  { entry: 2, features: ['宽带', '报修', '~怎么'] },
  { entry: 2, features: ['宽带', '坏了'] },
];

describe('trainLearnedChannel', () => {
  it('learns the word that tells two look-alike entries apart, for wording it never saw', () => {
    const channel = train(questions)!;
    const unicom = channel.score(['联通', '自助机', '发票']);
    expect(unicom.best).toBe(0);
    expect(unicom.relative.get(0)).toBe(1);
    expect(unicom.relative.get(1) ?? 0).toBeLessThan(1);
    expect(channel.score(['宽带', '~哪里']).best).toBe(2);
  });

  it('says nothing of words it never saw', () => {
    const channel = train(questions)!;
    expect(channel.score(['天气']).best).toBe(-1);
    expect(channel.score(['天气']).relative.size).toBe(0);
  });

  it('is deterministic: one knowledge base, one model', () => {
    const a = train(questions)!.score(['充值', '发票']);
    const b = train(questions)!.score(['充值', '发票']);
    expect([...a.relative]).toEqual([...b.relative]);
  });

  it('is not trained when its table would be too large, or with nothing to learn', () => {
    expect(train(questions, { ...defaultLearnedChannelOptions, maxCells: 10 })).toBeUndefined();
    expect(train([])).toBeUndefined();
  });
});
