// The mobile-facing API on the real stack: every bad input gets its problem+json answer and leaves
// nothing behind (no file row, no blob, no signal); tenants are isolated; retries are harmless.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVENESS_CHECKS, LIVENESS_FAILURE_MEANING, LIVENESS_REJECTIONS, workflowIdFor, progressQuery } from '../../src/contract/face-similarity.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { createSession, getSession, handWrittenUpload, multipartEnd, multipartFileHead, upload, type ApiTarget } from '../../dev/api-client.js';
import { CLIENT_DOCUMENT } from '../../dev/openapi-document.js';
import { pngBombBytes } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { newTenantWithKey } from '../../dev/tenants.js';

const run = promisify(execFile);
let stack: TestStack;
let other: ApiTarget;

beforeAll(async () => {
  stack = await startTestStack({ env: { MAX_IMAGE_BYTES: String(2 * 1024 * 1024), RATE_LIMIT_PER_MINUTE: '1000' } });
  other = { baseUrl: stack.baseUrl, apiKey: (await newTenantWithKey(stack.db, 'other')).apiKey };
});

afterAll(async () => {
  await stack?.stop();
});

const storedBlobs = () =>
  readdirSync(stack.blobDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

/** Nothing from a refused upload may remain: no file row, no blob, no signal to the workflow. */
async function expectNothingWritten(sessionId: string, blobsBefore: string[]) {
  expect(await stack.db.uploadedFile.count({ where: { sessionId } })).toBe(0);
  expect(storedBlobs()).toEqual(blobsBefore);
  const progress = await stack.workflows.client.workflow.getHandle(workflowIdFor(sessionId)).query(progressQuery);
  expect(progress.received).toEqual([]);
}

async function expectProblem(res: { status: number; contentType: string | null; body: Record<string, unknown> }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, type: `/problems/${code}` });
}

async function rawPost(url: string, headers: Record<string, string>, body: Uint8Array | string) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, ...headers }, body });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

