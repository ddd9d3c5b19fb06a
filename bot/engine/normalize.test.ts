import { describe, expect, it } from 'vitest';
import { normalize } from './normalize.ts';
import { detectLanguage } from './detect-language.ts';

describe('normalize', () => {
  it('folds traditional Chinese to simplified so both meet the same entries', () => {
    expect(normalize('充值卡密碼幾位')).toBe('充值卡密码几位');
    expect(normalize('網上營業廳')).toBe('网上营业厅');
  });

  it('folds full-width letters, digits and symbols to half-width', () => {
    expect(normalize('ＣＺ＃发到１００１１')).toBe('cz#发到10011');
  });

  it('removes control characters, zero-width characters and bidi overrides', () => {
    expect(normalize('a\u0000b\u200Bc\u202Ed\u2066e')).toBe('abcde');
    expect(normalize('  转\u200D人工 \n\t ')).toBe('转人工');
  });

  it('drops emoji, which carry tone and not the question (the composers have a picker)', () => {
    expect(normalize('好的，谢谢👍')).toBe('好的,谢谢');
    expect(normalize('宽带😭又断了❤️ 👍🏽')).toBe('宽带 又断了');
    expect(normalize('👨‍👩‍👧 🇨🇳 1️⃣')).toBe('1');
    expect(normalize('😂😂')).toBe('');
  });

  it('joins characters typed one by one with spaces, and keeps a space after a word (a phone typist\'s comma)', () => {
    expect(normalize('我 要 跟 人 说 不要 机器 说')).toBe('我要跟人说 不要 机器 说');
    expect(normalize('發 票 怎 麼 開')).toBe('发票怎么开');
    expect(normalize('下的单 手机 还没到')).toBe('下的单 手机 还没到');
    expect(normalize('I want a 发票 please')).toBe('i want a 发票 please');
  });
});

describe('detectLanguage', () => {
  it('reads the script mix', () => {
    expect(detectLanguage('充值卡密码几位')).toBe('zh');
    expect(detectLanguage('how do i top up')).toBe('en');
    expect(detectLanguage('网厅 top up 有折扣吗')).toBe('zh');
    expect(detectLanguage('how do i get a 发票')).toBe('en');
    expect(detectLanguage('how do i block 联通在信 messages')).toBe('en');
  });

  it('has no opinion on emoji or digits alone', () => {
    expect(detectLanguage('😂😂')).toBeUndefined();
    expect(detectLanguage('10011')).toBeUndefined();
  });
});
