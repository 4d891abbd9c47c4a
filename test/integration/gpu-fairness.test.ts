// One tenant with a backlog must not hold every GPU slot: the GPU task carries its tenant as the
// fairness key, and the server (fairness on, as the dev server and the README's deployment run
// it) dispatches in turn per tenant. Tenant A queues five comparisons before any GPU worker runs;
// tenant B queues one after them; B's starts while A's backlog is still queued.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { composeGpu, payloadKeyring } from '../../src/runtime/compose.js';
import { createGpuWorker } from '../../src/runtime/workers.js';
import { connectWorker } from '../../src/temporal/connection.js';
import { createSession, upload } from '../../dev/api-client.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { newTenantWithKey } from '../../dev/tenants.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ gpuWorker: false, uploadTimeoutMs: 120_000 });
});
afterAll(async () => stack?.stop());

async function queuedSession(target: { baseUrl: string; apiKey: string }): Promise<string> {
  const session = await createSession(target);
  await upload(target, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
  await upload(target, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
  return session.id;
}

async function untilProcessing(ids: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await stack.db.kycSession.count({ where: { id: { in: ids }, status: 'PROCESSING' } })) < ids.length) {
    if (Date.now() > deadline) throw new Error('sessions did not reach the GPU queue');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it("starts the second tenant's session while the first tenant's backlog is still queued", async () => {
  const a: string[] = [];
  for (let i = 0; i < 5; i++) a.push(await queuedSession(stack));
  await untilProcessing(a);
  const tenantB = { baseUrl: stack.baseUrl, apiKey: (await newTenantWithKey(stack.db, 'fairness-b')).apiKey };
  const b = await queuedSession(tenantB);
  await untilProcessing([b]);

  const config = testConfig();
  const connection = await connectWorker({ address: stack.workflows.connection.options.address, tls: { enabled: false } });
  const gpu = await createGpuWorker(
    { connection, namespace: 'default', payloadKeys: payloadKeyring(config) },
    { taskQueue: stack.queues.gpu, concurrency: 1, activities: composeGpu({ config, db: stack.db, blobs: stack.blobs, logger: quietLogger(), metrics: createMetrics(), pipeline: await sharedPipeline() }) },
  );
  await gpu.runUntil(Promise.all([...a, b].map((id) => stack.outcome(id))));
  await connection.close();

  // The order in which comparisons were claimed, one GPU slot: B's among the first two.
  const claims = await stack.db.faceComparison.findMany({ where: { sessionId: { in: [...a, b] } }, orderBy: { createdAt: 'asc' }, select: { sessionId: true } });
  expect(claims).toHaveLength(6);
  const position = claims.findIndex((c) => c.sessionId === b);
  expect(position, `B ran ${position + 1}th of 6`).toBeLessThanOrEqual(1);
});
