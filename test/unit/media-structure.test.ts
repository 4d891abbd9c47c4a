import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStructure } from '../../src/media/structure.js';
import { fixture } from '../../dev/paths.js';

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

  it('refuses a file of countless tiny boxes without walking them all', async () => {
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isom')]);
    const tiny = Buffer.alloc(8 * 200_000);
    for (let i = 0; i < 200_000; i++) {
      tiny.writeUInt32BE(8, i * 8);
      tiny.write('free', i * 8 + 4, 'latin1');
    }
    const moov = Buffer.from([0, 0, 0, 8, ...Buffer.from('moov')]);
    const file = path.join(dir, 'boxes.mp4');
    await writeFile(file, Buffer.concat([ftyp, tiny, moov]));
    // The walk stops at the bound: the reason says so, rather than a verdict after 200 000 reads.
    expect(await checkStructure(file, 'video/mp4')).toEqual({ ok: false, reason: 'more than 4096 top-level boxes' });
  });
});
