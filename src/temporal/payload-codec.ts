import { DefaultFailureConverter, METADATA_ENCODING_KEY, type LoadedDataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import type { Keyring} from '../crypto/keyring.js';
import { packSealed, unpackSealed } from '../crypto/keyring.js';

const { temporal } = proto;
const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a refused payload decodes to: `null`, which every message's schema check then drops (contract/schemas.ts). */
const REFUSED: Payload = { metadata: { [METADATA_ENCODING_KEY]: encoder.encode('binary/null') }, data: new Uint8Array() };

/**
 * Encrypts every payload Temporal stores (workflow inputs, signals, activity inputs and results,
 * queries, failure messages) with the keyring: the whole original payload, metadata included,
 * sealed under the first key; the key id rides in the metadata, so any configured key opens what
 * it sealed and keys can rotate. A payload that is not sealed is refused: whoever can reach the
 * Temporal frontend could otherwise signal or answer in clear what the workers would believe. It
 * decodes to `null` (so a forged signal is dropped by the workflow's checks instead of wedging the
 * run) and `onRefused` counts it. `acceptPlaintext` lets histories recorded before encryption
 * replay (tests, a migration window).
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(
    private readonly keyring: Keyring,
    private readonly options: { acceptPlaintext?: boolean; onRefused?: () => void } = {},
  ) {
    if (!keyring.enabled) throw new Error('AesGcmPayloadCodec needs at least one key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const sealed = this.keyring.seal(temporal.api.common.v1.Payload.encode(payload).finish());
      return { metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCODING), [KEY_ID]: encoder.encode(sealed.keyId) }, data: packSealed(sealed) };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (decoder.decode(payload.metadata?.[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCODING) {
        if (this.options.acceptPlaintext) return payload;
        this.options.onRefused?.();
        return REFUSED;
      }
      const keyId = decoder.decode(payload.metadata?.[KEY_ID] ?? new Uint8Array());
      const plain = this.keyring.open(unpackSealed(keyId, payload.data ?? new Uint8Array()));
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * The data converter of every Temporal client and worker here: the codec when keys are
 * configured, and failure messages and stack traces encoded too (they can carry details).
 * Without keys (development only: config refuses that in production), Temporal's default.
 */
export function dataConverterFor(keyring: Keyring, options: { acceptPlaintext?: boolean; onRefused?: () => void } = {}) {
  if (!keyring.enabled) return undefined;
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyring, options)],
    failureConverter: new DefaultFailureConverter({ encodeCommonAttributes: true }),
  } satisfies Partial<Omit<LoadedDataConverter, 'payloadConverter'>>;
}
