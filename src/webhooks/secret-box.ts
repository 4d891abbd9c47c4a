import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets at rest: AES-256-GCM under a key from configuration
 * (WEBHOOK_SECRET_KEYS="<id>:<base64 32 bytes>,..."; the first encrypts, all decrypt), stored as
 * `enc:v1:<key id>:<iv>:<ciphertext>:<tag>`. Rotation: put the new key first, run
 * `npm run keys -- webhook-secrets reencrypt`, then drop the old key. A value without the prefix
 * is a secret stored before encryption (or without keys configured) and is read as it is.
 */
export interface SecretKey {
  id: string;
  key: Buffer;
}

const PREFIX = 'enc:v1:';

export class SecretBox {
  constructor(private readonly keys: readonly SecretKey[]) {}

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get currentKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  seal(secret: string): string {
    const current = this.keys[0];
    if (!current) return secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(current.id));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${current.id}:${[iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url')).join(':')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [keyId, iv, ciphertext, tag] = stored.slice(PREFIX.length).split(':');
    const key = this.keys.find((k) => k.id === keyId);
    if (!key || !iv || !ciphertext || !tag) throw new Error(`webhook secret sealed with unknown key "${keyId}"; add it to WEBHOOK_SECRET_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(key.id));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Whether `stored` is sealed with the current key (rotation re-seals the others). */
  isCurrent(stored: string): boolean {
    return this.currentKeyId !== undefined && stored.startsWith(`${PREFIX}${this.currentKeyId}:`);
  }
}

/** Parses WEBHOOK_SECRET_KEYS; throws naming the bad entry. */
export function parseSecretKeys(value: string): SecretKey[] {
  if (!value.trim()) return [];
  return value.split(',').map((entry) => {
    const [id, material] = entry.trim().split(':');
    const key = Buffer.from(material ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
      throw new Error(`"${entry.trim().slice(0, 40)}": expected <id>:<base64 of 32 bytes>`);
    }
    return { id, key };
  });
}
