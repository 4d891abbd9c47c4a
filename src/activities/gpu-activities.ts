import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { TENANT_GPU_BUSY, verdictOf, type CompareFacesInput, type FaceMatchVerdict, type FileRef, type LivenessChallenge, type LivenessPolicy } from '../contract/face-similarity.js';
import { checkMatchThreshold } from '../contract/match-threshold.js';
import type { VerdictFields, VerdictSigner } from '../crypto/verdict-signature.js';
import type { ComparisonStore } from '../db/comparison-store.js';
import type { SessionStore } from '../db/session-store.js';
import { MediaRejectedError } from '../media/errors.js';
import type { FaceComparer, StageTimings } from '../face/pipeline.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { BlobStore } from '../storage/blob-store.js';
import { sha256OfFile } from '../storage/file-digest.js';
import { retryThroughOutage } from '../db/outage.js';
import { comparisonKey } from './comparison-key.js';

/** host:pid of this worker process, the start of every lease owner it writes. */
const WORKER_PROCESS = `${hostname()}:${process.pid}`;

export interface GpuActivityDeps {
  comparisons: ComparisonStore;
  sessions: Pick<SessionStore, 'findForComparison'>;
  blobs: BlobStore;
  pipeline: FaceComparer;
  /** Claim lease; renewed at a third of it while inference runs. */
  leaseMs: number;
  /** Comparisons one tenant may run at once across all GPU workers; the rest wait their turn. */
  tenantConcurrency: number;
  /** Signs each settled comparison: what makes its decision evidence (crypto/verdict-signature.ts). */
  signer: VerdictSigner;
  metrics: Pick<ServiceMetrics, 'claims' | 'leaseTakeovers' | 'scheduleToStart' | 'inferences' | 'comparisonDuration'>;
  logger: Logger;
}

