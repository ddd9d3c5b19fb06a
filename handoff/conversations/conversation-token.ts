// Visitor credentials for one conversation: a 256-bit random bearer token, stored only as its sha256.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** 32 bytes = 256 bits of entropy; base64url so it travels in a header without escaping (43 chars). */
const TOKEN_BYTES = 32;

export function newConversationId(): string {
  // 122 random bits; ids are not secrets (the token is), they only must not collide.
  return randomUUID();
}

export function newConversationToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time comparison of a presented token with a stored hash (digests are always 32 bytes). */
export function tokenMatches(token: string, storedHash: Uint8Array): boolean {
  const presented = hashToken(token);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}
