import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { SessionTokens } from '../auth/session-token.js';
import { workflowIdFor, type LivenessPolicy } from '../contract/face-similarity.js';
import { AuditLog } from '../db/audit-log.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { ReviewStore, type ReviewRow } from '../db/review-store.js';
import { SessionStore, type SessionListQuery } from '../db/session-store.js';
import type { TenantStore } from '../db/tenant-store.js';
import type { FaceComparison } from '../generated/prisma/client.js';
import type { BlobStore } from '../storage/blob-store.js';
import { audienceOf, mayAccessSession, requireApiKey, type Caller } from './caller.js';
import type { Decisions } from './decisions.js';
import { eraseSession, type ErasureReceipt } from './erasure.js';
import { effectiveLivenessPolicy, newChallenge } from './liveness-policy.js';
import type { SessionWorkflowsPort } from './ports.js';
import { Problem, problems } from './problems.js';
import type { ReplayCheck, Response } from './replay.js';
import { sessionIdFor } from './session-id.js';
import { upload, type UploadDeps, type UploadedFile, type UploadRequest } from './upload.js';

export interface SessionsDeps extends Omit<UploadDeps, 'db'> {
  db: Db;
  workflows: SessionWorkflowsPort;
  blobs: BlobStore;
  tenants: TenantStore;
  tokens: SessionTokens;
  decisions: Decisions;
  /** Service-wide liveness modes; each tenant's own modes override them. */
  livenessDefaults: LivenessPolicy;
  /** A create resumes the session of its Idempotency-Key only within the key's lifetime. */
  idempotencyKeyTtlMs: number;
  logger: Logger;
}

export type SessionRecord = NonNullable<Awaited<ReturnType<SessionStore['find']>>>;

/** A session as read: the record, the signed comparison that decided it, and who is looking. */
export interface SessionRead {
  session: SessionRecord;
  decision: FaceComparison | null;
  /** Set when the tenant's review policy sent the decision to a person. */
  review: ReviewRow | null;
  audience: 'tenant' | 'end-user';
}

export interface CreatedSession {
  session: SessionRecord;
  clientToken: string;
  clientTokenExpiresAt: Date;
}

/**
 * The sessions use cases: create, upload, read, erase and the audit trail. Status rules, quotas,
 * who may see what, audit lines (in the transaction of the change they record) and metrics live
 * here; the routes only translate HTTP, and the activities only translate Temporal.
 */
export class SessionsService {
  private readonly store: SessionStore;
  private readonly reviews: ReviewStore;

  constructor(private readonly deps: SessionsDeps) {
    this.store = new SessionStore(deps.db);
    this.reviews = new ReviewStore(deps.db);
  }

