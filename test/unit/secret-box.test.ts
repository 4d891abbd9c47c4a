import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, parseKeyList } from '../../src/crypto/keyring.js';
import { SecretBox } from '../../src/crypto/secret-box.js';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const box = (keys: string) => new SecretBox(new Keyring(parseKeyList(keys)));

describe('webhook secrets at rest', () => {
  it('seals with the first key, opens with any configured one, and never stores the secret in clear', () => {
    const [k1, k2] = [key('k1'), key('k2')];
    const sealed = box(k1).seal('whsec_abc');
    expect(sealed).toMatch(/^enc:v1:k1:/);
    expect(sealed).not.toContain('whsec_abc');
    const rotated = box(`${k2},${k1}`);
    expect(rotated.open(sealed)).toBe('whsec_abc');
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('whsec_abc'))).toBe(true);
  });

  it('refuses a tampered value or an unknown key, and reads secrets stored before encryption as they are', () => {
    const sealer = box(key('k1'));
    const sealed = sealer.seal('whsec_abc');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('whsec_xyz').toString('base64url');
    expect(() => sealer.open(parts.join(':'))).toThrow();
    expect(() => box(key('other')).open(sealed)).toThrow(/unknown key "k1"/);
    expect(sealer.open('whsec_legacy')).toBe('whsec_legacy');
  });

  it('names a malformed key entry', () => {
    expect(() => parseKeyList('k1:tooshort')).toThrow(/32 bytes/);
    expect(parseKeyList('')).toEqual([]);
  });
});
