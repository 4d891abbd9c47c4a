// The GPU activity's idempotency on the real database and the real pipeline: however often and
// however concurrently Temporal runs it for the same inputs, inference runs once and one row holds the result.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createGpuActivities, type GpuActivities } from '../../src/activities/gpu-activities.js';
import { VerdictSigner } from '../../src/crypto/verdict-signature.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { TEST_VERDICT_SIGNING_KEY } from '../../dev/test-keys.js';
import { comparisonKey } from '../../src/activities/comparison-key.js';
import { LIVENESS_REPORT_ONLY, type CompareFacesInput, type FaceMatchVerdict, type FileKind, type FileRef } from '../../src/contract/face-similarity.js';
import { ComparisonStore } from '../../src/db/comparison-store.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { SessionStore } from '../../src/db/session-store.js';
import type { FaceComparer } from '../../src/face/pipeline.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { quietLogger, sharedPipeline } from '../../dev/face-pipeline.js';
import { failFirstOpen } from '../../dev/faults.js';
import { fixture } from '../../dev/paths.js';
import { newTenant } from '../../dev/tenants.js';

let db: Db;
let blobDir: string;
let blobs: LocalBlobStore;
let comparisons: ComparisonStore;
let sessions: SessionStore;
let tenantId: string;

/** The real pipeline, counting how often inference actually runs. */
class CountingPipeline implements FaceComparer {
  calls = 0;
  constructor(private readonly inner: FaceComparer) {}
  get fingerprint() {
    return this.inner.fingerprint;
  }
  compare(...args: Parameters<FaceComparer['compare']>) {
    this.calls++;
    return this.inner.compare(...args);
  }
}

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  blobDir = await mkdtemp(path.join(tmpdir(), 'kyc-blobs-'));
  blobs = new LocalBlobStore(blobDir);
  comparisons = new ComparisonStore(db);
  sessions = new SessionStore(db);
  ({ tenantId } = await newTenant(db, 'idempotency'));
});

afterAll(async () => {
  await db?.$disconnect();
  await rm(blobDir, { recursive: true, force: true });
});

/** An upload as the API records it: the blob and its file row. */
async function store(sessionId: string, kind: FileKind, file: string, mediaType: string): Promise<FileRef> {
  const blob = await blobs.write(createReadStream(file), { keyFor: (sha) => `sessions/${sessionId}/${kind}/${sha}`, maxBytes: 50e6 });
  const { ref } = await sessions.addFile({ id: randomUUID(), sessionId, kind, storageKey: blob.key, sha256: blob.sha256, sizeBytes: blob.bytes, mediaType });
  return ref;
}

async function newSessionInput(ofTenant = tenantId): Promise<CompareFacesInput> {
  const sessionId = randomUUID();
  // The Hamilton clip is a stage recording, not a selfie: liveness is reported here, not enforced.
  await sessions.createIfAbsent(sessionId, ofTenant, `kyc-session-${sessionId}`, { policy: LIVENESS_REPORT_ONLY, challenge: null });
  return {
    sessionId,
    idImage: await store(sessionId, 'ID_IMAGE', fixture('lin-manuel-miranda.png'), 'image/png'),
    selfieVideo: await store(sessionId, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'), 'video/mp4'),
  };
}

/** The database restarting just as the result is stored: the first write fails as Prisma reports it. */
class RestartingDatabaseStore extends ComparisonStore {
  failures = 0;
  override async complete(...args: Parameters<ComparisonStore['complete']>) {
    if (this.failures++ === 0) {
      throw Object.assign(new Error('Database error. Code: `57P03`. Message: `the database system is shutting down`'), {
        code: 'P2039',
        meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '57P03', kind: 'postgres' } } },
      });
    }
    return super.complete(...args);
  }
}

async function activities(options: { storage?: LocalBlobStore | ReturnType<typeof failFirstOpen>; tenantConcurrency?: number; store?: ComparisonStore } = {}) {
  const pipeline = new CountingPipeline(await sharedPipeline());
  const deps = {
    comparisons: options.store ?? comparisons,
    sessions,
    blobs: options.storage ?? blobs,
    pipeline,
    leaseMs: 30_000,
    tenantConcurrency: options.tenantConcurrency ?? 4,
    signer: VerdictSigner.parse(TEST_VERDICT_SIGNING_KEY),
    metrics: createMetrics(),
    logger: quietLogger(),
  };
  return { pipeline, compareFaces: createGpuActivities(deps).compareFaces };
}

