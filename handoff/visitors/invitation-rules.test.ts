// Path globs of automatic invitation rules, and the rules body validation.
import { describe, expect, it } from 'vitest';
import { matchesUrlPattern, parseInvitationRules } from './invitation-rules.ts';

describe('matchesUrlPattern', () => {
  it('matches * within one segment, ** across segments, everything else literally', () => {
    expect(matchesUrlPattern('/broadband/*', '/broadband/fiber')).toBe(true);
    expect(matchesUrlPattern('/broadband/*', '/broadband/fiber/300m')).toBe(false);
    expect(matchesUrlPattern('/broadband/**', '/broadband/fiber/300m')).toBe(true);
    expect(matchesUrlPattern('/**', '/')).toBe(true);
    expect(matchesUrlPattern('/mall/*.html', '/mall/phone.html')).toBe(true);
    // A dot is a dot, not "any character"; case counts, as in paths.
    expect(matchesUrlPattern('/a.b', '/aXb')).toBe(false);
    expect(matchesUrlPattern('/Roaming/*', '/roaming/asia')).toBe(false);
  });

  it('answers a pattern full of globstars against a long path (a backtracking matcher would not return)', () => {
    expect(matchesUrlPattern(`/${'**/'.repeat(60)}x`, `/${'a/'.repeat(1000)}y`)).toBe(false);
  });
});

describe('parseInvitationRules', () => {
  it('names the field of a bad rule and refuses unknown keys', () => {
    expect(() => parseInvitationRules({ rules: [{ urlPattern: 'broadband', dwellSeconds: 30, text: { zh: 'a', en: 'b' }, enabled: true }] }))
      .toThrow(expect.objectContaining({ field: 'rules.0.urlPattern' }));
    expect(() => parseInvitationRules({ rules: [], extra: 1 })).toThrow(expect.objectContaining({ code: 'unknown_field', field: 'extra' }));
    expect(() => parseInvitationRules([])).toThrow(expect.objectContaining({ code: 'invalid_body' }));
  });
});
