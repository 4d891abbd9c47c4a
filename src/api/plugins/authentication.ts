import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceMetrics } from '../../observability/metrics.js';
import type { Authenticator } from '../../sessions/authenticator.js';
import type { Caller } from '../../sessions/caller.js';
import { WindowCounter } from '../../sessions/window-counter.js';
import { Problem } from '../problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

export const unauthorized = () => new Problem('unauthorized', 'send `Authorization: Bearer <API key or session token>`');

/**
 * onRequest hook: every request in scope must carry a live API key or a live session token; the
 * caller is attached to it. Refusals cost no database round trip (sessions/authenticator.ts).
 * An address that keeps failing gets 429 instead of 401 for the rest of the minute, which slows
 * a scanner down; its good credentials still pass, so one noisy client behind a shared proxy
 * cannot lock out the tenants that share its address.
 */
export function authenticate(authenticator: Authenticator, failuresPerMinute: number, metrics: Pick<ServiceMetrics, 'authFailures'>) {
  const failures = new WindowCounter(60_000);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await authenticator.authenticate(BEARER.exec(request.headers.authorization ?? '')?.[1]);
    if (result.ok) {
      request.caller = result.caller;
      return;
    }
    metrics.authFailures.inc({ reason: result.reason });
    if (failures.add(request.ip) > failuresPerMinute) {
      reply.header('retry-after', '60');
      throw new Problem('rate-limited', 'too many requests with a missing or invalid credential; retry in a minute', { title: 'Too many failed authentications' });
    }
    reply.header('www-authenticate', 'Bearer realm="kyc-face-match"');
    if (result.reason === 'token-ended') throw new Problem('session-token-expired', 'the session this token belongs to has ended or was erased');
    throw unauthorized();
  };
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized();
  return request.caller;
}
