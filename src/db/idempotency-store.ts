import type { DbClient } from './prisma.js';
import { Prisma } from '../generated/prisma/client.js';

export type IdempotencyClaim =
  | { state: 'claimed'; claimedAt: Date }
  | { state: 'in-progress' }
  | { state: 'completed'; requestHash: string; statusCode: number; body: unknown };

export interface IdempotencyTimes {
  /** How long a stored response is replayed; after that the key is free for a new request. */
  keyTtlMs: number;
  /** How long a claim lives without being extended: after that a retry may take the key over (its server died). */
  claimTimeoutMs: number;
}

/** Whose key it is: the tenant, and the credential within it (an API key id, `session:<id>`). */
export interface KeyOwner {
  tenantId: string;
  scope: string;
}

/**
 * Idempotency-Key records, one per (tenant, credential, key): a stored response is never handed
 to another credential than the one that made it. A request claims its key first (an insert that
 * a concurrent twin cannot also win), then stores its response; a retry gets that response back.
 * Every record expires, so a server that crashed mid-request leaves no key blocked for good and
 * the table does not grow without bound.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: DbClient,
    private readonly times: IdempotencyTimes,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim({ tenantId, scope }: KeyOwner, key: string): Promise<IdempotencyClaim> {
    const claimedAt = this.now();
    const expiresAt = new Date(claimedAt.getTime() + this.times.claimTimeoutMs);
    const inserted = await this.db.idempotencyRecord.createMany({ data: [{ tenantId, scope, key, createdAt: claimedAt, expiresAt }], skipDuplicates: true });
    if (inserted.count === 1) return { state: 'claimed', claimedAt };
    // One UPDATE, so of two retries that both find the record expired only one takes it over.
    const takenOver = await this.db.idempotencyRecord.updateMany({
      where: { tenantId, scope, key, expiresAt: { lte: claimedAt } },
      data: { createdAt: claimedAt, expiresAt, requestHash: null, statusCode: null, responseBody: Prisma.DbNull, completedAt: null, sessionId: null },
    });
    if (takenOver.count === 1) return { state: 'claimed', claimedAt };
    const row = await this.db.idempotencyRecord.findUnique({ where: { tenantId_scope_key: { tenantId, scope, key } } });
    if (!row || row.statusCode === null || row.requestHash === null) return { state: 'in-progress' };
    return { state: 'completed', requestHash: row.requestHash, statusCode: row.statusCode, body: row.responseBody };
  }

  /**
   * Stores the response of the request that made `claim`; a no-op if the claim was taken over
   * meanwhile. `sessionId`: the session the response is about, so its erasure takes it along.
   */
  async complete(
    { tenantId, scope }: KeyOwner,
    key: string,
    claim: { claimedAt: Date },
    response: { requestHash: string; statusCode: number; body: unknown; sessionId?: string },
  ): Promise<void> {
    const completedAt = this.now();
    const { requestHash, statusCode, body } = response;
    await this.db.idempotencyRecord.updateMany({
      where: { tenantId, scope, key, createdAt: claim.claimedAt, statusCode: null },
      data: {
        sessionId: response.sessionId ?? null,
        requestHash,
        statusCode,
        responseBody: body ?? Prisma.JsonNull,
        completedAt,
        expiresAt: new Date(completedAt.getTime() + this.times.keyTtlMs),
      },
    });
  }

  /**
   * Pushes the claim's expiry out while its request still runs: the claim timeout can then be
   * short (a dead server's key frees in seconds) without a long upload losing its key. False
   * when the claim is no longer this request's.
   */
  async extend({ tenantId, scope }: KeyOwner, key: string, claim: { claimedAt: Date }): Promise<boolean> {
    const { count } = await this.db.idempotencyRecord.updateMany({
      where: { tenantId, scope, key, createdAt: claim.claimedAt, statusCode: null },
      data: { expiresAt: new Date(this.now().getTime() + this.times.claimTimeoutMs) },
    });
    return count === 1;
  }

  /** Frees a claim whose request failed on our side, so the client's retry runs afresh. */
  async release({ tenantId, scope }: KeyOwner, key: string, claim: { claimedAt: Date }): Promise<void> {
    await this.db.idempotencyRecord.deleteMany({ where: { tenantId, scope, key, createdAt: claim.claimedAt, statusCode: null } });
  }

  /** Deletes every expired record; returns how many. */
  async deleteExpired(): Promise<number> {
    const { count } = await this.db.idempotencyRecord.deleteMany({ where: { expiresAt: { lte: this.now() } } });
    return count;
  }
}

/** Deletes the stored responses about a session (they may hold its token): erasure takes them along. */
export async function deleteStoredResponsesFor(db: DbClient, sessionId: string): Promise<number> {
  return (await db.idempotencyRecord.deleteMany({ where: { sessionId } })).count;
}
