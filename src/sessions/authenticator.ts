import { apiKeyPrefix } from '../auth/api-key.js';
import { isSessionToken, type SessionTokens } from '../auth/session-token.js';
import type { SessionStatus } from '../contract/face-similarity.js';
import type { Caller } from './caller.js';
import { WindowCounter } from './window-counter.js';

export interface AuthenticatorDeps {
  tokens: SessionTokens;
  /** The tenant of a live API key (null: unknown, wrong or revoked); one indexed lookup. */
  apiKey: (key: string) => Promise<{ tenantId: string; tenantName: string; keyId: string } | null>;
  /** Prefixes of every live key. */
  livePrefixes: () => Promise<string[]>;
  /** A session token's session: its tenant and where it is in its life. */
  tokenSubject: (sessionId: string) => Promise<{ tenantId: string; tenantName: string; status: SessionStatus; completedAt: Date | null } | null>;
  /** How long after its session ended a token still reads the outcome. */
  finalGraceMs: number;
  now?: () => number;
}

export type Authentication = { ok: true; caller: Caller } | { ok: false; reason: 'missing' | 'invalid' | 'token-ended' };

/**
 * Turns a bearer credential into a caller, so that failing costs the database little: a session
 * token's MAC is checked before its session is read; an API key whose prefix is not in the set
 * of live prefixes held in memory (refreshed every minute) is looked up only within a budget of
 * UNKNOWN_PREFIX_LOOKUPS a second for the whole process, so a key made a moment ago works at once
 * while a flood of made-up keys costs at most that many indexed lookups. A known prefix is always
 * checked against the database (one indexed read), so a revoked key stops at once. Nothing here
 * depends on the client's address or on what others sent: a flood from behind a shared proxy, or
 * guesses at a key's secret, cannot lock out a good credential.
 */
export class Authenticator {
  private static readonly UNKNOWN_PREFIX_LOOKUPS = 20;
  private prefixes = new Set<string>();
  private refreshed = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  private readonly unknownLookups: WindowCounter;
  private readonly now: () => number;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.now = deps.now ?? Date.now;
    this.unknownLookups = new WindowCounter(1000, this.now);
  }

  async authenticate(credential: string | undefined): Promise<Authentication> {
    if (!credential) return { ok: false, reason: 'missing' };
    return isSessionToken(credential) ? this.token(credential) : this.apiKey(credential);
  }

  private async token(credential: string): Promise<Authentication> {
    const claims = this.deps.tokens.verify(credential);
    if (!claims) return { ok: false, reason: 'invalid' };
    const subject = await this.deps.tokenSubject(claims.sessionId);
    if (!subject) return { ok: false, reason: 'invalid' };
    // A token dies with its session: erased, expired, or ended longer ago than the grace period.
    const ended = subject.status === 'DELETED' || subject.status === 'EXPIRED' || (subject.completedAt !== null && this.now() - subject.completedAt.getTime() > this.deps.finalGraceMs);
    if (ended) return { ok: false, reason: 'token-ended' };
    return { ok: true, caller: { tenantId: subject.tenantId, tenantName: subject.tenantName, keyId: `session:${claims.sessionId}`, sessionScope: claims.sessionId } };
  }

  private async apiKey(credential: string): Promise<Authentication> {
    const prefix = apiKeyPrefix(credential);
    if (!prefix) return { ok: false, reason: 'invalid' };
    if (!(await this.isLivePrefix(prefix)) && this.unknownLookups.add('lookups') > Authenticator.UNKNOWN_PREFIX_LOOKUPS) return { ok: false, reason: 'invalid' };
    const caller = await this.deps.apiKey(credential);
    if (!caller) return { ok: false, reason: 'invalid' };
    this.prefixes.add(prefix);
    return { ok: true, caller };
  }

  private async isLivePrefix(prefix: string): Promise<boolean> {
    if (this.now() - this.refreshed >= 60_000) {
      this.refreshing ??= this.deps
        .livePrefixes()
        .then((prefixes) => {
          this.prefixes = new Set(prefixes);
          this.refreshed = this.now();
        })
        .finally(() => (this.refreshing = undefined));
    }
    await this.refreshing;
    return this.prefixes.has(prefix);
  }
}
