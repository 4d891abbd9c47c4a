// npm run eval:embedder -- <pairs.csv> <images dir>: how far apart the embedder puts genuine and
// impostor pairs, as it runs and with test-time augmentation (each aligned face embedded again
// mirrored, the two vectors averaged). Photos only, no video: the embedder's own separation.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { quietLogger, testConfig } from '../dev/face-pipeline.js';
import { decodeImage } from '../src/face/decode/image-decoder.js';
import { cosineSimilarity, l2Normalize } from '../src/face/decision/similarity.js';
import { FacePipeline } from '../src/face/pipeline.js';
import type { RgbImage } from '../src/face/types.js';
import { runMain } from '../src/runtime/main.js';

function mirrored(face: RgbImage): RgbImage {
  const data = new Uint8Array(face.data.length);
  for (let y = 0; y < face.height; y++) {
    for (let x = 0; x < face.width; x++) {
      const from = (y * face.width + x) * 3;
      const to = (y * face.width + (face.width - 1 - x)) * 3;
      data[to] = face.data[from]!;
      data[to + 1] = face.data[from + 1]!;
      data[to + 2] = face.data[from + 2]!;
    }
  }
  return { ...face, data };
}

function describe(name: string, genuine: number[], impostor: number[]): void {
  const g = [...genuine].sort((a, b) => a - b);
  const i = [...impostor].sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / xs.length);
  const dPrime = (mean(g) - mean(i)) / Math.sqrt((sd(g) ** 2 + sd(i) ** 2) / 2);
  console.log(`${name.padEnd(28)} genuine min ${g[0]!.toFixed(3)} median ${g[Math.floor(g.length / 2)]!.toFixed(3)} | impostor max ${i.at(-1)!.toFixed(3)} | gap ${(g[0]! - i.at(-1)!).toFixed(3)} | d' ${dPrime.toFixed(2)}`);
}

runMain('eval:embedder', async () => {
  const [csv, dir] = process.argv.slice(2);
  if (!csv || !dir) throw new Error('usage: npm run eval:embedder -- <pairs.csv> <images dir>');
  const rows = (await readFile(csv, 'utf8')).split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(','));
  const pipeline = await FacePipeline.load(testConfig().face, quietLogger());
  const plain = new Map<string, Float32Array>();
  const tta = new Map<string, Float32Array>();
  try {
    for (const name of new Set(rows.flatMap(([x, y]) => [x!, y!]))) {
      const analysis = await pipeline.analyze(await decodeImage(path.join(dir, name)));
      if (!analysis.embedding || !analysis.aligned) continue;
      const flipped = (await pipeline.analyze(mirrored(analysis.aligned), { retryPadded: true })).embedding;
      plain.set(name, analysis.embedding);
      // The mirrored aligned face is embedded as found again in it (its own landmarks, its own alignment).
      if (flipped) tta.set(name, l2Normalize(analysis.embedding.map((v, k) => v + flipped[k]!)));
    }
  } finally {
    await pipeline.close();
  }
  for (const [label, vectors] of [['as shipped', plain], ['mirrored and averaged', tta]] as const) {
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (const [x, y, decision] of rows) {
      const a = vectors.get(x!), b = vectors.get(y!);
      if (a && b) (/^yes$/i.test(decision!) ? genuine : impostor).push(cosineSimilarity(a, b));
    }
    describe(label, genuine, impostor);
  }
});
