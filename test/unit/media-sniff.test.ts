import { describe, expect, it } from 'vitest';
import { sniffMediaType } from '../../src/media/sniff.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffMediaType', () => {
  it.each([
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')],
    ['image/png', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])],
    ['image/webp', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')],
    ['image/heic', bytes([0, 0, 0, 24], 'ftypheic')],
    ['video/mp4', bytes([0, 0, 0, 32], 'ftypisom')],
    ['video/quicktime', bytes([0, 0, 0, 20], 'ftypqt  ')],
    ['video/webm', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f])],
  ])('recognises %s', (type, head) => expect(sniffMediaType(head)).toBe(type));

  it('recognises nothing in text or a renamed file', () => {
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('hello, world'))).toBeUndefined();
    expect(sniffMediaType(Buffer.alloc(0))).toBeUndefined();
  });
});
