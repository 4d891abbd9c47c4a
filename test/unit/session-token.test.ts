import { describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-token.js';

const session = '6f1f9a52-55d4-4a4b-9d47-2a4a1f0c2b11';

describe('session tokens', () => {
  it('verifies its own tokens until they expire', () => {
    let now = 1_800_000_000_000;
    const tokens = new SessionTokens('s'.repeat(32), 60_000, () => now);
    const { token, expiresAt } = tokens.issue(session);
    expect(tokens.verify(token)).toEqual({ sessionId: session, expiresAt });
    now += 59_000;
    expect(tokens.verify(token)).not.toBeNull();
    now += 2_000;
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses a token for another session, a later expiry, another secret or garbage', () => {
    const tokens = new SessionTokens('s'.repeat(32), 60_000);
    const { token } = tokens.issue(session);
    const [, , expiry, mac] = /^kst_([^_]+)_(\d+)_(.+)$/.exec(token) as unknown as [string, string, string, string];
    expect(tokens.verify(`kst_${session.replace('6f1f', '0000')}_${expiry}_${mac}`)).toBeNull();
    expect(tokens.verify(`kst_${session}_${Number(expiry) + 3600}_${mac}`)).toBeNull();
    expect(new SessionTokens('t'.repeat(32), 60_000).verify(token)).toBeNull();
    expect(tokens.verify('kst_nonsense')).toBeNull();
    expect(tokens.verify(`kyc_${token.slice(4)}`)).toBeNull();
  });
});
