import rateLimit, { type FastifyRateLimitStore, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/prisma.js';
import { RateLimitWindows } from '../../db/rate-limit-store.js';
import { Problem } from '../problem.js';

/**
 * Request budgets that hold across API replicas and behind a proxy: counted in Postgres (one
 * budget for all replicas), checked after authentication (preHandler), and keyed by the verified
 * credential (an API key's id, a session token's session) or, without one, by the client's
 * address as the trusted proxies report it (TRUST_PROXY).
 */
const budgets: FastifyPluginAsync<{ db: Db; perMinute: number }> = async (app, options) => {
  const windows = new RateLimitWindows(options.db);
  const WINDOW_MS = 60_000;
  class PostgresStore implements FastifyRateLimitStore {
    incr(key: string, callback: (err: Error | null, result?: { current: number; ttl: number }) => void): void {
      windows.hit(key, WINDOW_MS).then(({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }), (err: Error) => callback(err));
    }
    child(): FastifyRateLimitStore {
      return new PostgresStore();
    }
  }
  const sweep = setInterval(() => void windows.sweep(2 * WINDOW_MS).catch((err: unknown) => app.log.warn({ err }, 'rate-limit sweep failed')), WINDOW_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  await app.register(rateLimit, {
    hook: 'preHandler',
    max: options.perMinute,
    timeWindow: WINDOW_MS,
    store: PostgresStore as unknown as RateLimitPluginOptions['store'],
    keyGenerator: (request: FastifyRequest) => (request.caller ? `credential:${request.caller.keyId}` : `address:${request.ip}`),
    allowList: (request) => request.url === '/healthz',
    errorResponseBuilder: (_request, context) => Object.assign(new Problem('rate-limited', `limit is ${context.max} per minute; retry in ${context.after}`), { statusCode: 429 }),
  });
};

export const rateLimitPlugin = fp(budgets, { name: 'rate-limit-budgets', fastify: '5.x' });
