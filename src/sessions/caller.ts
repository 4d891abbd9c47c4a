import { Problem } from './problems.js';

/**
 * Who is calling: a tenant's backend with its API key, or an app (the end user) with one
 * session's token. `keyId` names the credential: an API key's id, or `session:<id>`.
 */
export interface Caller {
  tenantId: string;
  tenantName: string;
  keyId: string;
  /** Set for a session token: the one session it may touch. */
  sessionScope?: string;
  /** An API key's role; absent for a session token. */
  role?: 'INTEGRATION' | 'REVIEWER';
}

/** Only a tenant's integration API key may do this (a session token is for one session's uploads and reads). */
export function requireApiKey(caller: Caller): Caller {
  if (caller.sessionScope) throw new Problem('insufficient-scope', 'a session token can only upload to and read its own session; use an API key');
  if (caller.role === 'REVIEWER') throw new Problem('insufficient-scope', 'a reviewer key can only read and review sessions; use an integration key');
  return caller;
}

/** Only a tenant's reviewer API key may decide a review (an integration key cannot approve its own sessions). */
export function requireReviewer(caller: Caller): Caller {
  if (caller.sessionScope || caller.role !== 'REVIEWER') throw new Problem('insufficient-scope', 'only a reviewer key can list and decide reviews (npm run keys -- create-key <tenant> --role reviewer)');
  return caller;
}

/** Uploads come from the app (its session token) or the tenant's backend, never a reviewer. */
export function mayUpload(caller: Caller): boolean {
  return caller.role !== 'REVIEWER';
}

/** Whether the caller may see session `id`: any of its tenant's with an API key, one with a token. */
export function mayAccessSession(caller: Caller, id: string): boolean {
  return caller.sessionScope === undefined || caller.sessionScope === id;
}

/** The end user (a session token) sees a status and a retake hint; the tenant sees everything. */
export function audienceOf(caller: Caller): 'tenant' | 'end-user' {
  return caller.sessionScope ? 'end-user' : 'tenant';
}
