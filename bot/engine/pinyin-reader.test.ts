// Messages typed in toneless pinyin are read as the knowledge base's terms; English sentences are left alone.
import { describe, expect, it } from 'vitest';
import { buildPinyinReader } from './homophones.ts';

const english = new Set(['china', 'mobile', 'recharge', 'live', 'in', 'same', 'time', 'the', 'can', 'say', 'my', 'not', 'long', 'bang', 'ding', 'tong', 'me', 'li', 'wo']);
const read = buildPinyinReader(['发票', '自助机', '移动', '密码', '微信', '绑定', '联通', '号码', '网厅', '新疆'], (w) => english.has(w));

describe('buildPinyinReader', () => {
  it('reads a pinyin message as the terms it spells, joining syllables typed apart, and drops the frame words no term holds', () => {
    expect(read('yidong zizhuji fapiao mima wang le')).toBe('移动 自助机 发票 密码');
    expect(read('wo xiang zai weixin li bang ding lian tong hao ma')).toBe('微信 绑定 联通 号码');
  });

  it('leaves English sentences as typed, loanwords and all', () => {
    expect(read('can the fapiao say my company not geren')).toBe('can the fapiao say my company not geren');
    // "live", "same", "time" spell pinyin syllables but are English: they decide nothing.
    expect(read('i live in kashgar xinjiang, same time?')).toBe('i live in kashgar xinjiang, same time?');
  });

  it('keeps English words of three letters or more in a pinyin message', () => {
    expect(read('china mobile wangting recharge fapiao')).toBe('china mobile 网厅 recharge 发票');
  });

  it('leaves Chinese text alone', () => {
    expect(read('移动发票怎么打')).toBe('移动发票怎么打');
  });
});
