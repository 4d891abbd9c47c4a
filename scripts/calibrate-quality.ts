// npm run quality:calibrate: sets the blur gate from data. Every fixture face (faces/ and the
// deepface verification images) is rendered sharp at several sizes and encodings (what genuine
// ID photos and frames look like) and blurred (defocus, motion) relative to its own size; each
// variant is measured as the gates measure it, and embedded, to see whether its blur actually
// costs similarity to the original. Prints, per variant, the sharpness spread and the similarity
// drop, then the threshold that passes every genuine variant and what it catches.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { quietLogger, testConfig } from '../dev/face-pipeline.js';
import { FIXTURES_DIR } from '../dev/paths.js';
import { decodeImage } from '../src/face/decode/image-decoder.js';
import { cosineSimilarity } from '../src/face/decision/similarity.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { runMain } from '../src/runtime/main.js';
import { streamFrames } from '../src/face/decode/video-frames.js';
import { GENUINE_VIDEOS, genuineVideo } from '../dev/liveness-cases.js';
import { TEST_DECODER } from '../dev/media.js';

interface Variant {
  name: string;
  /** sharp: should pass every gate; blurred: the blur gate's business; exposure: the brightness gates'. */
  kind: 'sharp' | 'blurred' | 'exposure';
  genuine: boolean;
  /** The photo scaled so the face's short side is this many pixels (undefined: as it is). */
  facePx?: number;
  edit?: (image: Sharp, facePx: number) => Sharp;
  /** After the edit, enlarge by this factor (a small photo printed or zoomed larger). */
  upscale?: number;
  jpegQuality?: number;
}

const odd = (n: number) => Math.max(3, 2 * Math.floor(n / 2) + 1);
/** A horizontal streak `len` pixels long (sharp wants kernels at least 3×3: the other rows are zero). */
const motion = (len: number) => {
  const w = odd(len);
  return { width: w, height: 3, kernel: [...Array<number>(w).fill(0), ...Array<number>(w).fill(1), ...Array<number>(w).fill(0)], scale: w };
};

const VARIANTS: Variant[] = [
  { name: 'as taken', kind: 'sharp', genuine: true },
  { name: 'face 160 px', kind: 'sharp', genuine: true, facePx: 160 },
  { name: 'face 96 px', kind: 'sharp', genuine: true, facePx: 96 },
  { name: 'face 64 px', kind: 'sharp', genuine: true, facePx: 64 },
  { name: 'face 64 px, enlarged 3x', kind: 'sharp', genuine: true, facePx: 64, upscale: 3 },
  { name: 'face 96 px, JPEG q35', kind: 'sharp', genuine: true, facePx: 96, jpegQuality: 35 },
  { name: 'as taken, JPEG q35', kind: 'sharp', genuine: true, jpegQuality: 35 },
  { name: 'defocus 2 % of face', kind: 'blurred', genuine: false, edit: (i, f) => i.blur(Math.max(0.3, 0.02 * f)) },
  { name: 'defocus 4 % of face', kind: 'blurred', genuine: false, edit: (i, f) => i.blur(Math.max(0.3, 0.04 * f)) },
  { name: 'defocus 6 % of face', kind: 'blurred', genuine: false, edit: (i, f) => i.blur(Math.max(0.3, 0.06 * f)) },
  { name: 'face 96 px, defocus 4 %', kind: 'blurred', genuine: false, facePx: 96, edit: (i, f) => i.blur(Math.max(0.3, 0.04 * f)) },
  { name: 'motion 8 % of face', kind: 'blurred', genuine: false, edit: (i, f) => i.convolve(motion(0.08 * f)) },
  { name: 'motion 15 % of face', kind: 'blurred', genuine: false, edit: (i, f) => i.convolve(motion(0.15 * f)) },
  { name: 'dim room (×0.45)', kind: 'exposure', genuine: true, edit: (i) => i.linear(0.45, 0) },
  { name: 'very dark (×0.2)', kind: 'exposure', genuine: false, edit: (i) => i.linear(0.2, 0) },
  { name: 'bright window (×1.5 + 40)', kind: 'exposure', genuine: true, edit: (i) => i.linear(1.5, 40) },
  { name: 'washed out (×2 + 90)', kind: 'exposure', genuine: false, edit: (i) => i.linear(2, 90) },
];

async function imagesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => /\.(jpe?g|png)$/i.test(f) && f !== 'two_people.jpg').map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

