import type { Logger } from 'pino';
import type { VerdictVerifier } from '../crypto/verdict-signature.js';
import { verdictFieldsOf } from '../db/comparison-rows.js';
import type { ComparisonStore } from '../db/comparison-store.js';
import type { FaceComparison } from '../generated/prisma/client.js';

/**
 * Comparisons as evidence: a row counts only if it is about the session and carries a GPU
 * worker's signature over its decision (crypto/verdict-signature.ts). The GPU worker signs only
 * after checking that both files are the session's own uploads and hash to their recorded digests,
 * so a valid signature vouches for the files too. Everyone who shows or acts on a decision (the
 * recorder, the webhook, the API) reads it through here.
 */
export class Decisions {
  constructor(
    private readonly comparisons: Pick<ComparisonStore, 'find' | 'decidingFor'>,
    private readonly verifier: VerdictVerifier,
    private readonly logger: Logger,
  ) {}

  /** Whether `row` is a signed decision about `sessionId`; a forged or tampered one is logged as SECURITY. */
  genuine(row: FaceComparison, sessionId: string): boolean {
    const fields = verdictFieldsOf(row);
    const ok = fields !== null && row.sessionId === sessionId && this.verifier.verify(fields, row.signature);
    if (!ok && fields !== null) this.logger.error({ sessionId, comparisonKey: row.comparisonKey }, 'SECURITY: a comparison row without a valid signature was refused as evidence');
    return ok;
  }

  /** The signed comparison a claim names, if it is one of this session's. */
  async named(comparisonKey: string, sessionId: string): Promise<FaceComparison | null> {
    const row = comparisonKey ? await this.comparisons.find(comparisonKey) : null;
    return row && this.genuine(row, sessionId) ? row : null;
  }

  /** The signed comparison that decided the session (its recorded result, or the rejection's). */
  async deciding(session: { id: string; resultKey: string | null; status: string }): Promise<FaceComparison | null> {
    const row = await this.comparisons.decidingFor(session);
    return row && this.genuine(row, session.id) ? row : null;
  }
}
