import { describe, expect, it } from 'vitest';
import { initialsOf, toneOf } from './avatar.ts';

describe('initialsOf', () => {
  it('shows the last two Han characters of a Chinese name, whatever else it holds', () => {
    expect(initialsOf('客服小李')).toBe('小李');
    expect(initialsOf('王小明')).toBe('小明');
    expect(initialsOf('李')).toBe('李');
    expect(initialsOf('小李 Li')).toBe('小李');
  });

  it('takes the first and last words\' first letters of other names, upper-cased', () => {
    expect(initialsOf('Alice Wang')).toBe('AW');
    expect(initialsOf('mary ann lee')).toBe('ML');
    expect(initialsOf('bob')).toBe('B');
    expect(initialsOf('  (Zoë)  ')).toBe('Z');
    expect(initialsOf('Ωmega 7')).toBe('Ω7');
  });

  it('gives ? for a name with no letter or digit', () => {
    expect(initialsOf('')).toBe('?');
    expect(initialsOf(' -- ')).toBe('?');
    expect(initialsOf('😀')).toBe('?');
  });
});

describe('toneOf', () => {
  it('is stable for a key and spreads different keys over the palette', () => {
    expect(toneOf('agent-1')).toBe(toneOf('agent-1'));
    const tones = new Set(Array.from({ length: 64 }, (_, i) => toneOf(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)));
    expect(tones.size).toBeGreaterThan(4);
    for (const t of tones) expect(t >= 0 && t < 8).toBe(true);
  });
});
