import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSessionToken, type SessionTokens } from '../../auth/session-token.js';
import type { AuthenticatedTenant, TenantStore } from '../../db/tenant-store.js';
import { Problem } from '../problem.js';
import type { AuthFailureLimiter } from './auth-failures.js';

/** Who is calling: a tenant's backend with its API key, or an app with one session's token. */
export type Caller = AuthenticatedTenant & { sessionScope?: string };

declare module 'fastify' {
  interface FastifyRequest {
    tenant?: Caller;
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

export const unauthorized = () => new Problem('unauthorized', 'send `Authorization: Bearer <API key or session token>`');

export interface Credentials {
  tenants: TenantStore;
  tokens: SessionTokens;
  /** The tenant a session belongs to, for a session token (null: no such session). */
  sessionTenant: (sessionId: string) => Promise<{ tenantId: string; tenantName: string } | null>;
}

/**
 * onRequest hook: every request in scope must carry a live API key or an unexpired session
 * token; the caller is attached to it. An address that failed too often this minute is refused
 * before its credential is looked up.
 */
export function authenticate(credentials: Credentials, failures: AuthFailureLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (failures.blocked(request.ip)) {
      reply.header('retry-after', '60');
      throw new Problem('rate-limited', 'too many requests with a missing or invalid key from this address; retry in a minute', { title: 'Too many failed authentications' });
    }
    const credential = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const caller = credential ? await callerOf(credential, credentials) : null;
    if (!caller) {
      failures.record(request.ip);
      reply.header('www-authenticate', 'Bearer realm="kyc-face-match"');
      throw unauthorized();
    }
    request.tenant = caller;
  };
}

async function callerOf(credential: string, credentials: Credentials): Promise<Caller | null> {
  if (!isSessionToken(credential)) return credentials.tenants.authenticate(credential);
  const claims = credentials.tokens.verify(credential);
  const tenant = claims ? await credentials.sessionTenant(claims.sessionId) : null;
  return claims && tenant ? { ...tenant, keyId: `session:${claims.sessionId}`, sessionScope: claims.sessionId } : null;
}

export function tenantOf(request: FastifyRequest): Caller {
  if (!request.tenant) throw unauthorized();
  return request.tenant;
}

/** Only a tenant's API key may do this (a session token is for one session's uploads and reads). */
export function requireApiKey(request: FastifyRequest): Caller {
  const caller = tenantOf(request);
  if (caller.sessionScope) throw new Problem('insufficient-scope', 'a session token can only upload to and read its own session; use an API key');
  return caller;
}

/** Whether the caller may see session `id`: any of its tenant's with an API key, one with a token. */
export function mayAccessSession(caller: Caller, id: string): boolean {
  return caller.sessionScope === undefined || caller.sessionScope === id;
}

/**
 * The rate-limit bucket of a request, with no database round trip: a genuine session token's
 * session (each app user its own budget), an API key's prefix, else the client address.
 */
export function rateLimitKeyFor(tokens: SessionTokens) {
  return (request: FastifyRequest): string => {
    const credential = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (credential && isSessionToken(credential)) {
      const claims = tokens.verify(credential);
      return claims ? `session:${claims.sessionId}` : `ip:${request.ip}`;
    }
    const prefix = credential ? /^kyc_([0-9a-f]{12})_/.exec(credential)?.[1] : undefined;
    return prefix ? `key:${prefix}` : `ip:${request.ip}`;
  };
}
