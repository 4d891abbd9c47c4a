// A tenant with a webhook hears about every finished session, signed with its secret, and a
// receiver that fails at first still gets the delivery through Temporal's retries. Webhooks can't
// be pointed inward or redirected, and secrets are stored sealed.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEventSchema } from '../../src/api/webhook-view.js';
import { loadConfig } from '../../src/config/config.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { webhookSecrets } from '../../src/runtime/compose.js';
import { verifyWebhook, WEBHOOK_TOLERANCE_SEC, type WebhookSignatureHeaders } from '../../src/webhooks/signature.js';
import { verifiedByStandardWebhooks } from '../../dev/chaos/webhook-receiver.js';
import { verifyWebhook as verifyWithClient, WebhookVerificationError } from '../../clients/typescript/src/index.js';
import { createSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let receiver: Server;
let deliveries: Delivery[] = [];
let failuresLeft = 0;
let stack: TestStack;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end('try later');
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  // A local receiver is plain http on loopback: allowed here on purpose, as in development.
  stack = await startTestStack({ webhookUrl: `http://127.0.0.1:${port}/kyc`, uploadTimeoutMs: 60_000, env: { ...LOCAL_WEBHOOKS, WEBHOOK_SECRET_KEYS: SECRET_KEYS } });
});

const LOCAL_WEBHOOKS = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
const SECRET_KEYS = `k1:${randomBytes(32).toString('base64')}`;

afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

