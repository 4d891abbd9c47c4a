import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Session-scoped client tokens, for the mobile app: `kst_<session id>_<expiry, unix s>_<mac>`,
 * mac = HMAC-SHA256(secret, "kst.<session id>.<expiry>"), base64url. The tenant's backend gets
 * one with each session it creates (with its API key, which never leaves the backend); the app
 * can only upload to and read that one session, until the token expires. Stateless: nothing to
 * store, and a leaked token is worth one session for at most its lifetime.
 */
const TOKEN = /^kst_([0-9a-f-]{36})_(\d{1,12})_([A-Za-z0-9_-]{43})$/;

export interface SessionTokenClaims {
  sessionId: string;
  expiresAt: Date;
}

export class SessionTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(sessionId: string): { token: string; expiresAt: Date } {
    const expiry = Math.floor((this.now() + this.ttlMs) / 1000);
    return { token: `kst_${sessionId}_${expiry}_${this.mac(sessionId, expiry)}`, expiresAt: new Date(expiry * 1000) };
  }

  /** The claims of a genuine, unexpired token; null for anything else. */
  verify(token: string): SessionTokenClaims | null {
    const match = TOKEN.exec(token);
    if (!match) return null;
    const [, sessionId, expiryText, mac] = match as unknown as [string, string, string, string];
    const expiry = Number(expiryText);
    const expected = Buffer.from(this.mac(sessionId, expiry));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    if (expiry * 1000 <= this.now()) return null;
    return { sessionId, expiresAt: new Date(expiry * 1000) };
  }

  private mac(sessionId: string, expiry: number): string {
    return createHmac('sha256', this.secret).update(`kst.${sessionId}.${expiry}`).digest('base64url');
  }
}

export function isSessionToken(credential: string): boolean {
  return credential.startsWith('kst_');
}
