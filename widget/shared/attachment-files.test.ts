// What the paperclip lets through before sending, and sizes as a person reads them.
import { describe, expect, it } from 'vitest';
import { fileRefusal, formatBytes } from './attachment-files.ts';

describe('fileRefusal', () => {
  it('takes the five types, judges an untyped file by its extension, and refuses what is too large', () => {
    expect(fileRefusal({ name: 'a.png', type: 'image/png', size: 10 }, 100)).toBeUndefined();
    expect(fileRefusal({ name: 'scan', type: 'application/pdf', size: 10 }, 100)).toBeUndefined();
    expect(fileRefusal({ name: 'photo.JPG', type: '', size: 10 }, 100)).toBeUndefined();
    expect(fileRefusal({ name: 'page.html', type: 'text/html', size: 10 }, 100)).toBe('unsupported');
    expect(fileRefusal({ name: 'x.svg', type: 'image/svg+xml', size: 10 }, 100)).toBe('unsupported');
    expect(fileRefusal({ name: 'noext', type: '', size: 10 }, 100)).toBe('unsupported');
    expect(fileRefusal({ name: 'big.png', type: 'image/png', size: 101 }, 100)).toBe('tooLarge');
  });
});

describe('formatBytes', () => {
  it('one decimal under 10, none above', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(340 * 1024)).toBe('340 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB');
  });
});
