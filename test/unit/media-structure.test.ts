import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImageStructure } from '../../src/media/structure.js';
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

describe('checkImageStructure', () => {
  it.each([
    ['obama.jpg', 'image/jpeg'],
    ['lin-manuel-miranda.png', 'image/png'],
  ])('accepts the complete %s and refuses it cut short', async (name, type) => {
    expect(await checkImageStructure(fixture(name), type)).toEqual({ ok: true });
    expect((await checkImageStructure(await cut(name, (n) => n - 100), type)).ok).toBe(false);
  });

  it('reads no type it does not know', async () => {
    expect((await checkImageStructure(fixture('obama.jpg'), 'image/heic')).ok).toBe(false);
  });
});
