// bench/blob-write: the storage half of an upload alone, without HTTP, multipart or a load
// generator sharing the CPU. 16 concurrent 100 MB streams go through LocalBlobStore.write (sha256,
// limits, head check, background flushes and the final fsync) and, in the same process, through
// the least that lands a stream in a file (pipeline into fs.createWriteStream). Prints CPU per MB
// and throughput of each, and the ratios; bench/upload measures the whole endpoint.
// Usage: npm run bench:blob-write [-- --rounds N]. The last line printed is one JSON object.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runMain } from '../src/runtime/main.js';
import { LocalBlobStore } from '../src/storage/local-blob-store.js';

const MB = 1024 * 1024;
const ROUNDS = Number(/--rounds[= ](\d+)/.exec(process.argv.join(' '))?.[1] ?? 5);
const CONCURRENCY = 16;
const STREAM_BYTES = 100 * MB;
/** What a TCP read hands to the multipart parser, whose file stream passes slices of it on. */
const CHUNK_BYTES = 64 * 1024;

/** A stream of fresh chunks, as a socket produces them, so allocation and GC count as they do in the server. */
function upload(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= STREAM_BYTES) return void this.push(null);
      const chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES).fill(sent & 0xff);
      sent += CHUNK_BYTES;
      this.push(chunk);
    },
  });
}

function hashing(): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      hash.digest();
      callback();
    },
  });
}

interface Variant {
  name: string;
  /** Writes the i-th of the concurrent streams into the variant's own folder. */
  write: (i: number) => Promise<void>;
}

interface Sample {
  cpuMsPerMb: number;
  mbPerS: number;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function measure(variant: Variant, dir: string): Promise<Sample> {
  await mkdir(dir, { recursive: true });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => variant.write(i)));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await rm(dir, { recursive: true, force: true });
  const mb = (CONCURRENCY * STREAM_BYTES) / MB;
  return { cpuMsPerMb: (used.user + used.system) / 1000 / mb, mbPerS: mb / seconds };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'kyc-bench-blob-'));
  const dirOf = (name: string) => path.join(work, name.replace(/\W+/g, '-'));
  // One store per variant, as the API has one: its background flushes share one set of slots.
  const storeWrite = (name: string, fsync: boolean): Variant => {
    const store = new LocalBlobStore(dirOf(name), fsync);
    const write = async (i: number) => {
      await store.write(upload(), { keyFor: (sha256) => `bench/${i}/${sha256}`, maxBytes: 2 * STREAM_BYTES, checkHead: () => undefined });
    };
    return { name, write };
  };
  const fileWrite = (name: string, sha256: boolean): Variant => ({
    name,
    write: async () => {
      const file = createWriteStream(path.join(dirOf(name), randomUUID()));
      await (sha256 ? pipeline(upload(), hashing(), file) : pipeline(upload(), file));
    },
  });
  const variants: Variant[] = [
    fileWrite('baseline', false),
    // What sha256 alone adds to the baseline: the part of our cost the issue asks for by name.
    fileWrite('baseline + sha256', true),
    storeWrite('ours', true),
    storeWrite('ours, BLOB_FSYNC=false', false),
  ];
  try {
    console.log(`${CONCURRENCY} concurrent ${STREAM_BYTES / MB} MB streams in ${CHUNK_BYTES / 1024} KB chunks, ${ROUNDS} rounds, order rotated each round`);
    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    await measure(variants[0]!, dirOf(variants[0]!.name));
    for (let round = 0; round < ROUNDS; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const v of order) samples.get(v.name)!.push(await measure(v, dirOf(v.name)));
    }
    const summary = Object.fromEntries(
      variants.map((v) => {
        const s = samples.get(v.name)!;
        return [v.name, { cpuMsPerMb: median(s.map((x) => x.cpuMsPerMb)), mbPerS: median(s.map((x) => x.mbPerS)) }];
      }),
    );
    const base = summary.baseline!;
    for (const v of variants) {
      const s = summary[v.name]!;
      console.log(
        `${v.name.padEnd(24)} ${s.cpuMsPerMb.toFixed(2)} CPU ms/MB (×${(s.cpuMsPerMb / base.cpuMsPerMb).toFixed(2)})  ${s.mbPerS.toFixed(0).padStart(5)} MB/s (×${(s.mbPerS / base.mbPerS).toFixed(2)})`,
      );
    }
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const ours = summary.ours!;
    console.log(
      JSON.stringify({
        cpu_ratio: r2(ours.cpuMsPerMb / base.cpuMsPerMb),
        throughput_ratio: r2(ours.mbPerS / base.mbPerS),
        cpu_ms_per_mb: Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, r2(s.cpuMsPerMb)])),
        mb_per_s: Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, r2(s.mbPerS)])),
      }),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

runMain('bench:blob-write', main);
