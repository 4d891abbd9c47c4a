import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { FileKind, ReviewSubmission } from '../contract/face-similarity.js';
import type { BlobStore } from '../storage/blob-store.js';
import { AuditLog } from '../db/audit-log.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { ReviewStore, type ReviewRow } from '../db/review-store.js';
import { SessionStore } from '../db/session-store.js';
import { requireReviewer, type Caller } from './caller.js';
import type { Decisions } from './decisions.js';
import type { SessionWorkflowsPort } from './ports.js';
import { Problem, problems } from './problems.js';
import type { SessionsService, SessionRead } from './sessions-service.js';

export interface ReviewsDeps {
  db: Db;
  blobs: Pick<BlobStore, 'open'>;
  workflows: Pick<SessionWorkflowsPort, 'submitReview'>;
  sessions: Pick<SessionsService, 'read'>;
  decisions: Pick<Decisions, 'deciding'>;
  logger: Logger;
}

export type WaitingReview = Pick<SessionRead, 'session' | 'decision'> & { review: ReviewRow };

/** An opaque cursor: the last listed review's (requestedAt, sessionId). */
function encodeCursor(row: ReviewRow): string {
  return Buffer.from(`${row.requestedAt.toISOString()}|${row.sessionId}`).toString('base64url');
}
function decodeCursor(cursor: string): { requestedAt: Date; sessionId: string } {
  const [at, sessionId] = Buffer.from(cursor, 'base64url').toString().split('|');
  const requestedAt = new Date(at ?? '');
  if (!sessionId || Number.isNaN(requestedAt.getTime())) throw problems.validation('cursor: not one this API gave out');
  return { requestedAt, sessionId };
}

/**
 * The reviewer's use cases: the queue of sessions awaiting review and the decision on one. The
 * decision is written to Postgres first (once: a second one is refused, a retry of the same
 * request recognised), audited in the same transaction, then delivered to the session's workflow
 * as an Update whose id is the request's Idempotency-Key, and answered with what it recorded.
 */
export class ReviewsService {
  private readonly reviews: ReviewStore;

  constructor(private readonly deps: ReviewsDeps) {
    this.reviews = new ReviewStore(deps.db);
  }

  async waiting(caller: Caller, page: { limit: number; cursor?: string }): Promise<{ reviews: WaitingReview[]; nextCursor: string | null }> {
    requireReviewer(caller);
    const rows = await this.reviews.waiting(caller.tenantId, page.limit + 1, page.cursor ? decodeCursor(page.cursor) : undefined);
    const shown = rows.slice(0, page.limit);
    const store = new SessionStore(this.deps.db);
    const reviews: WaitingReview[] = [];
    for (const review of shown) {
      const session = await store.find(review.sessionId, caller.tenantId);
      if (session) reviews.push({ session, decision: await this.deps.decisions.deciding(session), review });
    }
    return { reviews, nextCursor: rows.length > page.limit && shown.length > 0 ? encodeCursor(shown[shown.length - 1]!) : null };
  }

  async submit(caller: Caller, sessionId: string, submission: ReviewSubmission, request: { idempotencyKey?: string; requestId: string }): Promise<SessionRead> {
    requireReviewer(caller);
    const key = request.idempotencyKey;
    if (!key) throw new Problem('idempotency-key-required', 'send an Idempotency-Key (one per decision): a retried or double-clicked decision then applies once');
    const session = await new SessionStore(this.deps.db).find(sessionId, caller.tenantId);
    if (!session) throw problems.sessionNotFound(sessionId);
    const decided = await inTransaction(this.deps.db, async (tx) => {
      const result = session.status === 'NEEDS_REVIEW' ? await new ReviewStore(tx).decide(sessionId, caller.tenantId, submission, caller.keyId, key) : await this.sameRequest(sessionId, caller, key);
      if (result.kind === 'decided') {
        await new AuditLog(tx).record({ tenantId: caller.tenantId, sessionId, action: 'REVIEW_SUBMITTED', actor: caller.keyId, requestId: request.requestId, detail: `${submission.decision}:${submission.reasonCode}` });
      }
      return result;
    });
    if (decided.kind === 'none') throw new Problem('not-awaiting-review', `session is ${session.status}`);
    if (decided.kind === 'taken') throw new Problem('already-reviewed', `decided ${decided.row.decision} by ${decided.row.decidedBy === 'timeout-policy' ? 'the timeout policy' : 'another request'}`);
    if (session.status === 'NEEDS_REVIEW') await this.deliver(sessionId, key, submission);
    return this.deps.sessions.read(caller, sessionId, request.requestId);
  }

  /**
   * The session's latest upload of `kind`, for a reviewer's eyes: audited per read, and only while
   * retention keeps the media (a purged or erased file is a 404).
   */
  async media(caller: Caller, sessionId: string, kind: FileKind, requestId: string): Promise<{ path: string; mediaType: string; bytes: number; release: () => Promise<void> }> {
    requireReviewer(caller);
    const session = await new SessionStore(this.deps.db).find(sessionId, caller.tenantId);
    const file = session?.files.filter((f) => f.kind === kind).at(-1);
    if (!session || !file) throw new Problem('file-not-found', `no ${kind} retained for session ${sessionId}`);
    const opened = await this.deps.blobs.open(file.storageKey).catch(() => null);
    if (!opened) throw new Problem('file-not-found', `the ${kind} of session ${sessionId} is no longer stored`);
    await new AuditLog(this.deps.db).record({ tenantId: caller.tenantId, sessionId, action: 'MEDIA_READ', actor: caller.keyId, requestId, detail: kind });
    return { ...opened, mediaType: file.mediaType, bytes: file.sizeBytes };
  }

  /** A session no longer waiting: only a retry of the request that decided it gets an answer. */
  private async sameRequest(sessionId: string, caller: Caller, key: string) {
    const row = await this.reviews.find(sessionId);
    if (!row?.decision) return { kind: 'none' } as const;
    return row.idempotencyKey === key && row.decidedBy === caller.keyId ? ({ kind: 'same-request', row } as const) : ({ kind: 'taken', row } as const);
  }

  private async deliver(sessionId: string, key: string, submission: ReviewSubmission): Promise<void> {
    try {
      const outcome = await this.deps.workflows.submitReview(sessionId, key, submission);
      // The run ended meanwhile (its timeout recorded first): the recorder took the decision from
      // the row, so what `read` shows is still the truth.
      if (!outcome) this.deps.logger.warn({ sessionId }, 'review decided after its run ended');
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        this.deps.logger.warn({ sessionId, err: err.cause?.message }, 'review Update refused by the workflow');
        return;
      }
      this.deps.logger.error({ err, sessionId }, 'review Update failed');
      // Stored already: a retry with the same Idempotency-Key delivers it again.
      throw problems.unavailable('the workflow service');
    }
  }
}
