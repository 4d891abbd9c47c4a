import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileHasher } from '../../src/storage/file-hasher.js';
import { REPO_ROOT } from '../../src/devstack/paths.js';

const MB = 1024 * 1024;
let dir: string;
let n = 0;
const hasher = new FileHasher();
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'file-hasher-'));
});
afterAll(async () => {
  await hasher.close();
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes `data` to `file` in pieces, telling the job after each piece, as FileSink does. */
async function writeFollowed(data: Buffer, piece: number, onWritten: (bytes: number) => void, file: string) {
  await writeFile(file, '');
  for (let at = 0; at < data.length; at += piece) {
    await appendFile(file, data.subarray(at, at + piece));
    onWritten(Math.min(at + piece, data.length));
  }
  return file;
}

describe('FileHasher', () => {
  it('hashes a file while it is written, the same as hashing its bytes', async () => {
    const data = randomBytes(9 * MB + 123);
    const file = path.join(dir, `f${n++}`);
    const job = hasher.follow(file);
    await writeFollowed(data, 300_000, (bytes) => job.written(bytes), file);
    await expect(job.finish(data.length)).resolves.toBe(sha256(data));
  });

  it('keeps concurrent files apart', async () => {
    const datas = [randomBytes(3 * MB), randomBytes(2 * MB + 7), randomBytes(1)];
    const digests = await Promise.all(
      datas.map(async (data) => {
        const file = path.join(dir, `f${n++}`);
        const job = hasher.follow(file);
        await writeFollowed(data, 256 * 1024, (bytes) => job.written(bytes), file);
        return job.finish(data.length);
      }),
    );
    expect(digests).toEqual(datas.map(sha256));
  });

  it('fails a file shorter than the bytes said to be written, and goes on with the next', async () => {
    const file = path.join(dir, `f${n++}`);
    await writeFile(file, Buffer.alloc(10));
    const job = hasher.follow(file);
    await expect(job.finish(20)).rejects.toThrow(/hashing the upload failed: .* ends at byte 10, before the 20 bytes written/);
    const next = hasher.follow(file);
    await expect(next.finish(10)).resolves.toBe(sha256(Buffer.alloc(10)));
  });

  it('fails a missing file with a clear error, also when told before finish', async () => {
    const job = hasher.follow(path.join(dir, 'never-written'));
    job.written(2 * MB);
    await expect(job.finish(2 * MB)).rejects.toThrow(/ENOENT/);
  });

  it('fails open jobs when its thread stops, and starts a new thread for the next', async () => {
    const own = new FileHasher();
    const file = path.join(dir, `f${n++}`);
    await writeFile(file, 'abc');
    const job = own.follow(file);
    await own.close();
    await expect(job.finish(3)).rejects.toThrow(/hashing thread stopped/);
    await expect(own.follow(file).finish(3)).resolves.toBe(sha256(Buffer.from('abc')));
    await own.close();
  });

  it('does not keep a process alive once its jobs are done', async () => {
    const script = `
      import { writeFileSync } from 'node:fs';
      import { FileHasher } from './src/storage/file-hasher.ts';
      const file = ${JSON.stringify(path.join(dir, 'alive'))};
      writeFileSync(file, 'x');
      const job = new FileHasher().follow(file);
      job.finish(1).then((digest) => console.log(digest));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, timeout: 20_000 });
    expect(stdout.trim()).toBe(sha256(Buffer.from('x')));
  });
});
