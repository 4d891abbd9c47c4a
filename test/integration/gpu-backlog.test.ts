// The autoscaling signal on a real Temporal server: sessions queue their comparisons with no GPU
// worker running; the GPU task queue's backlog, read as KEDA's Temporal scaler reads it
// (DescribeTaskQueue with stats), counts them; the replica count KEDA would set follows from the
// documented target; GPU workers started then drain the backlog to zero, and KEDA's answer with it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { composeGpu, payloadKeyring } from '../../src/runtime/compose.js';
import { createGpuWorker } from '../../src/runtime/workers.js';
import { connectWorker } from '../../src/temporal/connection.js';
import { createSession, upload } from '../../dev/api-client.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { activityBacklog, kedaReplicas } from '../../dev/scaling/keda.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

/** The chart's GPU ScaledObject (docs/operate.md, Autoscaling): a backlog of 2 per replica, to zero when idle. */
const TRIGGER = { targetQueueSize: 2, activationTargetQueueSize: 0, minReplicaCount: 0, maxReplicaCount: 10 };
const SESSIONS = 6;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ gpuWorker: false, uploadTimeoutMs: 300_000 });
});
afterAll(async () => stack?.stop());

const backlog = () => activityBacklog(stack.workflows.client.workflowService, 'default', stack.queues.gpu);

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('counts queued comparisons as KEDA does, asks for replicas by the target, and drains to zero once workers run', async () => {
  expect(await backlog()).toEqual({ enhanced: 0, stats: 0 });
  expect(kedaReplicas(0, TRIGGER)).toBe(0);

  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    ids.push(session.id);
  }
  const queued = await until(backlog, (b) => b.enhanced === SESSIONS && b.stats === SESSIONS, 'backlog with no GPU worker');
  expect(kedaReplicas(queued.stats, TRIGGER)).toBe(3);

  // A replica comes up (one process may hold one worker per queue; KEDA's first step is often
  // smaller than its answer): it drains the whole backlog.
  const config = testConfig();
  const connection = await connectWorker({ address: stack.workflows.connection.options.address, tls: { enabled: false } });
  const activities = composeGpu({ config, db: stack.db, blobs: stack.blobs, logger: quietLogger(), metrics: createMetrics(), pipeline: await sharedPipeline() });
  const worker = await createGpuWorker({ connection, namespace: 'default', payloadKeys: payloadKeyring(config) }, { taskQueue: stack.queues.gpu, concurrency: 1, activities });
  const seen: number[] = [];
  const sampling = (async () => {
    for (let done = false; !done; ) {
      const b = await backlog();
      seen.push(b.stats);
      done = b.stats === 0 && b.enhanced === 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const outcomes = Promise.all(ids.map((id) => stack.outcome(id)));
  await worker.runUntil(outcomes);
  await sampling;
  await connection.close();

  expect((await outcomes).map((o) => o.status)).toEqual(Array(SESSIONS).fill('COMPLETED'));
  // The backlog only went down while the workers ran, and KEDA's answer went to zero with it.
  expect(seen.every((n, i) => i === 0 || n <= seen[i - 1]!)).toBe(true);
  const drained = await until(backlog, (b) => b.enhanced === 0 && b.stats === 0, 'backlog after the workers ran', 30_000);
  expect(kedaReplicas(drained.stats, TRIGGER)).toBe(0);
}, 300_000);
