import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { IdempotencyStore, type IdempotencyTimes } from '../../db/idempotency-store.js';
import { startIdempotencySweep } from '../../db/idempotency-sweep.js';
import type { Db } from '../../db/prisma.js';
import { NO_STORED_RESPONSE, storedResponse, type ReplayCheck, type Response } from '../../sessions/replay.js';
import { Problem } from '../problem.js';
import { callerOf } from './authentication.js';

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Runs `handle` at most once per Idempotency-Key and credential: a retry of the same request
     * gets the stored response, a different request under the key a 422, a concurrent twin a
     * 409. `handle` learns through its ReplayCheck whether a response is stored, and answers
     * `{ kind: 'replay' }` or a fresh response (with its body as sent). Without the header,
     * `handle` simply runs.
     */
    idempotently(request: FastifyRequest, handle: (replay: ReplayCheck) => Promise<Response<unknown>>): Promise<FastifyReply>;
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

  app.decorateReply('idempotently', async function (this: FastifyReply, request: FastifyRequest, handle: (replay: ReplayCheck) => Promise<Response<unknown>>) {
    // A decorator function: Fastify calls it with the reply as `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const reply = this;
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') {
      const response = await handle(NO_STORED_RESPONSE);
      if (response.kind === 'replay') throw new Error('a replay without a stored response');
      return reply.code(response.status).send(response.body);
    }
    // A stored response is its credential's only: another key or token of the tenant never sees it.
    const caller = callerOf(request);
    const owner = { tenantId: caller.tenantId, scope: caller.keyId };
    const claim = await store.claim(owner, key);
    if (claim.state === 'in-progress') throw new Problem('idempotency-key-in-use', 'retry later');
    // The claim is a lease: kept alive while this request runs, it lapses within the claim
    // timeout if the server dies, so the client's retry is not locked out for long.
    const keepAlive =
      claim.state === 'claimed'
        ? setInterval(() => void store.extend(owner, key, claim).catch((err: unknown) => request.log.warn({ err }, 'could not extend an idempotency claim')), Math.max(1000, options.times.claimTimeoutMs / 3))
        : undefined;
    try {
      const response = await handle(claim.state === 'completed' ? storedResponse(claim.requestHash) : NO_STORED_RESPONSE);
      if (response.kind === 'replay') {
        if (claim.state !== 'completed') throw new Error('a replay without a stored response');
        reply.header('idempotent-replayed', 'true');
        return reply.code(claim.statusCode).send(claim.body);
      }
      if (claim.state !== 'claimed') throw new Error('a fresh response under a stored one');
      await store.complete(owner, key, claim, { requestHash: response.requestHash, statusCode: response.status, body: response.body, ...(response.sessionId ? { sessionId: response.sessionId } : {}) });
      return reply.code(response.status).send(response.body);
    } catch (err) {
      if (claim.state === 'claimed') await store.release(owner, key, claim);
      throw err;
    } finally {
      clearInterval(keepAlive);
    }
  });
};

export const idempotencyPlugin = fp(idempotency, { name: 'idempotency', fastify: '5.x' });
