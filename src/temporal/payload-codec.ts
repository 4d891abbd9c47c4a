import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DefaultFailureConverter, METADATA_ENCODING_KEY, type LoadedDataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import type { SecretKey } from '../webhooks/secret-box.js';

const { temporal } = proto;
const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encrypts every payload Temporal stores (workflow inputs, signals, activity inputs and results,
 * queries, failure messages) with AES-256-GCM: the whole original payload, metadata included,
 * sealed under the first of `keys`; the key id rides in the metadata, so any configured key
 * opens what it sealed and keys can rotate. Payloads without the encrypted encoding (histories
 * from before encryption) pass through unchanged, so they still replay.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys[0]!;
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key.key, iv);
      cipher.setAAD(Buffer.from(key.id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCODING), [KEY_ID]: encoder.encode(key.id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (decoder.decode(payload.metadata?.[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCODING) return payload;
      const keyId = decoder.decode(payload.metadata?.[KEY_ID] ?? new Uint8Array());
      const key = this.keys.find((k) => k.id === keyId);
      if (!key) throw new Error(`payload sealed with unknown key "${keyId}"; add it to TEMPORAL_PAYLOAD_KEYS`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key.key, data.subarray(0, 12));
      decipher.setAAD(Buffer.from(key.id));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * The data converter of every Temporal client and worker here: the codec when keys are
 * configured, and failure messages and stack traces encoded too (they can carry details).
 * Without keys, Temporal's default (payloads in clear).
 */
export function dataConverterFor(keys: readonly SecretKey[]) {
  if (keys.length === 0) return undefined;
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keys)],
    failureConverter: new DefaultFailureConverter({ encodeCommonAttributes: true }),
  } satisfies Partial<Omit<LoadedDataConverter, 'payloadConverter'>>;
}
