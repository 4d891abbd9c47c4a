// Blobs no file row references (a crash between blob and row, a write never finished) are
// deleted once they are older than the grace period; referenced and young blobs stay.
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../src/db/prisma.js';
import { SessionStore } from '../../src/db/session-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { sweepOrphanBlobs } from '../../src/storage/orphan-sweep.js';
import { newTenant } from '../../dev/tenants.js';

let db: Db;
let dir: string;
beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-sweep-'));
});
afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

it('deletes old unreferenced blobs and leftovers of unfinished writes, and nothing else', async () => {
  const blobs = new LocalBlobStore(dir, false);
  const sessions = new SessionStore(db);
  const { tenantId } = await newTenant(db, 'sweep');
  const sessionId = randomUUID();
  await sessions.createIfAbsent(sessionId, tenantId, `kyc-session-${sessionId}`);
  const write = (text: string) => blobs.write(Readable.from([Buffer.from(text)]), { keyFor: (d) => `sessions/${sessionId}/ID_IMAGE/${d}`, maxBytes: 1024 });
  const referenced = await write('referenced');
  const orphan = await write('orphan');
  const young = await write('young orphan');
  await sessions.addFile({ id: randomUUID(), sessionId, kind: 'ID_IMAGE', storageKey: referenced.key, sha256: referenced.sha256, sizeBytes: referenced.bytes, mediaType: 'image/jpeg' });
  const { writeFile, mkdir } = await import('node:fs/promises');
  await mkdir(path.join(dir, '.incoming'), { recursive: true });
  await writeFile(path.join(dir, '.incoming', 'crashed-upload'), 'half a file');
  const old = new Date(Date.now() - 7 * 3600_000);
  for (const key of [referenced.key, orphan.key, '.incoming/crashed-upload']) await utimes(path.join(dir, key), old, old);

  const { examined, deleted } = await sweepOrphanBlobs({ blobs, referenced: (keys) => sessions.referencedKeys(keys), graceMs: 6 * 3600_000 });
  expect(examined).toBe(4);
  expect(deleted.sort()).toEqual(['.incoming/crashed-upload', orphan.key].sort());
  const left = [];
  for await (const blob of blobs.list()) left.push(blob.key);
  expect(left.sort()).toEqual([referenced.key, young.key].sort());
});
