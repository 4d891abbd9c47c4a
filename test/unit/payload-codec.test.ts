import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const plain = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"sessionId":"s-1"}') };

describe('AesGcmPayloadCodec', () => {
  it('seals the whole payload under the first key and opens it with any configured key', async () => {
    const [k1, k2] = [key('k1'), key('k2')];
    const [sealed] = await new AesGcmPayloadCodec([k1]).encode([plain]);
    expect(new TextDecoder().decode(sealed!.metadata!['encryption-key-id'])).toBe('k1');
    expect(Buffer.from(sealed!.data!).includes(Buffer.from('s-1'))).toBe(false);
    const [opened] = await new AesGcmPayloadCodec([k2, k1]).decode([sealed!]);
    expect(new TextDecoder().decode(opened!.data)).toBe('{"sessionId":"s-1"}');
    expect(new TextDecoder().decode(opened!.metadata!.encoding)).toBe('json/plain');
  });

  it('passes payloads from before encryption through, and refuses tampering or an unknown key', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    expect(await codec.decode([plain])).toEqual([plain]);
    const [sealed] = await codec.encode([plain]);
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    await expect(new AesGcmPayloadCodec([key('other')]).decode([sealed!])).rejects.toThrow(/unknown key "k1"/);
  });
});
