// Worker thread of FileHasher (file-hasher.ts): hashes files while they are being written, reading
// each one back just behind the writer. Reads come from the page cache the writes just filled.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export type HashRequest =
  | { type: 'follow'; id: number; file: string }
  | { type: 'written'; id: number; bytes: number }
  | { type: 'finish'; id: number; bytes: number }
  | { type: 'abandon'; id: number };

export type HashReply = { type: 'digest'; id: number; sha256: string } | { type: 'failed'; id: number; message: string };

interface Job {
  file: string;
  fd?: number;
  hash: Hash;
  hashed: number;
}

const jobs = new Map<number, Job>();
const buffer = Buffer.allocUnsafe(1024 * 1024);
const port = parentPort!;

/** Hashes `job`'s file from where it stopped up to byte `upTo`, which the writer has written. */
function hashUpTo(job: Job, upTo: number): void {
  job.fd ??= openSync(job.file, 'r');
  while (job.hashed < upTo) {
    const read = readSync(job.fd, buffer, 0, Math.min(buffer.length, upTo - job.hashed), job.hashed);
    if (read === 0) throw new Error(`${job.file} ends at byte ${job.hashed}, before the ${upTo} bytes written`);
    job.hash.update(buffer.subarray(0, read));
    job.hashed += read;
  }
}

function end(id: number): void {
  const job = jobs.get(id);
  jobs.delete(id);
  if (job?.fd !== undefined) closeSync(job.fd);
}

port.on('message', (message: HashRequest) => {
  const { id } = message;
  try {
    switch (message.type) {
      case 'follow':
        jobs.set(id, { file: message.file, hash: createHash('sha256'), hashed: 0 });
        return;
      case 'written': {
        const job = jobs.get(id);
        if (job) hashUpTo(job, message.bytes);
        return;
      }
      case 'finish': {
        const job = jobs.get(id);
        if (!job) throw new Error(`no hash job ${id}`);
        hashUpTo(job, message.bytes);
        const sha256 = job.hash.digest('hex');
        end(id);
        port.postMessage({ type: 'digest', id, sha256 } satisfies HashReply);
        return;
      }
      case 'abandon':
        end(id);
        return;
    }
  } catch (err) {
    end(id);
    port.postMessage({ type: 'failed', id, message: (err as Error).message } satisfies HashReply);
  }
});
