// npm run eval:verification -- <pairs.csv> <images dir> [--sets id:photo+selfie:closeup,...] [--out dir] [--limit N]
// Every pair through the real pipeline the GPU worker runs (the ID image against a selfie video
// made from the second image, liveness in report mode), once per set of capture transforms
// (dev/eval/transforms.ts), then: TAR at FAR 1 %, 0.1 %, 0.01 %, FRR split by rejection reason,
// the score distributions and a DET plot. Writes report.md, report.json and det.png into --out.
// --from <report.json>: the figures again from a previous run's scores, at today's threshold
// (scores and refusals do not depend on it), without running the pairs again.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LIVENESS_REPORT_ENV, quietLogger, testConfig } from '../dev/face-pipeline.js';
import { detPng, scoresPng } from '../dev/eval/det-plot.js';
import { ID_TRANSFORMS, SELFIE_TRANSFORMS, faceSource, fileStem, idImage, selfieVideo, setName, type IdTransform, type SelfieTransform, type Source } from '../dev/eval/transforms.js';
import { summarize, type PairOutcome, type VerificationSummary } from '../dev/eval/verification-metrics.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { MediaRejectedError } from '../src/media/errors.js';
import { bundledFfmpeg } from '../src/runtime/tools.js';

const DEFAULT_SETS = [
  ['photo', 'photo'],
  ['photo', 'closeup'],
  ['photo', 'overflow'],
  ['photo', 'small-4k'],
  ['photo', 'grey'],
  ['small', 'photo'],
  ['grey', 'closeup'],
] as const satisfies readonly (readonly [IdTransform, SelfieTransform])[];

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { sets: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string' }, concurrency: { type: 'string' }, threshold: { type: 'string' }, from: { type: 'string' } },
});
if (positionals.length !== 2 && !args.from) {
  console.error('usage: npm run eval:verification -- <pairs.csv> <images dir> [--sets id:photo+selfie:closeup,…] [--out dir] [--limit N] [--threshold T]');
  process.exit(2);
}
const [pairsCsv = '', imagesDir = ''] = positionals;
const outDir = path.resolve(args.out ?? 'eval-report');

interface Pair { x: string; y: string; genuine: boolean }

/** file_x,file_y,Decision (Yes/No), as deepface's master.csv; a header line is skipped. */
async function readPairs(file: string): Promise<Pair[]> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim());
  const rows = lines.map((l) => l.split(',').map((c) => c.trim()));
  const body = /^(yes|no|true|false|1|0)$/i.test(rows[0]?.[2] ?? '') ? rows : rows.slice(1);
  return body.map(([x, y, decision]) => {
    if (!x || !y || !decision) throw new Error(`${file}: a row needs file_x,file_y,decision`);
    return { x, y, genuine: /^(yes|true|1)$/i.test(decision) };
  });
}

function parseSets(spec: string | undefined): [IdTransform, SelfieTransform][] {
  if (!spec) return DEFAULT_SETS.map(([i, s]) => [i, s]);
  return spec.split(',').map((name) => {
    const m = /^id:([\w-]+)\+selfie:([\w-]+)$/.exec(name.trim());
    const id = m?.[1] as IdTransform | undefined;
    const selfie = m?.[2] as SelfieTransform | undefined;
    if (!id || !selfie || !ID_TRANSFORMS.includes(id) || !SELFIE_TRANSFORMS.includes(selfie)) {
      throw new Error(`unknown set "${name}": id:{${ID_TRANSFORMS.join('|')}}+selfie:{${SELFIE_TRANSFORMS.join('|')}}`);
    }
    return [id, selfie];
  });
}

type SetResult = { set: string; outcomes: (PairOutcome & Pair)[]; summary: VerificationSummary };
interface Meta { pairs: string; threshold: number; fingerprint: string; seconds: number }

async function writeReport(meta: Meta, results: SetResult[]): Promise<void> {
  const all = summarize(results.flatMap((r) => r.outcomes), meta.threshold);
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'det.png'), await detPng(results.map((r) => ({ name: r.set, outcomes: r.outcomes })), meta.threshold));
  await writeFile(path.join(outDir, 'scores.png'), await scoresPng(all.genuineScores, all.impostorScores, meta.threshold));
  await writeFile(path.join(outDir, 'report.json'), `${JSON.stringify({ ...meta, all, sets: results }, null, 2)}\n`);
  await writeFile(path.join(outDir, 'report.md'), markdown(meta, all, results));
  console.log(`report: ${path.join(outDir, 'report.md')}`);
}

/** A previous run's outcomes summarised again at the threshold configured now. */
async function rescore(file: string): Promise<void> {
  const previous = JSON.parse(await readFile(file, 'utf8')) as Meta & { sets: SetResult[] };
  const threshold = args.threshold ? Number(args.threshold) : testConfig().face.matchThreshold;
  const results = previous.sets.map((r) => ({ ...r, summary: summarize(r.outcomes, threshold) }));
  await writeReport({ pairs: previous.pairs, threshold, fingerprint: previous.fingerprint, seconds: previous.seconds }, results);
}

