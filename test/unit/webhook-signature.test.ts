// Our signer against the Standard Webhooks reference library: the same signature for the same
// secret, id, time and body, both directions, and two signatures during a rotation.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WEBHOOK_TOLERANCE_SEC } from '../../src/webhooks/signature.js';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ type: 'kyc.session.completed', deliveryId: 'd-1', status: 'COMPLETED' });

describe('Standard Webhooks signatures', () => {
  it('signs exactly as the reference library does', () => {
    const s = secret();
    const at = new Date('2026-12-03T10:00:00Z');
    const ours = signWebhook([s], 'msg_1', at.getTime() / 1000, body);
    expect(ours['webhook-signature']).toBe(new Webhook(s).sign('msg_1', at, body));
  });

  it('is verified by the reference library, and verifies what it signs', () => {
    const s = secret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook([s], 'msg_2', now, body);
    expect(new Webhook(s).verify(body, { ...headers })).toMatchObject({ deliveryId: 'd-1' });
    const theirs = { 'webhook-id': 'msg_3', 'webhook-timestamp': String(now), 'webhook-signature': new Webhook(s).sign('msg_3', new Date(now * 1000), body) };
    expect(verifyWebhook(s, theirs, body, now)).toBe(true);
  });

  it('refuses another secret, another body, another id, and a timestamp outside the window', () => {
    const s = secret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook([s], 'msg_4', now, body);
    expect(verifyWebhook(secret(), headers, body, now)).toBe(false);
    expect(verifyWebhook(s, headers, body.replace('COMPLETED', 'REJECTED'), now)).toBe(false);
    expect(verifyWebhook(s, { ...headers, 'webhook-id': 'msg_5' }, body, now)).toBe(false);
    expect(verifyWebhook(s, headers, body, now + WEBHOOK_TOLERANCE_SEC + 1)).toBe(false);
    expect(verifyWebhook(s, headers, body, now + WEBHOOK_TOLERANCE_SEC)).toBe(true);
  });

  it('during a rotation carries one signature per secret, each verifiable on its own', () => {
    const [current, previous] = [secret(), secret()];
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook([current, previous], 'msg_6', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const s of [current, previous]) {
      expect(verifyWebhook(s, headers, body, now)).toBe(true);
      expect(() => new Webhook(s).verify(body, { ...headers })).not.toThrow();
    }
    expect(() => signWebhook([], 'msg_7', now, body)).toThrow();
  });
});
