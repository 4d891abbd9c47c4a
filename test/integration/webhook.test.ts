// A tenant with a webhook hears about every finished session, signed with its secret, and a
// receiver that fails at first still gets the delivery through Temporal's retries.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/webhooks/signature.js';
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
  stack = await startTestStack({ webhookUrl: `http://127.0.0.1:${port}/kyc`, uploadTimeoutMs: 60_000 });
});

afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('completion webhook', () => {
  it('delivers the decision, signed with the tenant secret', async () => {
    deliveries = [];
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);
    await until(() => deliveries.length > 0, 10_000);

    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    const signature = String(delivery!.headers['kyc-signature']);
    expect(verifyWebhook(stack.webhookSecret!, signature, delivery!.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhook(stack.webhookSecret!, signature, delivery!.body.replace('true', 'false'), Math.floor(Date.now() / 1000))).toBe(false);
    expect(verifyWebhook('whsec_wrong', signature, delivery!.body, Math.floor(Date.now() / 1000))).toBe(false);
    const body = JSON.parse(delivery!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'kyc.session.completed', sessionId: session.id, status: 'COMPLETED', result: { match: true } });
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
    expect(new Set(deliveries.map((d) => d.headers['kyc-delivery-id'])).size).toBe(1);
    expect(JSON.parse(deliveries[2]!.body)).toMatchObject({ sessionId: session.id, status: 'COMPLETED', result: { match: false } });
  });
});