describe('authentication and tenants', () => {
  it('answers 401 with a challenge without a key, with a malformed key and with an unknown key', async () => {
    for (const authorization of [undefined, 'Bearer nonsense', 'Bearer kyc_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Basic abc']) {
      const res = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('refuses a revoked key', async () => {
    const tenants = new TenantStore(stack.db);
    const { apiKey: key, prefix } = await newTenantWithKey(stack.db, 'revoked');
    expect((await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status).toBe(201);
    expect(await tenants.revokeKey(prefix)).toBe(true);
    expect((await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it("never shows one tenant another tenant's session", async () => {
    const session = await createSession(stack);
    const blobs = storedBlobs();
    expect((await getSession(other, session.id)).status).toBe(404);
    await expectProblem(await upload(other, session.id, 'ID_IMAGE', fixture('obama.jpg')), 404, 'session-not-found');
    await expectNothingWritten(session.id, blobs);
    expect((await getSession(stack, session.id)).status).toBe(200);
  });

  it('stores only a hash of each key', async () => {
    const rows = await stack.db.apiKey.findMany({ where: { tenantId: stack.tenantId } });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(stack.apiKey).not.toContain(row.keyHash);
    }
  });
});

describe('every bad upload has its answer and leaves nothing behind', () => {
  let sessionId: string;
  let blobs: string[];
  beforeAll(async () => {
    sessionId = (await createSession(stack)).id;
    blobs = storedBlobs();
  });

  const url = () => `${stack.baseUrl}/v1/sessions/${sessionId}/files`;

  it('400 invalid-kind for a missing or unknown kind', async () => {
    const form = new FormData();
    form.append('file', new Blob([await readFile(fixture('obama.jpg'))]), 'a.jpg');
    const res = await fetch(url(), { method: 'POST', body: form, headers: { authorization: `Bearer ${stack.apiKey}` } });
    await expectProblem({ status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> }, 400, 'invalid-kind');
    await expectProblem(await upload(stack, sessionId, 'PASSPORT', fixture('obama.jpg')), 400, 'validation-error');
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 empty-file for an empty file', async () => {
    await expectProblem(await upload(stack, sessionId, 'ID_IMAGE', { name: 'empty.jpg', bytes: new Uint8Array() }), 400, 'empty-file');
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 unreadable-media for a truncated image and a truncated video', async () => {
    const jpeg = await readFile(fixture('obama.jpg'));
    await expectProblem(await upload(stack, sessionId, 'ID_IMAGE', { name: 'half.jpg', bytes: jpeg.subarray(0, jpeg.length / 2) }), 400, 'unreadable-media');
    const mp4 = await readFile(fixture('short_hamilton_clip.mp4'));
    await expectProblem(await upload(stack, sessionId, 'SELFIE_VIDEO', { name: 'half.mp4', bytes: mp4.subarray(0, 4096) }), 400, 'unreadable-media');
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 image-too-large for a decompression bomb, judged from its header', async () => {
    await expectProblem(await upload(stack, sessionId, 'ID_IMAGE', { name: 'bomb.png', bytes: pngBombBytes() }), 400, 'image-too-large');
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 for a video the GPU worker would not decode: no video track, two video streams, frames past the pixel bound in any container', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kyc-api-media-'));
    try {
      const made = async (name: string, args: string[]) => {
        const out = path.join(dir, name);
        await run('ffmpeg', ['-v', 'error', '-y', ...args, out]);
        return out;
      };
      const audioOnly = await made('audio.mp4', ['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac']);
      const twoStreams = await made('two.mp4', ['-f', 'lavfi', '-i', 'testsrc2=s=320x240:d=1', '-f', 'lavfi', '-i', 'testsrc2=s=640x480:d=1', '-map', '0:v', '-map', '1:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
      const hugeWebm = await made('huge.webm', ['-f', 'lavfi', '-i', 'color=c=gray:s=4200x4200:d=0.2:r=5', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']);
      const noVideo = await upload(stack, sessionId, 'SELFIE_VIDEO', audioOnly);
      await expectProblem(noVideo, 400, 'unreadable-media');
      expect(noVideo.body.detail).toMatch(/no video/);
      const two = await upload(stack, sessionId, 'SELFIE_VIDEO', twoStreams);
      await expectProblem(two, 400, 'unreadable-media');
      expect(two.body.detail).toMatch(/2 video tracks/);
      await expectProblem(await upload(stack, sessionId, 'SELFIE_VIDEO', hugeWebm), 400, 'video-too-large');
      await expectNothingWritten(sessionId, blobs);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('415 for a HEIC ID photo: recognised, but not decodable end to end, so not accepted', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic'), Buffer.from([0, 0, 0, 8]), Buffer.from('meta')]);
    const res = await upload(stack, sessionId, 'ID_IMAGE', { name: 'IMG_0001.HEIC', bytes: heic });
    await expectProblem(res, 415, 'unsupported-media-type');
    expect(res.body.detail).toMatch(/image\/heic/);
    await expectNothingWritten(sessionId, blobs);
  });

  it('415 unsupported-media-type for the wrong content, whatever its name says', async () => {
    await expectProblem(await upload(stack, sessionId, 'ID_IMAGE', { name: 'id.jpg', bytes: Buffer.from('%PDF-1.7\n'.repeat(20)) }), 415, 'unsupported-media-type');
    await expectProblem(await upload(stack, sessionId, 'SELFIE_VIDEO', fixture('obama.jpg')), 415, 'unsupported-media-type');
    await expectProblem(await upload(stack, sessionId, 'ID_IMAGE', fixture('short_hamilton_clip.mp4')), 415, 'unsupported-media-type');
    await expectNothingWritten(sessionId, blobs);
  });

  it('413 file-too-large, cutting the stream off long before its end', async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const boundary = 'kycboundary';
    const head = multipartFileHead(boundary, 'big.jpg', 'image/jpeg');
    const rssBefore = process.memoryUsage().rss;
    let sent = 0;
    let sentWhenAnswered = -1;
    const { status, body } = await handWrittenUpload(stack, sessionId, 'ID_IMAGE', boundary, (req) => {
      req.on('response', () => (sentWhenAnswered = sent));
      // Once answered, the server closes the connection: errors after that are expected.
      req.on('error', () => undefined);
      const pump = () => {
        while (sent < total && sentWhenAnswered < 0) {
          const piece = sent === 0 ? Buffer.concat([head, jpegHead, chunk]) : chunk;
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        if (sentWhenAnswered < 0) req.end(multipartEnd(boundary));
      };
      pump();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: 'file-too-large' });
    expect(sentWhenAnswered).toBeLessThan(total / 2);
    // The refused body was never held in memory.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 malformed-multipart for a broken body, and for a body that is not multipart', async () => {
    const broken = await rawPost(`${url()}?kind=ID_IMAGE`, { 'content-type': 'multipart/form-data; boundary=xyz' }, '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n\xff\xd8\xff');
    expect([400]).toContain(broken.status);
    expect(broken.body).toMatchObject({ code: 'malformed-multipart' });
    const json = await rawPost(`${url()}?kind=ID_IMAGE`, { 'content-type': 'application/json' }, '{"file":"abc"}');
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ code: 'malformed-multipart' });
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 too-many-files for two files in one request', async () => {
    const form = new FormData();
    form.append('file', new Blob([await readFile(fixture('obama.jpg'))]), 'a.jpg');
    form.append('file', new Blob([await readFile(fixture('biden.jpg'))]), 'b.jpg');
    const res = await fetch(`${url()}?kind=ID_IMAGE`, { method: 'POST', body: form, headers: { authorization: `Bearer ${stack.apiKey}` } });
    await expectProblem({ status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> }, 400, 'too-many-files');
    await expectNothingWritten(sessionId, blobs);
  });

  it('400 missing-file for a form without a file', async () => {
    const form = new FormData();
    form.append('kind', 'ID_IMAGE');
    const res = await fetch(url(), { method: 'POST', body: form, headers: { authorization: `Bearer ${stack.apiKey}` } });
    await expectProblem({ status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> }, 400, 'missing-file');
    await expectNothingWritten(sessionId, blobs);
  });

  it('404 session-not-found for an unknown session and 400 for a malformed id', async () => {
    await expectProblem(await upload(stack, '00000000-0000-4000-8000-000000000000', 'ID_IMAGE', fixture('obama.jpg')), 404, 'session-not-found');
    await expectProblem(await upload(stack, 'not-a-uuid', 'ID_IMAGE', fixture('obama.jpg')), 400, 'validation-error');
    await expectNothingWritten(sessionId, blobs);
  });
});

describe('retries are harmless', () => {
  it('replays a session creation for the same Idempotency-Key', async () => {
    const key = `create-${Date.now()}`;
    const post = () => fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'idempotency-key': key } });
    const first = await post();
    const second = await post();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = [(await first.json()) as { id: string }, (await second.json()) as { id: string }];
    expect(b.id).toBe(a.id);
    expect(await stack.db.kycSession.count({ where: { tenantId: stack.tenantId, id: a.id } })).toBe(1);
  });

  it('frees a key whose request never finished once its claim has expired (the server died mid-request)', async () => {
    const key = `crashed-${Date.now()}`;
    const post = () => fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'idempotency-key': key } });
    // What a server that died between claiming the key and answering leaves behind.
    const claimedAt = new Date(Date.now() - 60 * 60_000);
    await stack.db.idempotencyRecord.create({ data: { tenantId: stack.tenantId, key, createdAt: claimedAt, expiresAt: new Date(claimedAt.getTime() + 15 * 60_000) } });
    const retry = await post();
    expect(retry.status).toBe(201);
    const again = await post();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(((await retry.json()) as { id: string }).id);
  });

  it('gives a retry the session its dead first request created, not a second one (found by the chaos run)', async () => {
    const key = `died-after-insert-${Date.now()}`;
    const post = () => fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'idempotency-key': key } });
    const first = (await (await post()).json()) as { id: string };
    // The server was SIGKILLed after creating the session and starting its workflow, before it
    // stored the response; its claim lapsed. What is left: the session, the workflow, no record.
    await stack.db.idempotencyRecord.deleteMany({ where: { tenantId: stack.tenantId, key } });
    const retry = await post();
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as { id: string }).id).toBe(first.id);
    expect(await stack.db.kycSession.count({ where: { tenantId: stack.tenantId, id: first.id } })).toBe(1);
    const created = await stack.db.auditEvent.count({ where: { sessionId: first.id, action: 'SESSION_CREATED' } });
    expect(created).toBe(1);
    expect((await stack.workflows.client.workflow.getHandle(workflowIdFor(first.id)).describe()).status.name).toBe('RUNNING');
  });

  it('gives a key reused after its TTL a new session, not its old, finished one', async () => {
    const key = `reused-${Date.now()}`;
    const post = () => fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'idempotency-key': key } });
    const old = (await (await post()).json()) as { id: string };
    // A day later: the key's record has expired and been swept, the session is long decided.
    await stack.db.idempotencyRecord.deleteMany({ where: { tenantId: stack.tenantId, key } });
    await stack.db.kycSession.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 25 * 60 * 60_000) } });
    const fresh = await post();
    expect(fresh.status).toBe(201);
    const body = (await fresh.json()) as { id: string; status: string };
    expect(body.id).not.toBe(old.id);
    expect(body.status).toBe('AWAITING_FILES');
  });

  it('keeps keys per tenant: another tenant may use the same key', async () => {
    const key = `shared-${Date.now()}`;
    const mine = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'idempotency-key': key } });
    const theirs = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${other.apiKey}`, 'idempotency-key': key } });
    expect(((await mine.json()) as { id: string }).id).not.toBe(((await theirs.json()) as { id: string }).id);
  });

  it('replays an upload, and answers 422 when the same key comes with a different file', async () => {
    const session = await createSession(stack);
    const key = `upload-${Date.now()}`;
    const first = await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'), { 'idempotency-key': key });
    const again = await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    await expectProblem(await upload(stack, session.id, 'ID_IMAGE', fixture('biden.jpg'), { 'idempotency-key': key }), 422, 'idempotency-key-reused');
    const files = await stack.db.uploadedFile.findMany({ where: { sessionId: session.id } });
    expect(files.map((f) => f.sha256)).toEqual([first.body.sha256]);
    // The refused file was stored while it streamed in; the 422 removed it again.
    expect(await readdir(path.join(stack.blobDir, 'sessions', session.id, 'ID_IMAGE'))).toEqual([first.body.sha256]);
  });

  it('takes the same bytes twice as one file and one signal', async () => {
    const session = await createSession(stack);
    const first = await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    const second = await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body).toMatchObject({ duplicate: true, fileId: first.body.fileId });
    expect(await stack.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(1);
    const history = await stack.workflows.client.workflow.getHandle(workflowIdFor(session.id)).fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals).toHaveLength(1);
  });

  it('replays the upload that started the comparison even after the session moved on', async () => {
    const session = await createSession(stack);
    expect((await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).status).toBe(201);
    const key = `last-${Date.now()}`;
    const first = await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    await stack.outcome(session.id);
    const retry = await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'), { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    // Without the key, the same bytes are still a harmless duplicate (the chaos run found a
    // client whose answer was lost to an API crash retrying exactly this); other bytes are refused.
    const sameBytes = await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    expect(sameBytes.status).toBe(200);
    expect(sameBytes.body).toMatchObject({ duplicate: true, fileId: first.body.fileId, sha256: first.body.sha256 });
    await expectProblem(await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg')), 409, 'session-closed');
    // The refused bytes were read (they might have been the retry) and are gone again.
    expect(await readdir(path.join(stack.blobDir, 'sessions', session.id, 'ID_IMAGE'))).toEqual([first.body.sha256]);
    expect((await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).body).toMatchObject({ duplicate: true });
  });
});

describe('operations', () => {
  it('answers /healthz and /readyz, and echoes request ids', async () => {
    expect(await (await fetch(`${stack.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: true, temporal: true } });
    const res = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'x-request-id': 'trace-me-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    const { id } = (await res.json()) as { id: string };
    const described = await stack.workflows.client.workflow.getHandle(workflowIdFor(id)).describe();
    expect(described.memo).toMatchObject({ requestId: 'trace-me-123', tenantId: stack.tenantId });
  });

  it('replaces a client request id that is long or not plain, so nothing odd reaches logs and memos', async () => {
    for (const sent of ['x'.repeat(65), 'id"}{"admin":true', 'a b', '../../etc']) {
      const res = await fetch(`${stack.baseUrl}/healthz`, { headers: { 'x-request-id': sent } });
      const echoed = res.headers.get('x-request-id');
      expect(echoed).not.toBe(sent);
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    }
    const plain = await fetch(`${stack.baseUrl}/healthz`, { headers: { 'x-request-id': 'app-7.trace:01_X' } });
    expect(plain.headers.get('x-request-id')).toBe('app-7.trace:01_X');
  });

  it('documents every route, the auth scheme and the error codes in /openapi.json', async () => {
    const doc = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
      info: { description: string };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/sessions', '/v1/sessions/{id}', '/v1/sessions/{id}/files', '/healthz', '/readyz']));
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.sessionToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/sessions/{id}/files']!.post!.security).toEqual([{ apiKey: [] }, { sessionToken: [] }]);
    // The document served is the one the typed client was generated from (clients/typescript).
    expect(doc).toEqual(JSON.parse(await readFile(CLIENT_DOCUMENT, 'utf8')));
    expect(Object.keys(doc.paths['/v1/sessions/{id}/files']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '404', '409', '413', '415', '422', '429']),
    );
    for (const code of ['file-too-large', 'unsupported-media-type', 'idempotency-key-reused', 'unauthorized']) expect(doc.info.description).toContain(code);
    // Each liveness rejection is explained where API users read the session's shape.
    const text = JSON.stringify(doc);
    for (const check of LIVENESS_CHECKS) expect(text).toContain(`\`${LIVENESS_REJECTIONS[check]}\` (${check}): ${LIVENESS_FAILURE_MEANING[check]}`);
    expect((await fetch(`${stack.baseUrl}/docs/`)).status).toBe(200);
  });
});
