import { describe, expect, it } from 'vitest';
import { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversation-token.ts';

describe('conversation tokens', () => {
  it('are 256-bit base64url strings, different every time', () => {
    const tokens = new Set(Array.from({ length: 200 }, newConversationToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
  });

  it('match only their own hash', () => {
    const token = newConversationToken();
    const hash = hashToken(token);
    expect(hash).toHaveLength(32);
    expect(tokenMatches(token, hash)).toBe(true);
    expect(tokenMatches(newConversationToken(), hash)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), hash)).toBe(false);
    expect(tokenMatches('', hash)).toBe(false);
    expect(tokenMatches(token, hash.subarray(0, 16))).toBe(false);
  });

  it('ids are UUIDs', () => {
    expect(newConversationId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
