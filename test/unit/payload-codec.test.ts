import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec.js';

const keyring = (...ids: string[]) => new Keyring(ids.map((id) => ({ id, key: randomBytes(32) })));
const plain = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"sessionId":"s-1"}') };

describe('AesGcmPayloadCodec', () => {
  it('seals the whole payload under the first key and opens it with any configured key', async () => {
    const k1 = keyring('k1');
    const [sealed] = await new AesGcmPayloadCodec(k1).encode([plain]);
    expect(new TextDecoder().decode(sealed!.metadata!['encryption-key-id'])).toBe('k1');
    expect(Buffer.from(sealed!.data!).includes(Buffer.from('s-1'))).toBe(false);
    const rotated = new Keyring([keyring('k2').keys[0]!, k1.keys[0]!]);
    const [opened] = await new AesGcmPayloadCodec(rotated).decode([sealed!]);
    expect(new TextDecoder().decode(opened!.data)).toBe('{"sessionId":"s-1"}');
    expect(new TextDecoder().decode(opened!.metadata!.encoding)).toBe('json/plain');
  });

  it('refuses a payload in clear: a signal or answer forged without the keys decodes to null, and is counted', async () => {
    let refused = 0;
    const codec = new AesGcmPayloadCodec(keyring('k1'), { onRefused: () => refused++ });
    const [decoded] = await codec.decode([plain]);
    expect(new TextDecoder().decode(decoded!.metadata!.encoding)).toBe('binary/null');
    expect(decoded!.data).toHaveLength(0);
    expect(refused).toBe(1);
    // Only where asked to (old histories in the replay tests, a migration window) does clear pass.
    expect(await new AesGcmPayloadCodec(keyring('k1'), { acceptPlaintext: true }).decode([plain])).toEqual([plain]);
  });

  it('refuses tampering or an unknown key', async () => {
    const codec = new AesGcmPayloadCodec(keyring('k1'));
    const [sealed] = await codec.encode([plain]);
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    await expect(new AesGcmPayloadCodec(keyring('other')).decode([sealed!])).rejects.toThrow(/unknown key "k1"/);
  });
});
