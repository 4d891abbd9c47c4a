import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A named AES-256 key: `<id>:<base64 of 32 bytes>` in configuration. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/** One sealed value: the key id travels with it (and is bound to it as associated data). */
export interface Sealed {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export class UnknownKeyError extends Error {
  constructor(keyId: string) {
    super(`sealed with unknown key "${keyId}"`);
    this.name = 'UnknownKeyError';
  }
}

/**
 * AES-256-GCM under a list of named keys: the first seals, every one opens, so a key rotates by
 * putting the new one first and dropping the old once nothing sealed with it is left. The one
 * implementation of it: the Temporal payload codec and the webhook secrets at rest both use it.
 */
export class Keyring {
  constructor(readonly keys: readonly SecretKey[]) {}

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get currentKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  seal(plain: Uint8Array): Sealed {
    const current = this.keys[0];
    if (!current) throw new Error('no key to seal with');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(current.id));
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { keyId: current.id, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  /** Throws UnknownKeyError for a key not configured, and GCM's own error for tampered bytes. */
  open(sealed: Sealed): Buffer {
    const key = this.keys.find((k) => k.id === sealed.keyId);
    if (!key) throw new UnknownKeyError(sealed.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.iv);
    decipher.setAAD(Buffer.from(key.id));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  }
}

/** `iv | ciphertext | tag` in one buffer, and back: the payload codec's layout. */
export function packSealed(sealed: Sealed): Buffer {
  return Buffer.concat([sealed.iv, sealed.ciphertext, sealed.tag]);
}

export function unpackSealed(keyId: string, data: Uint8Array): Sealed {
  const bytes = Buffer.from(data);
  if (bytes.length < 28) throw new Error('sealed value too short');
  return { keyId, iv: bytes.subarray(0, 12), ciphertext: bytes.subarray(12, bytes.length - 16), tag: bytes.subarray(bytes.length - 16) };
}

/** Parses `<id>:<base64 of 32 bytes>,…`; throws naming the bad entry. */
export function parseKeyList(value: string): SecretKey[] {
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

/** The configuration form of keys, for handing them to a child process. */
export function formatKeyList(keys: readonly SecretKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}
