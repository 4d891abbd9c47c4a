import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The fields of a settled comparison that decide a session, as stored in its row. Their
 * signature by a GPU worker is what makes a verdict evidence: whoever can reach the Temporal
 * frontend can answer `compareFaces` or edit a history, but cannot sign.
 */
export interface VerdictFields {
  comparisonKey: string;
  sessionId: string;
  idImageSha256: string;
  selfieVideoSha256: string;
  pipelineVersion: string;
  status: 'COMPLETED' | 'REJECTED';
  similarity: number | null;
  match: boolean | null;
  threshold: number | null;
  rejectionReason: string | null;
}

/** One fixed layout, so the signer and every verifier sign and check the same bytes. */
function canonical(v: VerdictFields): Buffer {
  return Buffer.from(
    JSON.stringify(['kyc-verdict-v1', v.comparisonKey, v.sessionId, v.idImageSha256, v.selfieVideoSha256, v.pipelineVersion, v.status, v.similarity, v.match, v.threshold, v.rejectionReason]),
  );
}

// DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS#8) and public key (SPKI).
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function keyEntry(entry: string, what: string): { id: string; raw: Buffer } {
  const [id, material] = entry.trim().split(':');
  const raw = Buffer.from(material ?? '', 'base64');
  if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || raw.length !== 32) throw new Error(`"${entry.trim().slice(0, 40)}": expected ${what} as <id>:<base64 of 32 bytes>`);
  return { id, raw };
}

export class VerdictSigner {
  private constructor(
    private readonly keyId: string,
    private readonly key: KeyObject,
  ) {}

  /** VERDICT_SIGNING_KEY: `<id>:<base64 of the 32-byte Ed25519 seed>`. */
  static parse(text: string): VerdictSigner {
    const { id, raw } = keyEntry(text, 'an Ed25519 signing key');
    return new VerdictSigner(id, createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, raw]), format: 'der', type: 'pkcs8' }));
  }

  sign(fields: VerdictFields): string {
    return `${this.keyId}:${sign(null, canonical(fields), this.key).toString('base64')}`;
  }
}

export class VerdictVerifier {
  private constructor(private readonly keys: ReadonlyMap<string, KeyObject>) {}

  /** VERDICT_PUBLIC_KEYS: `<id>:<base64 of the 32-byte public key>,…` (several while a key rotates). */
  static parse(text: string): VerdictVerifier {
    const entries = text.split(',').filter((e) => e.trim()).map((e) => keyEntry(e, 'an Ed25519 public key'));
    return new VerdictVerifier(new Map(entries.map(({ id, raw }) => [id, createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' })])));
  }

  get enabled(): boolean {
    return this.keys.size > 0;
  }

  /** Whether `signature` is a configured key's signature over exactly these fields. */
  verify(fields: VerdictFields, signature: string | null | undefined): boolean {
    if (!signature) return false;
    const at = signature.indexOf(':');
    const key = this.keys.get(signature.slice(0, at));
    if (at < 0 || !key) return false;
    return verify(null, canonical(fields), key, Buffer.from(signature.slice(at + 1), 'base64'));
  }
}

/** A new key pair in the configuration forms (`npm run keys -- verdict-keys`, `npm run dev`). */
export function generateVerdictKeys(id: string): { signingKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519.length);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length);
  return { signingKey: `${id}:${seed.toString('base64')}`, publicKey: `${id}:${pub.toString('base64')}` };
}
