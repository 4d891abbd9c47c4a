// What the API writes to its logs, through the logger the API server itself uses: request ids
// yes, API keys and file contents never, on an upload that is read, stored and accepted.
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { createLogger } from '../../src/logging.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { composeApi } from '../../src/runtime/compose.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import type { SessionWorkflows } from '../../src/temporal/client.js';
import { testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { newTenantWithKey } from '../../dev/tenants.js';

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

/** A real JPEG carrying a marker in a comment segment (right after SOI): valid, and recognisable in a log. */
async function jpegWith(marker: string): Promise<Buffer> {
  const jpeg = await readFile(fixture('obama.jpg'));
  const text = Buffer.from(marker);
  const segment = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([(text.length + 2) >> 8, (text.length + 2) & 0xff]), text]);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

it('logs requests with their id but never the API key or the uploaded bytes', async () => {
  const lines: string[] = [];
  const destination = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
  // The factory workers/api-server.ts uses, at its most talkative level.
  const logger = createLogger({ level: 'trace', name: 'api', destination });
  const { apiKey } = await newTenantWithKey(db, 'logs');
  const signals: unknown[] = [];
  const workflows = {
    start: async () => undefined,
    fileUploaded: async (_sessionId: string, ref: unknown) => void signals.push(ref),
    ping: async () => undefined,
  } as unknown as SessionWorkflows;
  const app = await buildApp(composeApi({ config: testConfig(), db, blobs: new LocalBlobStore(dir), workflows, logger, metrics: createMetrics() }));
  try {
    const created = await app.inject({ method: 'POST', url: '/v1/sessions', headers: { authorization: `Bearer ${apiKey}` } });
    expect(created.statusCode).toBe(201);
    const sessionId = created.json<{ id: string }>().id;

    const secret = 'PASSPORT-NUMBER-X1234567';
    const form = new FormData();
    form.append('file', new Blob([await jpegWith(secret.repeat(4))]), 'passport.jpg');
    const res = await app.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/files?kind=ID_IMAGE`,
      headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'log-test-1' },
      payload: form,
    });
    // The whole upload path ran: read, hashed, checked, stored, signalled.
    expect(res.statusCode, res.body).toBe(201);
    expect(signals).toHaveLength(1);
    // Should anyone log a request's headers, the redaction paths mask the credential.
    logger.info({ req: { headers: { authorization: `Bearer ${apiKey}` } } }, 'headers logged on purpose');

    const log = lines.join('');
    expect(log).toContain('log-test-1');
    expect(log).toContain('"authorization":"[redacted]"');
    expect(lines.filter((l) => l.includes(apiKey))).toEqual([]);
    expect(log).not.toContain('PASSPORT-NUMBER');
  } finally {
    await app.close();
  }
});
