// A slow or greedy client cannot hold the API's sockets, temp files or storage: idle sockets are
// closed, uploads below the minimum rate end in 408, and a session holds a bounded number of files.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, handWrittenUpload, multipartFileHead, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    env: { API_IDLE_TIMEOUT: '1s', UPLOAD_MIN_RATE: String(256 * 1024), UPLOAD_RATE_GRACE: '500ms', MAX_UPLOADS_PER_SESSION: '2' },
  });
});
afterAll(async () => stack?.stop());

describe('slow clients', () => {
  it('closes a socket that stops sending in the middle of its headers', async () => {
    const { port } = new URL(stack.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closed = await new Promise<boolean>((resolve) => {
      const guard = setTimeout(() => resolve(false), 10_000);
      socket.once('close', () => {
        clearTimeout(guard);
        resolve(true);
      });
      socket.resume();
    });
    expect(closed).toBe(true);
  });

  it('answers 408 upload-too-slow to an upload that trickles, and keeps nothing', async () => {
    const session = await createSession(stack);
    const jpeg = await readFile(fixture('obama.jpg'));
    const boundary = 'trickle';
    const head = multipartFileHead(boundary, 'a.jpg', 'image/jpeg');
    const status = await handWrittenUpload(stack, session.id, 'ID_IMAGE', boundary, (req) => {
      req.write(head);
      // 2 KiB every 100 ms: 20 KiB/s, far below the 256 KiB/s this stack requires.
      let offset = 0;
      const timer = setInterval(() => {
        if (req.destroyed || offset >= jpeg.length) return clearInterval(timer);
        req.write(jpeg.subarray(offset, offset + 2048));
        offset += 2048;
      }, 100);
      req.on('close', () => clearInterval(timer));
    });
    expect(status.status).toBe(408);
    expect(JSON.parse(status.body)).toMatchObject({ code: 'upload-too-slow' });
    expect(await stack.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(0);
  });
});

describe('storage per session', () => {
  it('holds at most MAX_UPLOADS_PER_SESSION files; the next is 409 too-many-uploads', async () => {
    const session = await createSession(stack);
    expect((await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(201);
    expect((await upload(stack, session.id, 'ID_IMAGE', fixture('obama2.jpg'))).status).toBe(201);
    const third = await upload(stack, session.id, 'ID_IMAGE', fixture('biden.jpg'));
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ code: 'too-many-uploads' });
    expect(await stack.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(2);
  });
});

describe('unauthenticated floods', () => {
  it('are limited by client address: past the limit, 429 before any key lookup', async () => {
    const limited = await startTestStack({ env: { AUTH_FAILURES_PER_MINUTE: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        // A fresh key prefix each time: each would get its own per-key rate-limit bucket.
        const prefix = i.toString(16).padStart(12, '0');
        const res = await fetch(`${limited.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer kyc_${prefix}_${'A'.repeat(32)}` } });
        statuses.push(res.status);
        await res.body?.cancel();
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await limited.stop();
    }
  });
});

describe('storage per tenant', () => {
  it('refuses uploads past the tenant quota with 507 and keeps nothing of them; a tenant override applies', async () => {
    const obama = (await readFile(fixture('obama.jpg'))).length;
    const biden = (await readFile(fixture('biden.jpg'))).length;
    // Room for one photo, not two.
    const limited = await startTestStack({ env: { TENANT_STORAGE_QUOTA: String(obama + Math.floor(biden / 2)) } });
    try {
      const session = await createSession(limited);
      expect((await upload(limited, session.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(201);
      // The same bytes again take no more room.
      expect((await upload(limited, session.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(200);
      const over = await upload(limited, session.id, 'ID_IMAGE', fixture('biden.jpg'));
      expect(over.status).toBe(507);
      expect(over.body).toMatchObject({ code: 'storage-quota-exceeded' });
      expect(await limited.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(1);
      const blobs = [];
      for await (const blob of limited.blobs.list()) blobs.push(blob.key);
      expect(blobs.filter((k) => k.startsWith(`sessions/${session.id}/`))).toHaveLength(1);

      await limited.db.tenant.update({ where: { id: limited.tenantId }, data: { storageQuotaBytes: BigInt(10 * 1024 * 1024) } });
      expect((await upload(limited, session.id, 'ID_IMAGE', fixture('biden.jpg'))).status).toBe(201);
    } finally {
      await limited.stop();
    }
  });
});
