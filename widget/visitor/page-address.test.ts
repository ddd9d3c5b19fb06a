import { describe, expect, it } from 'vitest';
import { pageAddress } from './page-address.ts';

describe('pageAddress', () => {
  it('keeps origin and path, drops query string and fragment', () => {
    expect(pageAddress('https://www.example.cn/reset?token=abc#access_token=x')).toBe('https://www.example.cn/reset');
    expect(pageAddress('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000/');
    expect(pageAddress('not a url')).toBe('not a url');
  });
});
