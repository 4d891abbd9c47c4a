import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is a
 * space-separated list of `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, one per
 * secret in force, so a receiver holding either secret verifies during a rotation. The key is the
 * base64 part of a `whsec_…` secret, decoded, as every Standard Webhooks library derives it.
 */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** How far a receiver should let `webhook-timestamp` be from its clock (the documented replay window). */
export const WEBHOOK_TOLERANCE_SEC = 300;

const PREFIX = 'whsec_';

function keyOf(secret: string): Buffer {
  // Base64 decoding in Node also takes the url-safe alphabet of secrets issued before Standard Webhooks.
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

function mac(secret: string, id: string, timestampSec: number, body: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSec}.${body}`).digest();
}

export function signWebhook(secrets: readonly string[], id: string, timestampSec: number, body: string): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new Error('no webhook secret to sign with');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': secrets.map((secret) => `v1,${mac(secret, id, timestampSec, body).toString('base64')}`).join(' '),
  };
}

/** A receiver's check: one of the signatures is by `secret`, over this body, within the replay window. */
export function verifyWebhook(secret: string, headers: WebhookSignatureHeaders, body: string, nowSec: number, toleranceSec = WEBHOOK_TOLERANCE_SEC): boolean {
  const timestamp = Number(headers['webhook-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(nowSec - timestamp) > toleranceSec) return false;
  const expected = mac(secret, headers['webhook-id'], timestamp, body);
  return headers['webhook-signature'].split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
