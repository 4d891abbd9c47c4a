import type { components } from './schema.js';

export type SessionCompletedEvent = components['schemas']['SessionCompletedEvent'];

/** The delivery is not from the service, was altered, or is outside the replay window. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface WebhookVerifyOptions {
  /** How far `webhook-timestamp` may be from now; the service documents 5 minutes. */
  toleranceSec?: number;
  now?: Date;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  if (typeof value !== 'string' || value === '') throw new WebhookVerificationError(`missing ${name} header`);
  return value;
}

function bytesOfBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function base64Of(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/**
 * Verifies a `kyc.session.completed` delivery (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature`) over the raw body and returns the parsed event.
 * `secrets`: your `whsec_…` secret, or both during a rotation. Runs in Node 20+, browsers,
 * Deno and workers (WebCrypto). Deduplicate by the returned `deliveryId`.
 */
export async function verifyWebhook(secrets: string | readonly string[], headers: HeaderSource, rawBody: string, options: WebhookVerifyOptions = {}): Promise<SessionCompletedEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = Number(header(headers, 'webhook-timestamp'));
  const signatures = header(headers, 'webhook-signature').split(' ');
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(nowSec - timestamp) > (options.toleranceSec ?? 300)) throw new WebhookVerificationError('webhook-timestamp outside the replay window');
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${rawBody}`);
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const key = await crypto.subtle.importKey('raw', bytesOfBase64(secret.replace(/^whsec_/, '')), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    for (const entry of signatures) {
      const [version, signature] = entry.split(',', 2);
      // subtle.verify compares in constant time.
      if (version === 'v1' && signature && (await crypto.subtle.verify('HMAC', key, bytesOfBase64(signature), signed))) {
        return JSON.parse(rawBody) as SessionCompletedEvent;
      }
    }
  }
  throw new WebhookVerificationError('no webhook-signature matches this body and secret');
}

/** For tests of your receiver: signs `rawBody` as the service does. */
export async function signWebhookForTest(secret: string, id: string, rawBody: string, at = new Date()): Promise<Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>> {
  const timestamp = Math.floor(at.getTime() / 1000);
  const key = await crypto.subtle.importKey('raw', bytesOfBase64(secret.replace(/^whsec_/, '')), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${rawBody}`));
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${base64Of(mac)}` };
}