  async create(caller: Caller, request: { reference?: string; idempotencyKey?: string; requestId: string; replay: ReplayCheck }): Promise<Response<CreatedSession>> {
    requireApiKey(caller);
    // The same key with another reference is another request (422), not a replay of the first.
    const requestHash = sha256Hex(request.reference === undefined ? 'POST /v1/sessions' : `POST /v1/sessions\n${request.reference}`);
    if (request.replay.hasStoredResponse) return request.replay.answer(requestHash);
    // Under an Idempotency-Key the id comes from the key and the credential: a retry after this
    // server died mid-request (its claim lapsed) finds the session it made, not a second one.
    const keyed = request.idempotencyKey ? sessionIdFor(caller, request.idempotencyKey) : undefined;
    const existing = keyed ? await this.store.find(keyed, caller.tenantId) : null;
    // Past its TTL the key is free for a new request, and an erased session stays erased.
    const resumes = existing !== null && existing.status !== 'DELETED' && Date.now() - existing.createdAt.getTime() < this.deps.idempotencyKeyTtlMs;
    const id = keyed && (resumes || !existing) ? keyed : randomUUID();
    const policy = effectiveLivenessPolicy(this.deps.livenessDefaults, await this.deps.tenants.livenessModes(caller.tenantId));
    // Fixed at creation like the liveness policy: a tenant changing its threshold does not move a session under way.
    const matchThreshold = await this.deps.tenants.matchThreshold(caller.tenantId);
    // The row, its lock, the workflow's start and the audit line in one transaction: a failed
    // start leaves no row, and an erasure of a resumed session waits for the start to finish.
    await inTransaction(this.deps.db, async (tx) => {
      const sessions = new SessionStore(tx);
      const created = !resumes && (await sessions.createIfAbsent(id, caller.tenantId, workflowIdFor(id), { policy, challenge: policy.challenge === 'off' ? null : newChallenge() }, matchThreshold, request.reference ?? null));
      if ((await sessions.lockShared(id)) === 'DELETED') throw problems.sessionClosed('DELETED');
      await this.deps.workflows.start(id, { tenantId: caller.tenantId, requestId: request.requestId }).catch((err: unknown) => {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return;
        this.deps.logger.error({ err, sessionId: id }, 'workflow start failed');
        throw problems.unavailable('the workflow service');
      });
      if (created) await new AuditLog(tx).record({ tenantId: caller.tenantId, sessionId: id, action: 'SESSION_CREATED', actor: caller.keyId, requestId: request.requestId });
    });
    const session = (await this.store.find(id))!;
    const { token, expiresAt } = this.deps.tokens.issue(id);
    return { kind: 'fresh', requestHash, status: 201, body: { session, clientToken: token, clientTokenExpiresAt: expiresAt }, sessionId: id };
  }

  /** A page of the tenant's sessions, newest first; any of its API keys (a session token sees only its own). */
  async list(caller: Caller, query: SessionListRequest): Promise<SessionPage> {
    if (caller.sessionScope) throw new Problem('insufficient-scope', 'a session token can only read its own session; list with an API key');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // One row more than asked tells whether another page follows without a count.
    const rows = await this.store.list(caller.tenantId, { ...query, after: query.cursor ? decodeCursor(query.cursor) : undefined, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  upload(caller: Caller, sessionId: string, request: UploadRequest): Promise<Response<UploadedFile>> {
    return upload(this.deps, caller, sessionId, request);
  }

  async read(caller: Caller, id: string, requestId: string): Promise<SessionRead> {
    const session = mayAccessSession(caller, id) ? await this.store.find(id, caller.tenantId) : null;
    if (!session) throw problems.sessionNotFound(id);
    const decision = await this.deps.decisions.deciding(session);
    if (decision) {
      await new AuditLog(this.deps.db).record({ tenantId: caller.tenantId, sessionId: id, action: 'RESULT_READ', actor: caller.keyId, requestId });
    }
    const review = session.status === 'NEEDS_REVIEW' || session.status === 'COMPLETED' || session.status === 'DELETED' ? await this.reviews.find(id) : null;
    return { session, decision, review, audience: audienceOf(caller) };
  }

  erase(caller: Caller, id: string, requestId: string): Promise<ErasureReceipt> {
    return eraseSession(this.deps, caller, id, requestId);
  }

  async auditTrail(caller: Caller, id: string) {
    requireApiKey(caller);
    const session = await this.store.find(id, caller.tenantId);
    if (!session) throw problems.sessionNotFound(id);
    return { sessionId: session.id, events: await new AuditLog(this.deps.db).forSession(session.id) };
  }
}

export interface SessionListRequest extends Omit<SessionListQuery, 'after' | 'limit'> {
  cursor?: string;
  limit?: number;
}

export interface SessionPage {
  items: Awaited<ReturnType<SessionStore['list']>>;
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

const DEFAULT_PAGE_SIZE = 50;

/** The cursor names the last row of a page; opaque to clients (base64url JSON) so that its form may change. */
function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const at = new Date(String(createdAt));
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(at.getTime())) return { createdAt: at, id };
  } catch {
    // Falls through to the problem below: a cursor is only ever one this API returned.
  }
  throw problems.validation('cursor: not a cursor this API returned (pass `nextCursor` unchanged)');
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
