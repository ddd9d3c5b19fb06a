// Agent passwords: argon2id hashes (@node-rs/argon2) and the rules a new password must meet.
import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, parseOptions, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { ValidationError } from '../platform/errors.ts';
import { isCommonPassword } from './common-passwords.ts';

export interface PasswordOptions {
  /** Memory per hash in KiB. Range 8192-262144; default 19456 (19 MiB: OWASP's argon2id baseline with 2 passes). */
  memoryCostKiB: number;
  /** Passes over that memory. Range 1-10; default 2. */
  timeCost: number;
  /** Lanes computed in parallel (changes the hash). Range 1-8; default 1. */
  parallelism: number;
  /**
   * Shortest password accepted for new passwords, in characters. Range 10-64; default 10 (above NIST SP
   * 800-63B's 8: these accounts see customers' personal data, and a sign-in is only slowed, never locked).
   */
  minLength: number;
  /** Longest accepted, in characters (bounds the work an attacker can ask for). Range 64-1024; default 256. */
  maxLength: number;
}

export const defaultPasswordOptions: PasswordOptions = {
  memoryCostKiB: 19_456,
  timeCost: 2,
  parallelism: 1,
  minLength: 10,
  maxLength: 256,
};

export interface PasswordHasher {
  /** An argon2id PHC string with a fresh random salt. */
  hash(password: string): Promise<string>;
  /** false for a wrong password and for a stored hash that cannot be read; never throws for either. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** The same work as `verify` against a real hash, for a username that does not exist: both failures take as long. */
  verifyDummy(password: string): Promise<false>;
  /** The stored hash was made with other parameters than today's: rehash it after a successful login. */
  needsRehash(storedHash: string): boolean;
  readonly options: PasswordOptions;
}

/** `Algorithm` is a const enum in the binding's types, which tsx cannot inline; 2 is its Argon2id member. */
const ARGON2ID = 2 as Algorithm;

export function createPasswordHasher(options: Partial<PasswordOptions> = {}): PasswordHasher {
  const opts = { ...defaultPasswordOptions, ...options };
  const argon2 = {
    algorithm: ARGON2ID,
    memoryCost: opts.memoryCostKiB,
    timeCost: opts.timeCost,
    parallelism: opts.parallelism,
  };
  let dummy: Promise<string> | undefined;

  const verify = async (storedHash: string, password: string): Promise<boolean> => {
    try {
      return await argon2Verify(storedHash, normalizePassword(password));
    } catch {
      // An unreadable stored hash is a failed login, not a server error (and says nothing to the client).
      return false;
    }
  };

  return {
    options: opts,
    hash: (password) => argon2Hash(normalizePassword(password), argon2),
    verify,
    async verifyDummy(password) {
      // A hash of a random secret nobody knows, made once with today's parameters.
      dummy ??= argon2Hash(randomBytes(32).toString('base64url'), argon2);
      await verify(await dummy, password);
      return false;
    },
    needsRehash(storedHash) {
      try {
        const p = parseOptions(storedHash);
        return (
          p.algorithm !== ARGON2ID ||
          p.memoryCost !== opts.memoryCostKiB ||
          p.timeCost !== opts.timeCost ||
          p.parallelism !== opts.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}

/**
 * NFC, so that the same characters typed on two systems (composed or decomposed, as some Chinese
 * and accented input methods differ) hash the same (RFC 8265 OpaqueString).
 */
function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/**
 * Refuses a password too short, too long, all one character, equal to the username, or on the list of
 * common passwords, with a ValidationError `weak_password` (`password_too_long`) naming `field`.
 * Messages never repeat the password. Every place a password is set calls this: the admin API and CLI
 * (new agent, reset), an agent's own change, and ADMIN_PASSWORD at start-up.
 */
export function checkNewPassword(
  password: string,
  { minLength, maxLength }: Pick<PasswordOptions, 'minLength' | 'maxLength'>,
  { field = 'password', username }: { field?: string; username?: string } = {},
): void {
  const chars = [...password.normalize('NFC')];
  if (chars.length < minLength) {
    throw new ValidationError('weak_password', `${field} must be at least ${minLength} characters`, field);
  }
  if (chars.length > maxLength) {
    throw new ValidationError('password_too_long', `${field} must be at most ${maxLength} characters`, field);
  }
  if (password.trim() === '' || new Set(chars).size === 1) {
    throw new ValidationError('weak_password', `${field} must not be one character repeated or only spaces`, field);
  }
  if (username !== undefined && password.normalize('NFKC').toLowerCase() === username.normalize('NFKC').toLowerCase()) {
    throw new ValidationError('weak_password', `${field} must not be the username`, field);
  }
  if (isCommonPassword(password)) {
    throw new ValidationError(
      'weak_password',
      `${field} is one of the most common passwords, the first ones an attacker tries; choose another (a few unrelated words make a good one)`,
      field,
    );
  }
}
