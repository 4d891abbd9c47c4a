import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, parseSecretKeys } from '../../src/webhooks/secret-box.js';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('webhook secrets at rest', () => {
  it('seals with the first key, opens with any configured one, and never stores the secret in clear', () => {
    const [k1, k2] = [key('k1'), key('k2')];
    const old = new SecretBox(parseSecretKeys(k1));
    const sealed = old.seal('whsec_abc');
    expect(sealed).toMatch(/^enc:v1:k1:/);
    expect(sealed).not.toContain('whsec_abc');
    const rotated = new SecretBox(parseSecretKeys(`${k2},${k1}`));
    expect(rotated.open(sealed)).toBe('whsec_abc');
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('whsec_abc'))).toBe(true);
  });

  it('refuses a tampered value or an unknown key, and reads secrets stored before encryption as they are', () => {
    const box = new SecretBox(parseSecretKeys(key('k1')));
    const sealed = box.seal('whsec_abc');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('whsec_xyz').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
    expect(() => new SecretBox(parseSecretKeys(key('other'))).open(sealed)).toThrow(/unknown key "k1"/);
    expect(box.open('whsec_legacy')).toBe('whsec_legacy');
  });

  it('names a malformed WEBHOOK_SECRET_KEYS entry', () => {
    expect(() => parseSecretKeys('k1:tooshort')).toThrow(/32 bytes/);
    expect(parseSecretKeys('')).toEqual([]);
  });
});
