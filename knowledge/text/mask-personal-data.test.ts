// The log masker: phone numbers, ID numbers and passwords go; prices, dates, service codes and amounts stay.
import { describe, expect, it } from 'vitest';
import { maskPersonalData } from './mask-personal-data.ts';
import { maskPasswordPhrases } from './redact.ts';

describe('maskPersonalData', () => {
  it('masks mobile numbers, keeping the first 3 and last 4 digits, with spaces, dashes or +86', () => {
    expect(maskPersonalData('我的手机13800138000欠费了')).toBe('我的手机138****8000欠费了');
    expect(maskPersonalData('call 138-0013-8000 please')).toBe('call 138****8000 please');
    expect(maskPersonalData('+86 138 0013 8000')).toBe('138****8000');
    expect(maskPersonalData('8613800138000')).toBe('138****8000');
    expect(maskPersonalData('0086-19912345678')).toBe('199****5678');
    expect(maskPersonalData('号码：15612345678，')).toBe('号码：156****5678，');
  });

  it('masks landlines after the area code', () => {
    expect(maskPersonalData('座机010-62345678')).toBe('座机010-********');
    expect(maskPersonalData('0571 88886666')).toBe('0571 ********');
    expect(maskPersonalData('(020)87654321')).toBe('(020)********');
  });

  it('masks resident ID numbers whole: 18 digits, 17 + X, and the old 15-digit form', () => {
    expect(maskPersonalData('身份证110105199003071234')).toBe('身份证******************');
    expect(maskPersonalData('ID 11010519900307123X ok')).toBe('ID ****************** ok');
    expect(maskPersonalData('11010519900307123x')).toBe('******************');
    expect(maskPersonalData('老身份证110105900307123')).toBe('老身份证***************');
  });

  it('masks what follows a password keyword, not the keyword or the rest', () => {
    expect(maskPersonalData('我的服务密码是123456 帮我查下余额')).toBe('我的服务密码是****** 帮我查下余额');
    expect(maskPersonalData('my password: abc123x')).toBe('my password: *******');
    expect(maskPersonalData('PIN 8888, 10193')).toBe('PIN ****, 10193');
    expect(maskPasswordPhrases('password is wrong, 3 tries')).toBe('password is wrong, 3 tries');
    expect(maskPersonalData('服务密码是什么')).toBe('服务密码是什么');
  });

  it('leaves look-alikes alone: prices, dates, service codes, amounts, order numbers, data sizes', () => {
    for (const text of [
      '价格¥138.00',
      '月租 199 元',
      '2025-03-03',
      '20250303',
      '2025年3月3日 21:30',
      '发送 CXLL 到 10010',
      '拨打 10193 开通国际长途',
      '10086 / 10000 / 400-800-1234',
      '订单金额 13800138000.50 元',
      '余额 1.3800138000',
      '订单号 202503031234567890',
      '流量 100GB，58元',
      'v1.2.3 build 12345',
    ]) {
      expect(maskPersonalData(text), text).toBe(text);
    }
  });
});