function signatureHeaders(delivery: Delivery): WebhookSignatureHeaders {
  return { 'webhook-id': String(delivery.headers['webhook-id']), 'webhook-timestamp': String(delivery.headers['webhook-timestamp']), 'webhook-signature': String(delivery.headers['webhook-signature']) };
}

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('completion webhook', () => {
  it('delivers the decision, signed with the tenant secret', async () => {
    deliveries = [];
    const session = await createSession(stack, { reference: 'user-4711' });
    await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);
    await until(() => deliveries.length > 0, 10_000);

    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    const headers = signatureHeaders(delivery!);
    const now = Math.floor(Date.now() / 1000);
    // What the tenant would run: the Standard Webhooks reference library accepts it.
    expect(verifiedByStandardWebhooks(stack.webhookSecret!, delivery!.body, delivery!.headers)).toBe(true);
    expect(verifiedByStandardWebhooks(stack.webhookSecret!, delivery!.body.replace('true', 'false'), delivery!.headers)).toBe(false);
    expect(verifyWebhook(stack.webhookSecret!, headers, delivery!.body, now)).toBe(true);
    expect(verifyWebhook(`whsec_${randomBytes(32).toString('base64')}`, headers, delivery!.body, now)).toBe(false);
    // Outside the replay window a captured delivery is refused.
    expect(verifyWebhook(stack.webhookSecret!, headers, delivery!.body, now + WEBHOOK_TOLERANCE_SEC + 5)).toBe(false);
    // The typed client's verifier (the snippet in docs/integrate.md) accepts it and returns the event.
    const event = await verifyWithClient(stack.webhookSecret!, delivery!.headers, delivery!.body);
    expect(event.sessionId).toBe(session.id);
    await expect(verifyWithClient(stack.webhookSecret!, delivery!.headers, delivery!.body.replace('true', 'false'))).rejects.toThrow(WebhookVerificationError);
    await expect(verifyWithClient(stack.webhookSecret!, delivery!.headers, delivery!.body, { now: new Date(Date.now() + 10 * 60_000) })).rejects.toThrow(/replay window/);
    const body = webhookEventSchema.parse(JSON.parse(delivery!.body));
    expect(body).toMatchObject({ type: 'kyc.session.completed', sessionId: session.id, reference: 'user-4711', status: 'COMPLETED', result: { match: true } });
    // The delivery id is the signed webhook-id and inside the signed body: a receiver deduplicating by it can trust it.
    expect(body.deliveryId).toBe(headers['webhook-id']);
    expect(verifyWebhook(stack.webhookSecret!, { ...headers, 'webhook-id': 'forged/1' }, delivery!.body, now)).toBe(false);
    // Deliveries run on their own task queue, apart from the bookkeeping.
    const history = await stack.workflows.client.workflow.getHandle(`kyc-session-${session.id}`).fetchHistory();
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a?.activityType?.name === 'deliverWebhook');
    expect(scheduled.map((a) => a?.taskQueue?.name)).toEqual([expect.stringMatching(/^kyc-webhooks-/)]);
    // At rest the secret is sealed, not stored as the tenant was told it.
    const row = await stack.db.tenant.findUniqueOrThrow({ where: { id: stack.tenantId } });
    expect(row.webhookSecret).toMatch(/^enc:v1:k1:/);
    expect(row.webhookSecret).not.toContain(stack.webhookSecret!);
    expect((body.result as Record<string, unknown>).frames).toBeUndefined();
  });

  it('retries a failing receiver with backoff until it accepts', async () => {
    deliveries = [];
    failuresLeft = 2;
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);
    expect(deliveries.map((d) => d.headers['kyc-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(deliveries.map((d) => d.headers['webhook-id'])).size).toBe(1);
    // Each attempt is signed afresh (its own timestamp), so a retry hours later is still inside the window.
    for (const d of deliveries) expect(verifyWebhook(stack.webhookSecret!, signatureHeaders(d), d.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(JSON.parse(deliveries[2]!.body)).toMatchObject({ sessionId: session.id, status: 'COMPLETED', result: { match: false } });
  });
});

/** A genuine session run to its decision; its first webhook delivery. */
async function decidedSessionDelivery(): Promise<{ sessionId: string; delivery: Delivery }> {
  deliveries = [];
  const session = await createSession(stack);
  await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
  await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
  await stack.outcome(session.id);
  await until(() => deliveries.length > 0, 10_000);
  return { sessionId: session.id, delivery: deliveries[0]! };
}

describe('webhook secret rotation', () => {
  it('signs with both secrets during the overlap, then with the new one only', async () => {
    const tenants = new TenantStore(stack.db, webhookSecrets(loadConfig({ ...process.env, ...LOCAL_WEBHOOKS, WEBHOOK_SECRET_KEYS: SECRET_KEYS })));
    const old = stack.webhookSecret!;
    const { secret: rotated, previousUntil } = await tenants.rotateWebhookSecret(stack.tenantId, 3_600_000);
    expect(rotated).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(previousUntil!.getTime()).toBeGreaterThan(Date.now());

    const { sessionId: during, delivery: overlap } = await decidedSessionDelivery();
    expect(signatureHeaders(overlap)['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifiedByStandardWebhooks(old, overlap.body, overlap.headers)).toBe(true);
    expect(verifiedByStandardWebhooks(rotated, overlap.body, overlap.headers)).toBe(true);
    expect((await verifyWithClient(rotated, overlap.headers, overlap.body)).sessionId).toBe(during);

    // The overlap over (a rotation with none), the old secret no longer verifies.
    const { secret: latest } = await tenants.rotateWebhookSecret(stack.tenantId, 0);
    const { delivery: single } = await decidedSessionDelivery();
    expect(signatureHeaders(single)['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verifiedByStandardWebhooks(latest, single.body, single.headers)).toBe(true);
    expect(verifiedByStandardWebhooks(rotated, single.body, single.headers)).toBe(false);
    expect(verifiedByStandardWebhooks(old, single.body, single.headers)).toBe(false);
  });
});

describe('webhook destinations', () => {
  /** A receiver that counts what reaches it and answers `status` (with `location` for redirects). */
  async function receiverAnswering(status: number, location?: string) {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      res.writeHead(status, location ? { location } : {}).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, hits, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('refuses, without retrying or connecting, a webhook on plain http or a private address', async () => {
    const target = await receiverAnswering(204);
    const strict = await startTestStack({ webhookUrl: `${target.url}/kyc`, uploadTimeoutMs: 60_000 });
    try {
      const session = await createSession(strict);
      await upload(strict, session.id, 'ID_IMAGE', fixture('obama.jpg'));
      await upload(strict, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
      const outcome = await strict.outcome(session.id);
      expect(outcome.status).toBe('COMPLETED');
      expect(target.hits).toEqual([]);
      const history = await strict.workflows.client.workflow.getHandle(`kyc-session-${session.id}`).fetchHistory();
      const failed = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
      // One failed attempt, refused by us, and no retry.
      expect(failed.map((e) => e.activityTaskFailedEventAttributes!.failure?.applicationFailureInfo?.type)).toEqual(['WEBHOOK_DESTINATION_REFUSED']);
    } finally {
      await strict.stop();
      target.server.close();
    }
  });

  it('does not follow a redirect: one request, no retry, the target never reached', async () => {
    const inner = await receiverAnswering(204);
    const redirecting = await receiverAnswering(307, `${inner.url}/internal-admin`);
    const local = await startTestStack({ webhookUrl: `${redirecting.url}/kyc`, uploadTimeoutMs: 60_000, env: LOCAL_WEBHOOKS });
    try {
      const session = await createSession(local);
      await upload(local, session.id, 'ID_IMAGE', fixture('obama.jpg'));
      await upload(local, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
      expect((await local.outcome(session.id)).status).toBe('COMPLETED');
      expect(redirecting.hits).toEqual(['/kyc']);
      expect(inner.hits).toEqual([]);
    } finally {
      await local.stop();
      inner.server.close();
      redirecting.server.close();
    }
  });
});
