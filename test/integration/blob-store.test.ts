// One contract, both adapters: the local filesystem and S3-compatible object storage (a real S3
// API served by moto). Whatever a refused write saw, nothing stays behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { freePort } from '../../dev/stack/ephemeral-infra.js';
import { BlobTooLargeError, type BlobStore } from '../../src/storage/blob-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { createSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack } from '../helpers/stack.js';

let dir: string;
let moto: ChildProcess;
let endpoint: string;
let s3: S3Client;
const BUCKET = 'kyc-test';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-blobs-contract-'));
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn(path.join(REPO_ROOT, '.venv', 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true });
  for (let i = 0; ; i++) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

afterAll(async () => {
  moto?.kill();
  await rm(dir, { recursive: true, force: true });
});

const adapters: [string, () => { store: BlobStore; stored: () => Promise<string[]> }][] = [
  [
    'local filesystem',
    () => {
      const root = path.join(dir, 'local');
      return {
        store: new LocalBlobStore(root),
        stored: async () => (await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => e.name),
      };
    },
  ],
  [
    'S3-compatible storage',
    () => ({
      store: new S3BlobStore({ bucket: BUCKET, prefix: 'kyc/', region: 'us-east-1', endpoint, forcePathStyle: true, spoolDir: path.join(dir, 'spool'), encryption: { mode: 'AES256' } }),
      stored: async () => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!),
    }),
  ],
];

describe.each(adapters)('%s', (_name, make) => {
  it('stores content under its digest and gives it back as a local file', async () => {
    const { store } = make();
    const bytes = await readFile(fixture('obama.jpg'));
    const blob = await store.write(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { keyFor: (sha) => `s/ID_IMAGE/${sha}`, maxBytes: 10e6 });
    expect(blob).toEqual({ key: `s/ID_IMAGE/${blob.sha256}`, sha256: '0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6', bytes: 279922 });
    const opened = await store.open(blob.key);
    expect((await readFile(opened.path)).equals(bytes)).toBe(true);
    await opened.release();
    await store.delete(blob.key);
    await expect(store.open(blob.key)).rejects.toThrow();
  });

  it('leaves nothing behind when the content is refused by its head, its size or its check', async () => {
    const { store, stored } = make();
    const before = await stored();
    const bytes = await readFile(fixture('obama.jpg'));
    const attempt = (options: Partial<Parameters<BlobStore['write']>[1]>) =>
      store.write(Readable.from([bytes]), { keyFor: (sha) => `s/${sha}`, maxBytes: 10e6, ...options });
    await expect(attempt({ checkHead: () => { throw new Error('not accepted'); } })).rejects.toThrow('not accepted');
    await expect(attempt({ maxBytes: 1000 })).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(attempt({ verify: async () => { throw new Error('truncated'); } })).rejects.toThrow('truncated');
    expect(await stored()).toEqual(before);
  });
});

describe('encryption at rest on S3', () => {
  it.each([
    [{ mode: 'AES256' as const }, 'AES256', undefined],
    [{ mode: 'aws:kms' as const, kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/kyc-media' }, 'aws:kms', 'arn:aws:kms:us-east-1:123456789012:key/kyc-media'],
  ])('stores every object with server-side encryption (%o)', async (encryption, mode, keyId) => {
    const store = new S3BlobStore({ bucket: BUCKET, prefix: 'sse/', region: 'us-east-1', endpoint, forcePathStyle: true, spoolDir: path.join(dir, 'spool-sse'), encryption });
    const blob = await store.write(Readable.from([await readFile(fixture('obama.jpg'))]), { keyFor: (sha) => `s/${mode}/${sha}`, maxBytes: 10e6 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `sse/${blob.key}` }));
    expect(head.ServerSideEncryption).toBe(mode);
    if (keyId) expect(head.SSEKMSKeyId).toContain('kyc-media');
  });
});

describe('a whole session on S3-compatible storage', () => {
  it('uploads through the API and compares in the GPU activity, both through S3', async () => {
    const store = new S3BlobStore({ bucket: BUCKET, prefix: 'e2e/', region: 'us-east-1', endpoint, forcePathStyle: true, spoolDir: path.join(dir, 'spool2'), encryption: { mode: 'AES256' } });
    const stack = await startTestStack({ blobStore: store });
    try {
      const session = await createSession(stack);
      expect((await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'))).status).toBe(201);
      expect((await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).status).toBe(201);
      expect(await stack.outcome(session.id)).toMatchObject({ status: 'COMPLETED', result: { match: true } });
      const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'e2e/' }))).Contents ?? []).map((o) => o.Key);
      expect(keys).toHaveLength(2);
    } finally {
      await stack.stop();
    }
  });
});
