// What the API writes to its logs: request ids yes, API keys and file contents never.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { REDACT_PATHS } from '../../src/logging.js';
import { apiDeps } from '../../src/runtime/api-deps.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import type { SessionWorkflows } from '../../src/temporal/client.js';
import { testConfig } from '../../dev/face-pipeline.js';

let db: Db;
let dir: string;
beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-logs-'));
});
afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

it('logs requests with their id but never the API key or the uploaded bytes', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
  const tenants = new TenantStore(db);
  const tenant = await tenants.createTenant(`logs-${Date.now()}`);
  const { key } = await tenants.createKey(tenant.id);
  // No workflow service is needed to be refused: the upload below is rejected before any signal.
  const workflows = { start: async () => undefined, fileUploaded: async () => undefined, ping: async () => undefined } as unknown as SessionWorkflows;
  const app = await buildApp(apiDeps(testConfig(), { db, blobs: new LocalBlobStore(dir), workflows, logger }));
  const secretBytes = 'PASSPORT-NUMBER-X1234567-'.repeat(10);
  const form = new FormData();
  form.append('file', new Blob([secretBytes]), 'passport.jpg');
  const res = await app.inject({
    method: 'POST',
    url: '/v1/sessions/00000000-0000-4000-8000-000000000000/files?kind=ID_IMAGE',
    headers: { authorization: `Bearer ${key}`, 'x-request-id': 'log-test-1' },
    payload: form,
  });
  // Should anyone log a request's headers, the redaction paths mask the credential.
  logger.info({ req: { headers: { authorization: `Bearer ${key}` } } }, 'headers logged on purpose');
  await app.close();
  expect(res.statusCode).toBe(404);
  const log = lines.join('');
  expect(log).toContain('log-test-1');
  expect(log).toContain('"authorization":"[redacted]"');
  expect(log).not.toContain(key);
  expect(log).not.toContain('PASSPORT-NUMBER');
});