runMain('quality:calibrate', async () => {
  const pipeline = await FacePipeline.load(testConfig().face, quietLogger());
  const files = [...(await imagesIn(FIXTURES_DIR)), ...(await imagesIn(path.join(FIXTURES_DIR, '..', 'verification', 'deepface')))];
  const rows: { variant: Variant; sharpness: number; brightness: number; similarity: number; file: string }[] = [];
  // Real phone and webcam clips: each frame's face as the frame gate measures it.
  const config = testConfig().face;
  const clips: { file: string; best: number; worst: number }[] = [];
  try {
    for (const video of [...GENUINE_VIDEOS.map(genuineVideo), path.join(FIXTURES_DIR, 'short_hamilton_clip.mp4')]) {
      const values: number[] = [];
      for await (const frame of streamFrames(video, config.video, { ...TEST_DECODER, ...config.decoder })) {
        const m = (await pipeline.analyze(frame.image, { embed: false })).measures;
        if (m) values.push(m.sharpness);
      }
      if (values.length) clips.push({ file: path.basename(video), best: Math.max(...values), worst: Math.min(...values) });
    }
    for (const file of files) {
      const original = await decodeImage(file);
      const base = await pipeline.analyze(original);
      if (!base.largest || !base.embedding) continue;
      const nativeFace = Math.min(base.largest.box.width, base.largest.box.height);
      for (const variant of VARIANTS) {
        const factor = variant.facePx ? Math.min(1, variant.facePx / nativeFace) : 1;
        let img = sharp(file).rotate().resize({ width: Math.round(original.width * factor) });
        const facePx = nativeFace * factor;
        let bytes = await img.png().toBuffer();
        if (variant.edit) bytes = await variant.edit(sharp(bytes), facePx).png().toBuffer();
        if (variant.upscale) bytes = await sharp(bytes).resize({ width: Math.round(original.width * factor * variant.upscale), kernel: 'cubic' }).png().toBuffer();
        if (variant.jpegQuality) bytes = await sharp(bytes).jpeg({ quality: variant.jpegQuality }).toBuffer();
        img = sharp(bytes);
        const analysis = await pipeline.analyze(await decodeImage(await img.toBuffer()));
        if (!analysis.measures || !analysis.embedding) continue;
        rows.push({ variant, file: path.basename(file), sharpness: analysis.measures.sharpness, brightness: analysis.measures.brightness, similarity: cosineSimilarity(base.embedding, analysis.embedding) });
      }
    }
  } finally {
    await pipeline.close();
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))] ?? NaN;
  console.log(`${files.length} photos; sharpness as the gates measure it (face at its own resolution, at most 112 px)\n`);
  console.log('| variant | kind | should pass | n | sharpness min / median / max | brightness min / median / max | similarity to the original, median / min |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const v of VARIANTS) {
    const r = rows.filter((x) => x.variant === v);
    const s = r.map((x) => x.sharpness);
    const b = r.map((x) => x.brightness);
    const sim = r.map((x) => x.similarity);
    const spread = (xs: number[]) => `${q(xs, 0).toFixed(0)} / ${q(xs, 0.5).toFixed(0)} / ${q(xs, 1).toFixed(0)}`;
    console.log(`| ${v.name} | ${v.kind} | ${v.genuine ? 'yes' : 'no'} | ${r.length} | ${spread(s)} | ${spread(b)} | ${q(sim, 0.5).toFixed(3)} / ${q(sim, 0).toFixed(3)} |`);
  }
  const genuine = rows.filter((r) => r.variant.kind === 'sharp');
  const worst = genuine.reduce((a, b) => (b.sharpness < a.sharpness ? b : a));
  console.log(`\nworst sharp photo variant: ${worst.sharpness.toFixed(1)} (${worst.file}, ${worst.variant.name})`);
  console.log('genuine clips, frame sharpness (best frame / worst frame with a face):');
  for (const c of clips) console.log(`  ${c.file}: ${c.best.toFixed(0)} / ${c.worst.toFixed(0)}`);
  const gates = config.gates;
  for (const [name, gate] of [['DOCUMENT_MIN_SHARPNESS', gates.document.minSharpness], ['FRAME_MIN_SHARPNESS', gates.frame.minSharpness]] as const) {
    console.log(`\n${name} ${gate}: sharp photo variants failing ${genuine.filter((r) => r.sharpness < gate).length} of ${genuine.length}; genuine clips with no frame passing ${clips.filter((c) => c.best < gate).length} of ${clips.length}`);
    for (const v of VARIANTS.filter((x) => x.kind === 'blurred')) {
      const r = rows.filter((x) => x.variant === v);
      console.log(`  ${v.name}: ${r.filter((x) => x.sharpness < gate).length} of ${r.length} caught`);
    }
  }
  const exposed = rows.filter((r) => r.variant.kind === 'exposure');
  const failsExposure = (r: (typeof rows)[number]) => r.brightness < gates.document.minBrightness || r.brightness > gates.document.maxBrightness;
  console.log(`\nMIN_BRIGHTNESS ${gates.document.minBrightness} / MAX_BRIGHTNESS ${gates.document.maxBrightness}: sharp variants failing ${genuine.filter(failsExposure).length} of ${genuine.length}`);
  for (const v of VARIANTS.filter((x) => x.kind === 'exposure')) {
    const r = exposed.filter((x) => x.variant === v);
    console.log(`  ${v.name} (${v.genuine ? 'should pass' : 'should fail'}): ${r.filter(failsExposure).length} of ${r.length} fail`);
  }
});
