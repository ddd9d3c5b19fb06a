// The checker refuses answers a visitor would see as markup or as notes meant for editors.
import { describe, expect, it } from 'vitest';
import { visitorTextProblem } from './check-knowledge.ts';

describe('visitorTextProblem', () => {
  it.each([
    ['人工客服 7×`24` 小时在线', /backtick/],
    ['请点 **需要发票**', /markdown/],
    ['see [the hall](http://x)', /markdown/],
    ['<b>9.85折</b>', /HTML/],
    ['号码（资料中写作“+18618610010”）', /editors/],
    ['the source also says 600 yuan', /editors/],
  ])('refuses %s', (text, why) => {
    // why: the widget shows plain text, so each of these would reach the visitor as typed
    expect(visitorTextProblem(text)).toMatch(why);
  });

  it('accepts plain answers, full-width punctuation and formulas included', () => {
    // why: ×, 《》 and “” are text, not markup
    for (const text of ['违约金 = (协议月数 − 已在网月数) × 月基本费', '确认已阅读《购前须知》', '选择“需要发票”', '我这里没有相关信息，可以转人工客服。']) {
      expect(visitorTextProblem(text)).toBeUndefined();
    }
  });
});
