import type { Keyring } from './keyring.js';

const PREFIX = 'enc:v1:';

/**
 * Short secrets at rest (webhook signing secrets), sealed by the keyring as
 * `enc:v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url). Rotation: put the new key first, run
 * `npm run keys -- webhook-secrets reseal`, then drop the old key. A value without the prefix
 * was stored before encryption existed and is read as it is; the keyring refuses to be empty
 * outside development (config), so nothing new is stored that way in production.
 */
export class SecretBox {
  constructor(private readonly keyring: Keyring) {}

  get enabled(): boolean {
    return this.keyring.enabled;
  }

  seal(secret: string): string {
    if (!this.keyring.enabled) return secret;
    const { keyId, iv, ciphertext, tag } = this.keyring.seal(Buffer.from(secret, 'utf8'));
    return `${PREFIX}${keyId}:${[iv, ciphertext, tag].map((b) => b.toString('base64url')).join(':')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [keyId = '', iv, ciphertext, tag] = stored.slice(PREFIX.length).split(':');
    if (!iv || !ciphertext || !tag) throw new Error('malformed sealed secret');
    const decode = (part: string) => Buffer.from(part, 'base64url');
    return this.keyring.open({ keyId, iv: decode(iv), ciphertext: decode(ciphertext), tag: decode(tag) }).toString('utf8');
  }

  /** Whether `stored` is sealed with the current key (rotation re-seals the others). */
  isCurrent(stored: string): boolean {
    return this.keyring.currentKeyId !== undefined && stored.startsWith(`${PREFIX}${this.keyring.currentKeyId}:`);
  }
}