async function main(): Promise<void> {
  if (args.from) return rescore(args.from);
  const pairs = (await readPairs(pairsCsv)).slice(0, args.limit ? Number(args.limit) : undefined);
  const sets = parseSets(args.sets);
  // The face settings a worker would take from its environment (VIDEO_MAX_EDGE=1280 …), to compare configurations.
  const faceEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(VIDEO|FRAME|DOCUMENT|MATCH|MIN|MAX|BEST)_/.test(k))) as Record<string, string>;
  const config = testConfig({ ...LIVENESS_REPORT_ENV, ...faceEnv, ...(args.threshold ? { MATCH_THRESHOLD: args.threshold } : {}) });
  const threshold = config.face.matchThreshold;
  const pipeline = await FacePipeline.load(config.face, quietLogger());
  const work = await mkdtemp(path.join(tmpdir(), 'kyc-eval-'));
  const ffmpeg = bundledFfmpeg();
  const started = Date.now();
  try {
    // Each photo's face box, found once: the transforms crop and place around it.
    const sources = new Map<string, Source | null>();
    for (const name of new Set(pairs.flatMap((p) => [p.x, p.y]))) sources.set(name, await faceSource(path.join(imagesDir, name), pipeline));
    const media = new Map<string, Promise<string>>();
    const once = (key: string, make: () => Promise<string>) => {
      if (!media.has(key)) media.set(key, make());
      return media.get(key)!;
    };
    const results: SetResult[] = [];
    for (const [idT, selfieT] of sets) {
      const name = setName(idT, selfieT);
      const outcomes: (PairOutcome & Pair)[] = [];
      const queue = [...pairs];
      const worker = async () => {
        for (let pair = queue.shift(); pair; pair = queue.shift()) {
          const [xs, ys] = [sources.get(pair.x), sources.get(pair.y)];
          // A photo the detector finds no face in at all cannot be transformed around its face.
          if (!xs || !ys) {
            outcomes.push({ ...pair, reason: 'NO_FACE_IN_SOURCE_PHOTO' });
            continue;
          }
          const id = await once(`id/${idT}/${pair.x}`, () => idImage(xs, idT, path.join(work, `id-${idT}-${fileStem(pair.x)}.jpg`)));
          const video = await once(`selfie/${selfieT}/${pair.y}`, () => selfieVideo(ys, selfieT, work, ffmpeg));
          try {
            const result = await pipeline.compare(id, video);
            outcomes.push({ ...pair, score: result.similarity });
          } catch (err) {
            if (!(err instanceof MediaRejectedError)) throw err;
            outcomes.push({ ...pair, reason: err.reason });
          }
        }
      };
      await Promise.all(Array.from({ length: Number(args.concurrency ?? 2) }, worker));
      const summary = summarize(outcomes, threshold);
      results.push({ set: name, outcomes, summary });
      console.log(`${name}: ${summary.genuinePairs} genuine, ${summary.impostorPairs} impostor; FRR ${pct(summary.frr)} ${JSON.stringify(summary.falseRejects)}; FAR ${pct(summary.far)}; max impostor ${summary.impostorScores.at(-1) ?? '-'}`);
    }
    await writeReport({ pairs: path.basename(pairsCsv), threshold, fingerprint: pipeline.fingerprint, seconds: Math.round((Date.now() - started) / 1000) }, results);
  } finally {
    await pipeline.close();
    await rm(work, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

function quantiles(xs: number[]): string {
  if (xs.length === 0) return '-';
  const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))]!.toFixed(3);
  return `${q(0)} / ${q(0.05)} / ${q(0.5)} / ${q(0.95)} / ${q(1)}`;
}

function markdown(meta: Meta, all: VerificationSummary, results: SetResult[]): string {
  const rows = [...results.map((r) => [r.set, r.summary] as const), ['all sets', all] as const];
  const reasons = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || '—';
  const op = (s: VerificationSummary, i: number) => {
    const p = s.operatingPoints[i]!;
    return `${pct(p.tar)} @ ${p.threshold.toFixed(3)}${p.belowResolution ? ' *' : ''}`;
  };
  const lines = [
    `# Verification report: ${meta.pairs}`,
    '',
    `Threshold ${meta.threshold}; scores from pipeline \`${meta.fingerprint}\` (${meta.seconds} s for every pair of every set).`,
    'A refused genuine pair counts as a false reject; a refused impostor pair is not a false match.',
    '`*`: fewer impostor pairs than 1/FAR, so that FAR cannot be observed; the point is the lowest threshold with no observed false match.',
    '',
    '| set | genuine | impostor | FRR | FAR | TAR @ FAR 1 % | TAR @ 0.1 % | TAR @ 0.01 % | EER |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(([name, s]) => `| ${name} | ${s.genuinePairs} | ${s.impostorPairs} | ${pct(s.frr)} | ${pct(s.far)} | ${op(s, 0)} | ${op(s, 1)} | ${op(s, 2)} | ${pct(s.eer.rate)} @ ${s.eer.threshold.toFixed(3)} |`),
    '',
    '## False rejects by reason (genuine pairs)',
    '',
    '| set | reasons |',
    '| --- | --- |',
    ...rows.map(([name, s]) => `| ${name} | ${reasons(s.falseRejects)} |`),
    '',
    '## Scores (min / 5 % / median / 95 % / max)',
    '',
    '| set | genuine | impostor | impostor refused |',
    '| --- | --- | --- | --- |',
    ...rows.map(([name, s]) => `| ${name} | ${quantiles(s.genuineScores)} | ${quantiles(s.impostorScores)} | ${reasons(s.impostorRefusals)} |`),
    '',
    '## Genuine pairs not matched',
    '',
    ...results.flatMap((r) => r.outcomes.filter((o) => o.genuine && (o.reason || (o.score ?? 0) < meta.threshold)).map((o) => `- ${r.set}: ${o.x} vs ${o.y}: ${o.reason ?? `score ${o.score}`}`)),
    '',
    '![DET curves](det.png)',
    '',
    '![Score distributions](scores.png)',
    '',
  ];
  return lines.join('\n');
}

await main();
