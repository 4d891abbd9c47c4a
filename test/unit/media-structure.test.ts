import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStructure } from '../../src/api/media-structure.js';
import { fixture } from '../helpers/paths.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-structure-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cut(name: string, keep: (size: number) => number): Promise<string> {
  const bytes = await readFile(fixture(name));
  const out = path.join(dir, `cut-${name}`);
  await writeFile(out, bytes.subarray(0, keep(bytes.length)));
  return out;
}

describe('checkStructure', () => {
  it.each([
    ['obama.jpg', 'image/jpeg'],
    ['lin-manuel-miranda.png', 'image/png'],
  ])('accepts the complete %s and refuses it cut short', async (name, type) => {
    expect(await checkStructure(fixture(name), type)).toEqual({ ok: true });
    expect((await checkStructure(await cut(name, (n) => n - 100), type)).ok).toBe(false);
  });

  it('reads the duration of a complete MP4 and refuses one cut anywhere', async () => {
    expect(await checkStructure(fixture('short_hamilton_clip.mp4'), 'video/mp4')).toEqual({ ok: true, durationMs: 10_008 });
    for (const keep of [(n: number) => n - 1, (n: number) => Math.floor(n / 2), () => 40]) {
      const verdict = await checkStructure(await cut('short_hamilton_clip.mp4', keep), 'video/mp4');
      expect(verdict.ok).toBe(false);
    }
  });
});
