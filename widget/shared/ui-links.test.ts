import { describe, expect, it } from 'vitest';
import { parseLinks, safeHref } from './ui-links.ts';

const join = (text: string) =>
  parseLinks(text)
    .map((p) => p.text)
    .join('');

describe('parseLinks', () => {
  it('keeps plain text as one text part', () => {
    expect(parseLinks('充值享受9.85折\n第二行')).toEqual([{ kind: 'text', text: '充值享受9.85折\n第二行' }]);
  });

  it('turns http and https URLs into links and gives the text back unchanged', () => {
    const text = '详见 https://www.10010.com/bill?a=1&b=2 或 http://example.com/x。谢谢';
    const parts = parseLinks(text);
    expect(parts.filter((p) => p.kind === 'link')).toEqual([
      { kind: 'link', text: 'https://www.10010.com/bill?a=1&b=2', href: 'https://www.10010.com/bill?a=1&b=2' },
      { kind: 'link', text: 'http://example.com/x', href: 'http://example.com/x' },
    ]);
    expect(join(text)).toBe(text);
  });

  it('leaves sentence punctuation after a URL outside the link', () => {
    // English punctuation is valid in URLs, but at the end it almost always closes the sentence.
    expect(parseLinks('See https://example.com/faq.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/faq', href: 'https://example.com/faq' },
      { kind: 'text', text: '.' },
    ]);
    expect(parseLinks('(https://example.com/a)')[1]).toMatchObject({ text: 'https://example.com/a' });
    expect(parseLinks('https://en.wikipedia.org/wiki/Foo_(bar)')[0]).toMatchObject({ text: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
  });

  it('stops at Chinese punctuation and full-width spaces', () => {
    const parts = parseLinks('网址：https://a.example.cn/p，然后');
    expect(parts[1]).toEqual({ kind: 'link', text: 'https://a.example.cn/p', href: 'https://a.example.cn/p' });
  });

  it('never links other schemes, and keeps markup as plain text', () => {
    for (const text of ['javascript:alert(1)', 'click JAVASCRIPT:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>', 'vbscript:msgbox', 'file:///etc/passwd']) {
      expect(parseLinks(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('does not link a scheme with no host', () => {
    expect(parseLinks('http:// nothing')).toEqual([{ kind: 'text', text: 'http:// nothing' }]);
  });

  it('does not let a quote or angle bracket break out of the href', () => {
    const parts = parseLinks('https://example.com/"onmouseover="alert(1)');
    expect(parts[0]).toEqual({ kind: 'link', text: 'https://example.com/', href: 'https://example.com/' });
    expect(join('a https://x.example/<b>c</b>')).toBe('a https://x.example/<b>c</b>');
  });
});

describe('safeHref', () => {
  it('accepts http(s) only', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('ftp://example.com')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
  });
});
