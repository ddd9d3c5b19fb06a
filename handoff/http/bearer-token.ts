// Reads the visitor's conversation token from `Authorization: Bearer <token>`.
import { UnauthorizedError } from '../platform/errors.ts';

/**
 * No header, or not a Bearer one: 401. Any token string is returned as is, even a malformed one:
 * it then fails the comparison like any wrong token (404), so both cases look the same to a prober.
 */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!match) {
    throw new UnauthorizedError('this conversation needs its token in the Authorization header (Bearer <token>)');
  }
  return match[1]!;
}
