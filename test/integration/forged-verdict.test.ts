// The review's attack, replayed: someone with access to the Temporal frontend (and, at worst,
// the payload keys) runs a worker of their own on the GPU task queue, signals a session files
// it never uploaded, and answers compareFaces with a match. Nothing of it may be believed: the
// session is recorded FAILED (VERDICT_UNVERIFIED), the refusal is audited, the webhook and the
// API say so, and no match appears anywhere. A genuine row of another session is no better.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUploadedSignal, workflowIdFor, type FaceMatchVerdict, type FileRef } from '../../src/contract/face-similarity.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { composeGpu, payloadKeyring } from '../../src/runtime/compose.js';
import { createGpuWorker } from '../../src/runtime/workers.js';
import { dataConverterFor } from '../../src/temporal/payload-codec.js';
import { connectWorker } from '../../src/temporal/connection.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let receiver: Server;
const deliveries: { status: string; result?: { match?: boolean }; reason?: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      deliveries.push(JSON.parse(body) as (typeof deliveries)[number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  // No GPU worker of the stack's own: the only one polling its GPU queue is the attacker's.
  stack = await startTestStack({
    gpuWorker: false,
    uploadTimeoutMs: 60_000,
    webhookUrl: `http://127.0.0.1:${port}/kyc`,
    env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
});
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

/** The attacker's worker on the GPU task queue, with the payload keys (the worst case), answering as told. */
async function rogueWorker(answer: (sessionId: string) => FaceMatchVerdict) {
  const connection = await connectWorker({ address: stack.workflows.connection.options.address, tls: { enabled: false } });
  const worker = await Worker.create({
    connection,
    taskQueue: stack.queues.gpu,
    dataConverter: dataConverterFor(payloadKeyring(testConfig())),
    activities: { compareFaces: async (input: { sessionId: string }) => answer(input.sessionId) },
  });
  return { worker, connection };
}

const forgedRef = (sessionId: string, kind: FileRef['kind'], n: number): FileRef => ({
  fileId: `00000000-0000-4000-8000-00000000000${n}`,
  kind,
  storageKey: `sessions/${sessionId}/${kind}/${String(n).repeat(64)}`,
  sha256: String(n).repeat(64),
  bytes: 1000,
  mediaType: kind === 'ID_IMAGE' ? 'image/jpeg' : 'video/mp4',
});

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('a verdict no one with Temporal access can write', () => {
  it('refuses a match answered by a rogue GPU worker for a session that has no files', async () => {
    const session = await createSession(stack);
    const { worker, connection } = await rogueWorker(() => ({ comparisonKey: 'fc_forged', similarity: 0.99, match: true, threshold: 0.4, livenessVerdict: 'PASS' }));
    try {
      const outcome = await worker.runUntil(async () => {
        const handle = stack.workflows.client.workflow.getHandle(workflowIdFor(session.id));
        await handle.signal(fileUploadedSignal, forgedRef(session.id, 'ID_IMAGE', 1));
        await handle.signal(fileUploadedSignal, forgedRef(session.id, 'SELFIE_VIDEO', 2));
        return stack.outcome(session.id);
      });
      expect(outcome).toMatchObject({ status: 'FAILED', reason: 'VERDICT_UNVERIFIED' });
    } finally {
      await connection.close();
    }
    const recorded = await stack.db.kycSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(recorded).toMatchObject({ status: 'FAILED', rejectionReason: 'VERDICT_UNVERIFIED', resultKey: null });
    const read = await getSession(stack, session.id);
    expect(read.body).toMatchObject({ status: 'FAILED', result: null });
    const audit = await stack.db.auditEvent.findMany({ where: { sessionId: session.id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toContain('VERDICT_REFUSED');
    await until(() => deliveries.some((d) => d.status === 'FAILED'), 20_000);
    expect(deliveries.at(-1)).toMatchObject({ status: 'FAILED', reason: 'VERDICT_UNVERIFIED' });
    expect(deliveries.some((d) => d.result?.match === true)).toBe(false);
  });

  it("refuses a genuine, signed comparison of another session named as this one's", async () => {
    // A real comparison of one session, by the real GPU activity, signed and stored.
    const genuine = await createSession(stack);
    await upload(stack, genuine.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    await upload(stack, genuine.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    const config = testConfig();
    const connection = await connectWorker({ address: stack.workflows.connection.options.address, tls: { enabled: false } });
    const honest = await createGpuWorker(
      { connection, namespace: 'default', payloadKeys: payloadKeyring(config) },
      { taskQueue: stack.queues.gpu, concurrency: 1, activities: composeGpu({ config, db: stack.db, blobs: stack.blobs, logger: quietLogger(), metrics: createMetrics(), pipeline: await sharedPipeline() }) },
    );
    const real = await honest.runUntil(stack.outcome(genuine.id));
    await connection.close();
    expect(real).toMatchObject({ status: 'COMPLETED', result: { match: true } });
    const signedKey = real.status === 'COMPLETED' ? real.result.comparisonKey : '';

    // The attacker answers another session with that row's key and figures.
    const victim = await createSession(stack);
    const rogue = await rogueWorker(() => ({ comparisonKey: signedKey, similarity: 0.9, match: true, threshold: 0.4 }));
    try {
      const outcome = await rogue.worker.runUntil(async () => {
        const handle = stack.workflows.client.workflow.getHandle(workflowIdFor(victim.id));
        await handle.signal(fileUploadedSignal, forgedRef(victim.id, 'ID_IMAGE', 3));
        await handle.signal(fileUploadedSignal, forgedRef(victim.id, 'SELFIE_VIDEO', 4));
        return stack.outcome(victim.id);
      });
      expect(outcome).toMatchObject({ status: 'FAILED', reason: 'VERDICT_UNVERIFIED' });
    } finally {
      await rogue.connection.close();
    }
    expect((await getSession(stack, victim.id)).body).toMatchObject({ status: 'FAILED', result: null });
  });

  it('shows no result for a completed session whose row was altered in the database after signing', async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    const config = testConfig();
    const connection = await connectWorker({ address: stack.workflows.connection.options.address, tls: { enabled: false } });
    const honest = await createGpuWorker(
      { connection, namespace: 'default', payloadKeys: payloadKeyring(config) },
      { taskQueue: stack.queues.gpu, concurrency: 1, activities: composeGpu({ config, db: stack.db, blobs: stack.blobs, logger: quietLogger(), metrics: createMetrics(), pipeline: await sharedPipeline() }) },
    );
    const outcome = await honest.runUntil(stack.outcome(session.id));
    await connection.close();
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: false } });
    expect((await getSession(stack, session.id)).body).toMatchObject({ result: { match: false } });
    // Someone with write access to the table turns the no-match into a match: the signature no longer fits.
    await stack.db.faceComparison.updateMany({ where: { sessionId: session.id }, data: { match: true, similarity: 0.95 } });
    expect((await getSession(stack, session.id)).body).toMatchObject({ status: 'COMPLETED', result: null, liveness: null });
  });
});
