import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedTenant, TenantStore } from '../../db/tenant-store.js';
import { Problem } from '../problem.js';
import type { AuthFailureLimiter } from './auth-failures.js';

declare module 'fastify' {
  interface FastifyRequest {
    tenant?: AuthenticatedTenant;
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

export const unauthorized = () => new Problem('unauthorized', 'send `Authorization: Bearer <API key>`');

/**
 * onRequest hook: every request in scope must carry a live API key; the tenant is attached to it.
 * An address that failed too often this minute is refused before its key is looked up.
 */
export function authenticate(tenants: TenantStore, failures: AuthFailureLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (failures.blocked(request.ip)) {
      reply.header('retry-after', '60');
      throw new Problem('rate-limited', 'too many requests with a missing or invalid key from this address; retry in a minute', { title: 'Too many failed authentications' });
    }
    const match = BEARER.exec(request.headers.authorization ?? '');
    const tenant = match ? await tenants.authenticate(match[1]!) : null;
    if (!tenant) {
      failures.record(request.ip);
      reply.header('www-authenticate', 'Bearer realm="kyc-face-match"');
      throw unauthorized();
    }
    request.tenant = tenant;
  };
}

export function tenantOf(request: FastifyRequest): AuthenticatedTenant {
  if (!request.tenant) throw unauthorized();
  return request.tenant;
}

/** The rate-limit bucket of a request: its key's prefix (no database round trip), else its address. */
export function rateLimitKey(request: FastifyRequest): string {
  const match = BEARER.exec(request.headers.authorization ?? '');
  const prefix = match ? /^kyc_([0-9a-f]{12})_/.exec(match[1]!)?.[1] : undefined;
  return prefix ? `key:${prefix}` : `ip:${request.ip}`;
}