const noop = () => undefined;
const silent = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
/** One activity attempt as Temporal would run it (attempt number, heartbeats, cancellation). */
const attempt = (n: number) => ({
  run: (compareFaces: GpuActivities['compareFaces'], input: CompareFacesInput): Promise<FaceMatchVerdict> =>
    new MockActivityEnvironment({ attempt: n }, { logger: silent }).run<[CompareFacesInput], FaceMatchVerdict, GpuActivities['compareFaces']>(
      compareFaces,
      input,
    ),
});

describe('compareFaces idempotency', () => {
  it('runs inference once when the same inputs arrive twice in a row', async () => {
    const input = await newSessionInput();
    const { pipeline, compareFaces } = await activities();
    const first = await attempt(1).run(compareFaces, input);
    const second = await attempt(2).run(compareFaces, input);

    expect(first.match).toBe(true);
    expect(second).toEqual(first);
    expect(pipeline.calls).toBe(1);
    const rows = await db.faceComparison.findMany({ where: { sessionId: input.sessionId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'COMPLETED', comparisonKey: first.comparisonKey, leaseOwner: null });
  });

  it('stores the result through a database restart instead of running inference again (found by the chaos run)', async () => {
    const input = await newSessionInput();
    const store = new RestartingDatabaseStore(db);
    const { pipeline, compareFaces } = await activities({ store });
    const verdict = await attempt(1).run(compareFaces, input);
    expect(verdict.match).toBe(true);
    expect(store.failures).toBe(2);
    expect(pipeline.calls).toBe(1);
    const row = await db.faceComparison.findUniqueOrThrow({ where: { comparisonKey: verdict.comparisonKey } });
    expect(row).toMatchObject({ status: 'COMPLETED', attempts: 1, leaseOwner: null });
  });

  it('lets only one of two concurrent attempts compute; the other retries and gets the stored result', async () => {
    const input = await newSessionInput();
    const { pipeline, compareFaces } = await activities();
    const [a, b] = await Promise.allSettled([attempt(1).run(compareFaces, input), attempt(1).run(compareFaces, input)]);

    const fulfilled = [a, b].filter((r) => r.status === 'fulfilled');
    const rejected = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const failure = rejected[0]!.reason as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('COMPARISON_IN_PROGRESS');
    expect(failure.nonRetryable).toBe(false);

    // Temporal's retry of the losing attempt:
    const retried = await attempt(2).run(compareFaces, input);
    expect(retried).toEqual((fulfilled[0] as PromiseFulfilledResult<unknown>).value);
    expect(pipeline.calls).toBe(1);
    expect(await db.faceComparison.count({ where: { sessionId: input.sessionId } })).toBe(1);
  });

  it('takes over the claim of a holder that crashed once its lease has expired', async () => {
    const input = await newSessionInput();
    const { pipeline, compareFaces } = await activities();
    const key = comparisonKey({
      sessionId: input.sessionId,
      idImageSha256: input.idImage.sha256,
      selfieVideoSha256: input.selfieVideo.sha256,
      pipeline: pipeline.fingerprint,
    });
    // A worker claimed the key and died: its 1 ms lease is never renewed.
    const crashed = await comparisons.claim({
      comparisonKey: key,
      sessionId: input.sessionId,
      idImageSha256: input.idImage.sha256,
      selfieVideoSha256: input.selfieVideo.sha256,
      pipelineVersion: pipeline.fingerprint,
      owner: 'worker-that-crashed',
      leaseMs: 1,
    });
    expect(crashed).toEqual({ kind: 'claimed', attempt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));

    const result = await attempt(2).run(compareFaces, input);
    expect(result.match).toBe(true);
    expect(pipeline.calls).toBe(1);
    const row = await db.faceComparison.findUniqueOrThrow({ where: { comparisonKey: key } });
    expect(row).toMatchObject({ status: 'COMPLETED', attempts: 2, leaseOwner: null });
  });

  it('releases its claim when storage fails, so the retry runs at once instead of waiting out the lease', async () => {
    const input = await newSessionInput();
    const { pipeline, compareFaces } = await activities({ storage: failFirstOpen(blobs) });
    await expect(attempt(1).run(compareFaces, input)).rejects.toThrow(/storage read timed out/);
    const [row] = await db.faceComparison.findMany({ where: { sessionId: input.sessionId } });
    expect(row).toMatchObject({ status: 'RUNNING', leaseOwner: null, leaseExpiresAt: null });

    const result = await attempt(2).run(compareFaces, input);
    expect(result.match).toBe(true);
    expect(pipeline.calls).toBe(1);
    expect(await db.faceComparison.findUniqueOrThrow({ where: { comparisonKey: result.comparisonKey } })).toMatchObject({
      status: 'COMPLETED',
      attempts: 2,
    });
  });

  it('stores a rejection once and repeats it without inference', async () => {
    const sessionId = randomUUID();
    await sessions.createIfAbsent(sessionId, tenantId, `kyc-session-${sessionId}`);
    const input: CompareFacesInput = {
      sessionId,
      // The video as the "ID image": not an image at all.
      idImage: await store(sessionId, 'ID_IMAGE', fixture('short_hamilton_clip.mp4'), 'image/png'),
      selfieVideo: await store(sessionId, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'), 'video/mp4'),
    };
    const { pipeline, compareFaces } = await activities();
    for (const n of [1, 2]) {
      const error = await attempt(n).run(compareFaces, input).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: 'UNREADABLE_IMAGE', nonRetryable: true });
    }
    expect(pipeline.calls).toBe(1);
  });
});

