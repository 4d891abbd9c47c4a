import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

export type Db = PrismaClient;
/** What a store needs: the client itself or a transaction's, so several stores can write in one transaction. */
export type DbClient = Prisma.TransactionClient;

/** A Prisma client on the pg driver adapter (no engine binary); one per process, passed to whoever needs it. */
export function createDb(databaseUrl: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/**
 * Runs `work` in one transaction. Generous limits: a session's upload and erasure hold a row
 * lock across one Temporal call (sessions/), which a busy frontend can take seconds to answer.
 */
export function inTransaction<T>(db: Db, work: (tx: DbClient) => Promise<T>): Promise<T> {
  return db.$transaction(work, { maxWait: 10_000, timeout: 30_000 });
}
