import { describe, expect, it } from 'vitest';
import { maskSecrets } from './redact.ts';

describe('maskSecrets', () => {
  it('masks digit runs and mixed letter-digit runs, keeping the rest readable', () => {
    expect(maskSecrets('我的服务密码是123456 帮我查下余额')).toBe('我的服务密码是****** 帮我查下余额');
    expect(maskSecrets('my password is abc123x')).toBe('my password is *******');
  });

  it('leaves ordinary words and short numbers alone', () => {
    expect(maskSecrets('password is wrong, 3 tries')).toBe('password is wrong, 3 tries');
  });
});
