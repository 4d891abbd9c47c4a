import { describe, expect, it } from 'vitest';
import { publicMessage } from '../../src/activities/gpu-activities.js';

describe('publicMessage', () => {
  it('keeps what happened and drops server paths and addresses', () => {
    const raw = "ENOENT: no such file or directory, open '/var/lib/kyc/blobs/sessions/abc/SELFIE_VIDEO/0b5f'";
    expect(publicMessage(new Error(raw))).toBe("ENOENT: no such file or directory, open '<path>'");
    expect(publicMessage(new Error('connect ECONNREFUSED 10.0.3.7:5432'))).toBe('connect ECONNREFUSED <address>');
    expect(publicMessage('storage read timed out')).toBe('storage read timed out');
  });
});
