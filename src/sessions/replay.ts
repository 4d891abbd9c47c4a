import { Problem } from './problems.js';

/**
 * A use case's answer under the Idempotency-Key protocol: a fresh response to store (and send),
 * or the replay of the response stored for this very request.
 */
export type Response<T> = { kind: 'fresh'; requestHash: string; status: number; body: T; sessionId?: string } | { kind: 'replay' };

/** What a use case learns of its request's Idempotency-Key before it does anything. */
export interface ReplayCheck {
  /** The key already answered a request: this one is only compared with it, never executed. */
  hasStoredResponse: boolean;
  /** The replay when `requestHash` is the stored request's; a 422 problem for another request under the key. */
  answer(requestHash: string): { kind: 'replay' };
}

export const NO_STORED_RESPONSE: ReplayCheck = {
  hasStoredResponse: false,
  answer: () => {
    throw new Error('no stored response to answer with');
  },
};

/** The check for a key that stored the response to `storedRequestHash`. */
export function storedResponse(storedRequestHash: string): ReplayCheck {
  return {
    hasStoredResponse: true,
    answer: (requestHash) => {
      if (requestHash !== storedRequestHash) throw new Problem('idempotency-key-reused', 'use a new key for a new request');
      return { kind: 'replay' };
    },
  };
}
