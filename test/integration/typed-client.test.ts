// The typed client an integrator installs (clients/typescript, built with tsc, imported from its
// dist) against the real stack: the whole path from a backend's session with a reference to the
// app's uploads and decision, listing with filters and cursors, and problems as typed errors.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIR } from '../../dev/openapi-document.js';
import { fixture } from '../../dev/paths.js';
import { newTenantWithKey } from '../../dev/tenants.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import type * as ClientSource from '../../clients/typescript/src/index.js';

type ClientModule = typeof ClientSource;

let stack: TestStack;
let kyc: ClientModule;

beforeAll(async () => {
  // The package as published: compiled by its own tsconfig, loaded from dist.
  await promisify(execFile)(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', CLIENT_DIR], { cwd: REPO_ROOT });
  kyc = (await import(path.join(CLIENT_DIR, 'dist', 'index.js'))) as ClientModule;
  stack = await startTestStack({ uploadTimeoutMs: 120_000 });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const blobOf = async (name: string) => new Blob([await readFile(fixture(name))]);

describe('typed client', () => {
  it('runs a session end to end: backend creates with a reference, the app uploads and reads its decision', async () => {
    const backend = kyc.createKycClient({ baseUrl: stack.baseUrl, token: stack.apiKey });
    const created = await backend.createSession({ reference: 'user-4711' }, { idempotencyKey: randomUUID() });
    expect(created).toMatchObject({ status: 'AWAITING_FILES', reference: 'user-4711' });

    const app = kyc.createKycClient({ baseUrl: stack.baseUrl, token: created.clientToken });
    const id = await app.uploadFile(created.id, 'ID_IMAGE', await blobOf('lin-manuel-miranda.png'), { filename: 'id.png' });
    expect(id).toMatchObject({ kind: 'ID_IMAGE', duplicate: false });
    await app.uploadFile(created.id, 'SELFIE_VIDEO', await blobOf('short_hamilton_clip.mp4'), { filename: 'selfie.mp4' });
    const seenByApp = await app.waitForDecision(created.id, { timeoutMs: 120_000 });
    expect(seenByApp).toMatchObject({ status: 'COMPLETED', decision: 'VERIFIED' });
    expect(seenByApp).not.toHaveProperty('result');

    const seenByBackend = await backend.getSession(created.id);
    expect(seenByBackend).toMatchObject({ status: 'COMPLETED', reference: 'user-4711', result: { match: true } });
  });

  it('answers problems as KycApiError with their stable code', async () => {
    const backend = kyc.createKycClient({ baseUrl: stack.baseUrl, token: stack.apiKey });
    const refused = async (call: Promise<unknown>) => call.then(() => null, (err: unknown) => err);

    const pii = await refused(backend.createSession({ reference: 'jane.doe@example.com' }));
    expect(pii).toBeInstanceOf(kyc.KycApiError);
    expect(pii).toMatchObject({ status: 400, code: 'validation-error' });
    expect(await refused(backend.createSession({ reference: 'x'.repeat(129) }))).toMatchObject({ status: 400 });
    expect(await refused(backend.getSession(randomUUID()))).toMatchObject({ status: 404, code: 'session-not-found' });

    // The same Idempotency-Key with another reference is another request.
    const key = randomUUID();
    await backend.createSession({ reference: 'case-1' }, { idempotencyKey: key });
    expect(await refused(backend.createSession({ reference: 'case-2' }, { idempotencyKey: key }))).toMatchObject({ status: 422, code: 'idempotency-key-reused' });

    // A session token lists nothing: listing is the backend's.
    const { clientToken } = await backend.createSession();
    const app = kyc.createKycClient({ baseUrl: stack.baseUrl, token: clientToken });
    expect(await refused(app.listSessions())).toMatchObject({ status: 403, code: 'insufficient-scope' });
    expect(await refused(backend.listSessions({ cursor: 'not-a-cursor' }))).toMatchObject({ status: 400, code: 'validation-error' });
  });

  it("lists the tenant's sessions newest first, by reference, status and time, page by page", async () => {
    const { apiKey } = await newTenantWithKey(stack.db, 'listing');
    const tenant = kyc.createKycClient({ baseUrl: stack.baseUrl, token: apiKey });
    const batch = `batch-${randomUUID().slice(0, 8)}`;
    const before = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await tenant.createSession({ reference: batch })).id);
    const unrelated = await tenant.createSession({ reference: 'someone-else' });
    const erased = await tenant.createSession({ reference: batch });
    await tenant.eraseSession(erased.id);

    // Pages of two: 3 pages, newest first, each session once.
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await tenant.listSessions({ reference: batch, status: 'AWAITING_FILES', limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...ids].reverse());

    const all = [];
    for await (const s of tenant.allSessions({ limit: 3 })) all.push(s);
    expect(all.map((s) => s.id)).toEqual([erased.id, unrelated.id, ...[...ids].reverse()]);
    expect(all[0]).toMatchObject({ status: 'DELETED', reference: batch, filesReceived: [] });

    expect((await tenant.listSessions({ status: ['DELETED'] })).items.map((s) => s.id)).toEqual([erased.id]);
    expect((await tenant.listSessions({ reference: 'someone-else' })).items.map((s) => s.id)).toEqual([unrelated.id]);
    expect((await tenant.listSessions({ createdBefore: before.toISOString() })).items).toEqual([]);
    expect((await tenant.listSessions({ createdAfter: before.toISOString() })).items).toHaveLength(7);

    // Another tenant's key sees none of them, filter or not.
    const other = kyc.createKycClient({ baseUrl: stack.baseUrl, token: stack.apiKey });
    expect((await other.listSessions({ reference: batch })).items).toEqual([]);
  });
});
