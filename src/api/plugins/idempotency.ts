import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { IdempotencyStore, type IdempotencyTimes } from '../../db/idempotency-store.js';
import { startIdempotencySweep } from '../../db/idempotency-sweep.js';
import type { Db } from '../../db/prisma.js';
import { Problem } from '../problem.js';
import { tenantOf } from './authentication.js';

/**
 * What a handler learns about the request's Idempotency-Key. The request's hash may depend on
 * its body, so the handler computes it and asks, before any side effect.
 */
export interface StoredResponseCheck {
  /**
   * True when this key already answered this very request: the stored response will be sent and
   * the handler must stop. A different request under the same key is a 422.
   */
  answerIfStored: (requestHash: string) => Promise<boolean>;
  /** Whether the key holds a stored response, i.e. whether `answerIfStored` can return true. */
  hasStoredResponse: boolean;
}

export type IdempotentHandler = (check: StoredResponseCheck) => Promise<{ requestHash: string; status: number; body: unknown }>;

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Runs `handle` at most once per Idempotency-Key (per tenant): a retry of the same request
     * gets the stored response, a different request under the key a 422, a concurrent twin a 409.
     * Without the header, `handle` simply runs.
     */
    idempotently(request: FastifyRequest, handle: IdempotentHandler): Promise<FastifyReply>;
  }
}

export interface IdempotencyPluginOptions {
  db: Db;
  times: IdempotencyTimes;
  /** How often expired keys are deleted while the app runs; 0: never (tests). */
  sweepEveryMs: number;
}

/** The Idempotency-Key protocol of the API's POSTs; the plugin owns its store and its sweep. */
const idempotency: FastifyPluginAsync<IdempotencyPluginOptions> = async (app, options) => {
  const store = new IdempotencyStore(options.db, options.times);
  if (options.sweepEveryMs > 0) {
    let stop: (() => void) | undefined;
    app.addHook('onReady', async () => {
      stop = startIdempotencySweep(store, app.log, options.sweepEveryMs);
    });
    app.addHook('onClose', async () => stop?.());
  }

  app.decorateReply('idempotently', async function (this: FastifyReply, request: FastifyRequest, handle: IdempotentHandler) {
    // A decorator function: Fastify calls it with the reply as `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const reply = this;
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') {
      const { status, body } = await handle({ answerIfStored: async () => false, hasStoredResponse: false });
      return reply.code(status).send(body);
    }
    const { tenantId } = tenantOf(request);
    const claim = await store.claim(tenantId, key);
    if (claim.state === 'in-progress') {
      throw new Problem('idempotency-key-in-use', 'retry later');
    }
    const answerIfStored = async (requestHash: string) => {
      if (claim.state !== 'completed') return false;
      if (claim.requestHash !== requestHash) throw new Problem('idempotency-key-reused', 'use a new key for a new request');
      reply.header('idempotent-replayed', 'true');
      return true;
    };
    // The claim is a lease: kept alive while this request runs, it lapses within the claim
    // timeout if the server dies, so the client's retry is not locked out for long.
    const keepAlive =
      claim.state === 'claimed'
        ? setInterval(() => void store.extend(tenantId, key, claim).catch((err: unknown) => request.log.warn({ err }, 'could not extend an idempotency claim')), Math.max(1000, options.times.claimTimeoutMs / 3))
        : undefined;
    try {
      const result = await handle({ answerIfStored, hasStoredResponse: claim.state === 'completed' });
      if (claim.state === 'completed') return reply.code(claim.statusCode).send(claim.body);
      await store.complete(tenantId, key, claim, result.requestHash, result.status, result.body);
      return reply.code(result.status).send(result.body);
    } catch (err) {
      if (claim.state === 'claimed') await store.release(tenantId, key, claim);
      throw err;
    } finally {
      clearInterval(keepAlive);
    }
  });
};

export const idempotencyPlugin = fp(idempotency, { name: 'idempotency', fastify: '5.x' });