describe('compareFaces trusts nothing the history hands it', () => {
  it("refuses another session's file, even one of the same tenant, without inference", async () => {
    const victim = await newSessionInput();
    const attacker = await newSessionInput();
    const { pipeline, compareFaces } = await activities();
    // A forged signal: the attacker's session pointed at the victim's ID image.
    const forged = { ...attacker, idImage: victim.idImage };
    const error = await attempt(1).run(compareFaces, forged).catch((err: unknown) => err);
    expect(error).toMatchObject({ type: 'FILE_NOT_IN_SESSION', nonRetryable: true });
    // A ref whose kind lies (the video named as the ID image) is refused too.
    const swapped = { ...attacker, idImage: { ...attacker.selfieVideo } };
    expect(await attempt(1).run(compareFaces, swapped).catch((err: unknown) => err)).toMatchObject({ type: 'FILE_NOT_IN_SESSION' });
    expect(pipeline.calls).toBe(0);
    expect(await db.faceComparison.count({ where: { sessionId: attacker.sessionId } })).toBe(0);
  });

  it('refuses bytes that no longer hash to the digest recorded at upload', async () => {
    const input = await newSessionInput();
    // The stored ID image replaced behind the API's back by another picture.
    await writeFile(path.join(blobDir, input.idImage.storageKey), await readFile(fixture('obama.jpg')));
    const { pipeline, compareFaces } = await activities();
    const error = await attempt(1).run(compareFaces, input).catch((err: unknown) => err);
    expect(error).toMatchObject({ type: 'FILE_DIGEST_MISMATCH', nonRetryable: true });
    expect(pipeline.calls).toBe(0);
  });
});

describe('per-tenant GPU budget', () => {
  it('makes a tenant at its budget wait its turn, without inference, while other tenants go ahead', async () => {
    const { tenantId: busyTenant } = await newTenant(db, 'gpu-busy');
    const { tenantId: otherTenant } = await newTenant(db, 'gpu-other');
    const { pipeline, compareFaces } = await activities({ tenantConcurrency: 1 });
    // Another GPU worker is running a comparison of the busy tenant: its one slot is taken.
    const running = await newSessionInput(busyTenant);
    const runningKey = `fc_running_${randomUUID()}`;
    const held = await comparisons.claim({
      comparisonKey: runningKey,
      sessionId: running.sessionId,
      idImageSha256: running.idImage.sha256,
      selfieVideoSha256: running.selfieVideo.sha256,
      pipelineVersion: pipeline.fingerprint,
      owner: 'another-gpu-worker',
      leaseMs: 60_000,
    });
    expect(held.kind).toBe('claimed');

    const waiting = await newSessionInput(busyTenant);
    const refused = await attempt(1).run(compareFaces, waiting).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'TENANT_GPU_BUSY', nonRetryable: true });
    expect(pipeline.calls).toBe(0);
    expect(await db.faceComparison.count({ where: { sessionId: waiting.sessionId } })).toBe(0);

    expect((await attempt(1).run(compareFaces, await newSessionInput(otherTenant))).match).toBe(true);
    expect(pipeline.calls).toBe(1);

    // The slot frees up: the waiting session's next turn runs.
    await comparisons.release(runningKey, 'another-gpu-worker');
    expect((await attempt(1).run(compareFaces, waiting)).match).toBe(true);
    expect(pipeline.calls).toBe(2);
  });
});