/** Activities of the GPU task queue: only the face comparison, which owns the models. */
export function createGpuActivities(deps: GpuActivityDeps) {
  const { metrics } = deps;
  return {
    /** Returns the verdict only: the full result stays in Postgres, the history keeps a reference. */
    async compareFaces(input: CompareFacesInput): Promise<FaceMatchVerdict> {
      const ctx = Context.current();
      // A history can be signalled or edited by anyone with Temporal access: the files it names
      // must be this session's own uploads, of the kind they claim, before anything is decided.
      const session = await deps.sessions.findForComparison(input.sessionId);
      // An erased session's files are gone; a late run of its workflow must not claim a new row.
      if (session?.status === 'DELETED') throw ApplicationFailure.create({ message: `session ${input.sessionId} was erased`, type: 'FILE_NOT_IN_SESSION', nonRetryable: true });
      for (const ref of [input.idImage, input.selfieVideo]) {
        const owned = session?.files.some((f) => f.kind === ref.kind && f.storageKey === ref.storageKey && f.sha256 === ref.sha256);
        if (!owned || (ref === input.idImage ? ref.kind !== 'ID_IMAGE' : ref.kind !== 'SELFIE_VIDEO')) {
          deps.logger.error({ sessionId: input.sessionId, kind: ref.kind, storageKey: ref.storageKey }, 'SECURITY: comparison asked for a file that is not this session\'s upload; refused');
          throw ApplicationFailure.create({ message: `the ${ref.kind} named for this comparison is not an upload of session ${input.sessionId}`, type: 'FILE_NOT_IN_SESSION', nonRetryable: true });
        }
      }
      const liveness = {
        // Sessions created before liveness existed have no policy of their own: the service defaults apply.
        ...(session?.livenessPolicy ? { policy: session.livenessPolicy as unknown as LivenessPolicy } : {}),
        challenge: (session?.livenessChallenge as LivenessChallenge | null) ?? null,
      };
      // Bounded when a tenant sets it; a row changed behind the API's back gets the service's threshold, never a laxer one.
      const matchThreshold = session?.matchThreshold != null && checkMatchThreshold(session.matchThreshold) === undefined ? session.matchThreshold : undefined;
      if (session?.matchThreshold != null && matchThreshold === undefined) {
        deps.logger.error({ sessionId: input.sessionId, matchThreshold: session.matchThreshold }, "SECURITY: the session's threshold is out of bounds; the service's threshold decides");
      }
      const key = comparisonKey({
        sessionId: input.sessionId,
        idImageSha256: input.idImage.sha256,
        selfieVideoSha256: input.selfieVideo.sha256,
        // A tenant's own threshold is part of what decides, so of the key too.
        pipeline: matchThreshold !== undefined ? `${deps.pipeline.fingerprint}/mt${matchThreshold}` : deps.pipeline.fingerprint,
      });
      // The process comes first: an operator (or the chaos run) reading a RUNNING row sees which worker holds it.
      const owner = `${WORKER_PROCESS}/${ctx.info.workflowExecution?.workflowId ?? 'standalone'}/${ctx.info.activityId}/${ctx.info.attempt}/${randomUUID()}`;
      const log = deps.logger.child({ sessionId: input.sessionId, comparisonKey: key, attempt: ctx.info.attempt });

      const signed = {
        comparisonKey: key,
        sessionId: input.sessionId,
        idImageSha256: input.idImage.sha256,
        selfieVideoSha256: input.selfieVideo.sha256,
        pipelineVersion: deps.pipeline.fingerprint,
      };
      const signature = (decision: Pick<VerdictFields, 'status' | 'similarity' | 'match' | 'threshold' | 'rejectionReason'>) => deps.signer.sign({ ...signed, ...decision });
      const claim = await deps.comparisons.claim({
        ...signed,
        owner,
        leaseMs: deps.leaseMs,
        ...(session ? { budget: { tenantId: session.tenantId, maxRunning: deps.tenantConcurrency } } : {}),
      });
      metrics.claims.inc({ outcome: claim.kind });
      if (claim.kind === 'claimed' && claim.attempt > 1) metrics.leaseTakeovers.inc();
      switch (claim.kind) {
        case 'completed':
          log.info('comparison already stored; returning it without inference');
          return verdictOf(claim.result);
        case 'rejected':
          throw ApplicationFailure.create({ message: claim.message, type: claim.reason, nonRetryable: true });
        case 'held':
          throw ApplicationFailure.create({
            message: `comparison ${key} is being computed by another attempt`,
            type: 'COMPARISON_IN_PROGRESS',
            nextRetryDelay: Math.max(1000, claim.retryAfterMs),
          });
        case 'over-budget':
          // Non-retryable on purpose: the workflow waits and asks again, so waiting for a turn
          // costs none of the attempts meant for real faults, and holds no GPU worker slot.
          throw ApplicationFailure.create({
            message: `the tenant already runs ${claim.running} comparisons (its budget is ${deps.tenantConcurrency})`,
            type: TENANT_GPU_BUSY,
            nonRetryable: true,
          });
        case 'claimed':
          break;
      }

      const started = Date.now();
      metrics.scheduleToStart.observe(Math.max(0, started - ctx.info.currentAttemptScheduledTimestampMs) / 1000);
      const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0, liveness: 0 };
      let lost = false;
      const keepAlive = setInterval(() => {
        ctx.heartbeat();
        deps.comparisons.renewLease(key, owner, deps.leaseMs).then(
          (held) => {
            lost ||= !held;
          },
          (err: unknown) => log.warn({ err }, 'lease renewal failed'),
        );
      }, Math.max(1000, Math.floor(deps.leaseMs / 3)));
      const opened: { release: () => Promise<void> }[] = [];
      try {
        const idImage = await deps.blobs.open(input.idImage.storageKey);
        opened.push(idImage);
        const video = await deps.blobs.open(input.selfieVideo.storageKey);
        opened.push(video);
        await verifyDigest(input.idImage, idImage.path);
        await verifyDigest(input.selfieVideo, video.path);
        const report = await deps.pipeline.compare(idImage.path, video.path, {
          signal: ctx.cancellationSignal,
          timings,
          onProgress: (done) => ctx.heartbeat({ framesProcessed: done }),
          ...(matchThreshold !== undefined ? { matchThreshold } : {}),
          ...(liveness.policy ? { liveness: { policy: liveness.policy, challenge: liveness.challenge } } : {}),
        });
        if (lost) log.warn('lease was lost during inference; storing only if still ours');
        // complete() is safe to repeat (a second call finds its own stored row and returns it).
        const sealed = signature({ status: 'COMPLETED', similarity: report.similarity, match: report.match, threshold: report.threshold, rejectionReason: null });
        const result = await retryThroughOutage(() => deps.comparisons.complete({ comparisonKey: key, ...report }, owner, sealed), {
          budgetMs: deps.leaseMs,
          onRetry: (err) => log.warn({ err }, 'database out while storing the comparison; retrying'),
        });
        metrics.inferences.inc({ result: 'completed' });
        for (const [stage, ms] of Object.entries(timings)) metrics.comparisonDuration.observe({ stage }, ms / 1000);
        metrics.comparisonDuration.observe({ stage: 'total' }, (Date.now() - started) / 1000);
        log.info(
          { ms: Date.now() - started, similarity: result.similarity, match: result.match, frames: result.framesExamined },
          'comparison stored',
        );
        return verdictOf(result);
      } catch (err) {
        metrics.inferences.inc({ result: err instanceof MediaRejectedError ? 'rejected' : 'failed' });
        if (err instanceof MediaRejectedError) {
          const sealed = signature({ status: 'REJECTED', similarity: null, match: null, threshold: null, rejectionReason: err.reason });
          const rejection = { reason: err.reason, message: err.message, ...(err.liveness ? { liveness: err.liveness } : {}) };
          await retryThroughOutage(() => deps.comparisons.reject(key, owner, rejection, sealed), { budgetMs: deps.leaseMs });
          if (err.reason === 'FILE_DIGEST_MISMATCH') log.error({ reason: err.reason }, `SECURITY: ${err.message}`);
          else log.info({ reason: err.reason, liveness: err.liveness?.failedCheck, diagnostic: err.diagnostic }, 'media rejected');
          throw ApplicationFailure.create({ message: err.message, type: err.reason, nonRetryable: true });
        }
        await deps.comparisons.release(key, owner).catch(() => undefined);
        // The history (and a FAILED session's message) gets our words; the details go to our log.
        log.warn({ err }, 'comparison attempt failed; left to the retry policy');
        if (err instanceof ApplicationFailure || ctx.cancellationSignal.aborted) throw err;
        throw new Error(publicMessage(err));
      } finally {
        clearInterval(keepAlive);
        await Promise.all(opened.map((file) => file.release()));
      }
    },
  };
}

export type GpuActivities = ReturnType<typeof createGpuActivities>;

/** An infrastructure error as the history may show it: no server paths, no addresses. */
export function publicMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/(?:[A-Za-z]:)?(?:\/[\w.@%+=:,~-]+){2,}\/?/g, '<path>').replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<address>').slice(0, 300);
}

/** The stored bytes must be the ones the API hashed at upload; anything else was swapped or corrupted. */
async function verifyDigest(ref: FileRef, path: string): Promise<void> {
  const actual = await sha256OfFile(path);
  if (actual !== ref.sha256) {
    throw new MediaRejectedError('FILE_DIGEST_MISMATCH', `the stored ${ref.kind} does not hash to the digest recorded at upload`);
  }
}
