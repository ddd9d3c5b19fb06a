// Password hashing (argon2id, parameters, normalization, rehash) and the new-password rules.
import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { FAST_PASSWORDS } from '../testing/agent-test-kit.ts';
import { ValidationError } from '../platform/errors.ts';
import { checkNewPassword, createPasswordHasher, defaultPasswordOptions } from './password.ts';

describe('createPasswordHasher', () => {
  it('hashes with argon2id at the default parameters (19 MiB, 2 passes, 1 lane), a fresh salt each time', async () => {
    const hasher = createPasswordHasher();
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await hasher.verify(a, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(a, 'correct horse batterY')).toBe(false);
    expect(hasher.needsRehash(a)).toBe(false);
  });

  it('treats an unreadable stored hash as a wrong password, never a throw', async () => {
    const hasher = createPasswordHasher(FAST_PASSWORDS);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
    expect(await hasher.verify('', 'x')).toBe(false);
    expect(hasher.needsRehash('not a hash')).toBe(true);
  });

  it('verifyDummy verifies against a real hash of today\'s parameters and always fails', async () => {
    const hasher = createPasswordHasher(FAST_PASSWORDS);
    expect(await hasher.verifyDummy('anything')).toBe(false);
    expect(await hasher.verifyDummy('')).toBe(false);
  });

  it('asks for a rehash when the parameters were raised since', async () => {
    const weak = createPasswordHasher({ memoryCostKiB: 1024, timeCost: 1 });
    const strong = createPasswordHasher({ memoryCostKiB: 2048, timeCost: 1 });
    const hash = await weak.hash('correct horse battery');
    expect(parseOptions(hash)).toMatchObject({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(weak.needsRehash(hash)).toBe(false);
    expect(strong.needsRehash(hash)).toBe(true);
    // Still verifies: the parameters travel in the hash.
    expect(await strong.verify(hash, 'correct horse battery')).toBe(true);
  });

  it('hashes composed and decomposed forms of the same characters alike (NFC)', async () => {
    const hasher = createPasswordHasher(FAST_PASSWORDS);
    const composed = 'caf\u00e9 au lait pass';
    const decomposed = 'cafe\u0301 au lait pass';
    expect(await hasher.verify(await hasher.hash(composed), decomposed)).toBe(true);
  });
});

describe('checkNewPassword', () => {
  const rules = { minLength: defaultPasswordOptions.minLength, maxLength: 20 };
  const codeOf = (password: string, username?: string) => {
    try {
      checkNewPassword(password, rules, { field: 'next', ...(username ? { username } : {}) });
      return 'ok';
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('next');
      expect((err as ValidationError).message).not.toContain(password);
      return (err as ValidationError).code;
    }
  };

  it('accepts 10-20 characters, counted as characters not bytes', () => {
    expect(codeOf('long enough')).toBe('ok');
    expect(codeOf('中文密码也可以用十个')).toBe('ok');
    expect(codeOf('short')).toBe('weak_password');
    expect(codeOf('nine char')).toBe('weak_password');
    expect(codeOf('中文密码太短')).toBe('weak_password');
    expect(codeOf('x'.repeat(21).replace(/^x/, 'y'))).toBe('password_too_long');
  });

  it('refuses one character repeated, only spaces, and the username', () => {
    expect(codeOf('aaaaaaaaaaaa')).toBe('weak_password');
    expect(codeOf('            ')).toBe('weak_password');
    expect(codeOf('Alice.Wang1', 'alice.wang1')).toBe('weak_password');
  });

  it('refuses common passwords, whatever their case or width, with a message that does not repeat them', () => {
    for (const common of ['password', '12345678', 'password123', 'qwertyuiop', '1234567890', 'iloveyou12', 'PassWord123', 'ｐａｓｓｗｏｒｄ１２３', ' 1qaz2wsx3edc ']) {
      expect(codeOf(common), common).toBe('weak_password');
    }
    expect(() => checkNewPassword('qwertyuiop', rules)).toThrow(/password is one of the most common passwords/);
    // Long and not on the list: fine.
    expect(codeOf('qwertyuiop lantern')).toBe('ok');
  });

  it('has OWASP-level defaults, and at least 10 characters', () => {
    expect(defaultPasswordOptions).toEqual({ memoryCostKiB: 19456, timeCost: 2, parallelism: 1, minLength: 10, maxLength: 256 });
  });
});
