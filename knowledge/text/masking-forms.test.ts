// One table of the forms visitors type secrets and personal numbers in (Chinese input methods give
// full-width digits and letters), through both masks: maskVisitorMessage (what is stored, indexed and shown
// to agents) and maskPersonalData (log lines, FAQ drafts, the unanswered inbox).
import { describe, expect, it } from 'vitest';
import { maskPersonalData } from './mask-personal-data.ts';
import { maskVisitorMessage } from './redact.ts';

/** [what the visitor typed, what must not survive] */
const SECRETS: Array<[string, string]> = [
  ['我的服务密码是１２３４５６', '１２３４５６'],
  ['我的服务密码是123456', '123456'],
  ['password: P@ssw0rd!', 'P@ssw0rd!'],
  ['pwd=Secret123', 'Secret123'],
  ['密码：Abc!2345', 'Abc!2345'],
  ['我的密码是 qwertyui', 'qwertyui'],
  ['ｐａｓｓｗｏｒｄ：ａｂｃ１２３ｘ', 'ａｂｃ１２３ｘ'],
  ['服務密碼是９８７６５４', '９８７６５４'],
  ['PIN 8888, thanks', '8888'],
];

/** Numbers a log line or draft must not keep: [typed, must not survive, what stays]. */
const NUMBERS: Array<[string, string, string]> = [
  ['我的手机１３８００１３８０００欠费了', '００１３', '138****8000'],
  ['身份证１１０１０５１９９００３０７１２３４', '１９９００３０７', '身份证'],
  ['座机０１０－６２３４５６７８', '６２３４５６７８', '010'],
  ['call 138-0013-8000 please', '0013', '138****8000'],
];

/** Look-alikes that stay as typed, through both masks. */
const KEEP = [
  'password is wrong, 3 tries',
  'password is incorrect again',
  '服务密码是什么',
  '忘记密码怎么办？',
  '发送 CXLL 到 10010',
  '全角的价格是１３８元，月租１９９元',
  '拨打１０１９３开通国际长途',
];

describe('masking, on the normalized text', () => {
  it.each(SECRETS)('stores and logs %s without the secret', (typed, secret) => {
    for (const masked of [maskVisitorMessage(typed, false), maskVisitorMessage(typed, true), maskPersonalData(typed)]) {
      expect(masked).not.toContain(secret);
      expect(masked).toContain('*');
    }
  });

  it.each(NUMBERS)('logs %s without the number', (typed, gone, kept) => {
    const masked = maskPersonalData(typed);
    expect(masked).not.toContain(gone);
    expect(masked).toContain(kept);
  });

  it.each(KEEP)('leaves %s as typed', (text) => {
    expect(maskPersonalData(text)).toBe(text);
    expect(maskVisitorMessage(text, false)).toBe(text);
  });

  it('keeps the rest of the message as the visitor typed it (full-width punctuation included)', () => {
    expect(maskVisitorMessage('你好，我的服务密码是１２３４５６，帮我查余额。', true)).toBe('你好，我的服务密码是******，帮我查余额。');
    expect(maskPersonalData('号码：１５６１２３４５６７８，谢谢')).toBe('号码：156****5678，谢谢');
  });
});
