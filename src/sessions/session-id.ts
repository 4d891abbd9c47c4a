import { createHash } from 'node:crypto';

/**
 * A UUID (version 8, RFC 9562) derived from the credential and its Idempotency-Key: a retry of a
 * create whose server died finds the session it made, and no other credential can derive it.
 */
export function sessionIdFor(owner: { tenantId: string; keyId: string }, idempotencyKey: string): string {
  const b = createHash('sha256').update(`kyc-session\0${owner.tenantId}\0${owner.keyId}\0${idempotencyKey}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
