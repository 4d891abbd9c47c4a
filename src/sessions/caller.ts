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
}

/** Only a tenant's API key may do this (a session token is for one session's uploads and reads). */
export function requireApiKey(caller: Caller): Caller {
  if (caller.sessionScope) throw new Problem('insufficient-scope', 'a session token can only upload to and read its own session; use an API key');
  return caller;
}

/** Whether the caller may see session `id`: any of its tenant's with an API key, one with a token. */
export function mayAccessSession(caller: Caller, id: string): boolean {
  return caller.sessionScope === undefined || caller.sessionScope === id;
}

/** The end user (a session token) sees a status and a retake hint; the tenant sees everything. */
export function audienceOf(caller: Caller): 'tenant' | 'end-user' {
  return caller.sessionScope ? 'end-user' : 'tenant';
}
