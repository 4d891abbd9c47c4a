import type { Db } from './prisma.js';
import { Prisma } from '../generated/prisma/client.js';

export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'in-progress' }
  | { state: 'completed'; requestHash: string; statusCode: number; body: unknown };

/**
 * Idempotency-Key records, one per (tenant, key). A request claims its key first (an insert that
 * a concurrent twin cannot also win), then stores its response; a retry gets that response back.
 */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

  async claim(tenantId: string, key: string): Promise<IdempotencyClaim> {
    const inserted = await this.db.idempotencyRecord.createMany({ data: [{ tenantId, key }], skipDuplicates: true });
    if (inserted.count === 1) return { state: 'claimed' };
    const row = await this.db.idempotencyRecord.findUnique({ where: { tenantId_key: { tenantId, key } } });
    if (!row || row.statusCode === null || row.requestHash === null) return { state: 'in-progress' };
    return { state: 'completed', requestHash: row.requestHash, statusCode: row.statusCode, body: row.responseBody };
  }

  async complete(tenantId: string, key: string, requestHash: string, statusCode: number, body: unknown): Promise<void> {
    await this.db.idempotencyRecord.update({
      where: { tenantId_key: { tenantId, key } },
      data: { requestHash, statusCode, responseBody: (body ?? Prisma.JsonNull), completedAt: new Date() },
    });
  }

  /** Frees a claim whose request failed on our side, so the client's retry runs afresh. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.db.idempotencyRecord.deleteMany({ where: { tenantId, key, statusCode: null } });
  }
}
