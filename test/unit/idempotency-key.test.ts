import { describe, expect, it } from 'vitest';
import { comparisonKey } from '../../src/activities/comparison-key.js';

const base = {
  sessionId: '0b4a8b0e-6a43-4a3c-9c64-6f1f1c8e2a10',
  idImageSha256: 'a'.repeat(64),
  selfieVideoSha256: 'b'.repeat(64),
  pipeline: 'fsp-1/yunet-2023mar/mobilefacenet-foamliu-128/t0.4',
};

describe('comparisonKey', () => {
  it('is a stable function of the business inputs', () => {
    expect(comparisonKey(base)).toBe(comparisonKey({ ...base }));
    expect(comparisonKey(base)).toMatch(/^fc_[0-9a-f]{64}$/);
  });

  it.each(Object.keys(base) as (keyof typeof base)[])('changes when %s changes', (field) => {
    expect(comparisonKey({ ...base, [field]: `${base[field]}x` })).not.toBe(comparisonKey(base));
  });

  it('cannot be forged by moving characters between fields', () => {
    expect(comparisonKey({ ...base, sessionId: 'ab', idImageSha256: 'c' })).not.toBe(
      comparisonKey({ ...base, sessionId: 'a', idImageSha256: 'bc' }),
    );
  });
});
