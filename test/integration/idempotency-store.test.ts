import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IdempotencyStore } from '../../src/db/idempotency-store.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { newTenant } from '../../dev/tenants.js';

const MINUTE = 60_000;
const times = { keyTtlMs: 24 * 60 * MINUTE, claimTimeoutMs: 15 * MINUTE };
let db: Db;
let tenantId: string;
/** The credential the records belong to (an API key's id). */
let owner: { tenantId: string; scope: string };
// Years in the past, so that a sweep at this clock can only touch this file's records.
let clock = new Date('2020-01-01T12:00:00Z');
const store = () => new IdempotencyStore(db, times, () => clock);
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  ({ tenantId } = await newTenant(db, 'idempotency-store'));
  owner = { tenantId, scope: 'api-key-1' };
});

afterAll(async () => {
  await db?.$disconnect();
});

describe('IdempotencyStore', () => {
  it('claims a key once, answers in-progress meanwhile, then replays the stored response', async () => {
    const key = randomUUID();
    const claim = await store().claim(owner, key);
    expect(claim.state).toBe('claimed');
    expect((await store().claim(owner, key)).state).toBe('in-progress');
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(owner, key, claim, { requestHash: 'a'.repeat(64), statusCode: 201, body: { id: 'x' } });
    expect(await store().claim(owner, key)).toEqual({ state: 'completed', requestHash: 'a'.repeat(64), statusCode: 201, body: { id: 'x' } });
  });

  it('lets a retry take over a claim that outlived the claim timeout, and ignores the late first request', async () => {
    const key = randomUUID();
    const first = await store().claim(owner, key);
    advance(times.claimTimeoutMs - 1);
    expect((await store().claim(owner, key)).state).toBe('in-progress');
    advance(1);
    const second = await store().claim(owner, key);
    expect(second.state).toBe('claimed');
    if (first.state !== 'claimed' || second.state !== 'claimed') throw new Error('unreachable');
    // The first request comes back after all: it must not overwrite or free the second's claim.
    await store().complete(owner, key, first, { requestHash: 'f'.repeat(64), statusCode: 500, body: { late: true } });
    await store().release(owner, key, first);
    expect((await store().claim(owner, key)).state).toBe('in-progress');
    await store().complete(owner, key, second, { requestHash: 'b'.repeat(64), statusCode: 201, body: { id: 'second' } });
    expect(await store().claim(owner, key)).toMatchObject({ state: 'completed', body: { id: 'second' } });
  });

  it('keeps a claim whose request extends it, and frees it one claim timeout after the extensions stop', async () => {
    const key = randomUUID();
    const claim = await store().claim(owner, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    for (let i = 0; i < 5; i++) {
      advance(times.claimTimeoutMs - 1);
      expect(await store().extend(owner, key, claim)).toBe(true);
    }
    expect((await store().claim(owner, key)).state).toBe('in-progress');
    // The server died: no more extensions, and the key is free one claim timeout later.
    advance(times.claimTimeoutMs);
    const retry = await store().claim(owner, key);
    expect(retry.state).toBe('claimed');
    expect(await store().extend(owner, key, claim)).toBe(false);
  });

  it('gives exactly one of two concurrent retries an expired key', async () => {
    const key = randomUUID();
    await store().claim(owner, key);
    advance(times.claimTimeoutMs);
    const claims = await Promise.all([store().claim(owner, key), store().claim(owner, key), store().claim(owner, key)]);
    expect(claims.map((c) => c.state).sort()).toEqual(['claimed', 'in-progress', 'in-progress']);
  });

  it('replays a response for the key TTL, then treats the key as new', async () => {
    const key = randomUUID();
    const claim = await store().claim(owner, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(owner, key, claim, { requestHash: 'c'.repeat(64), statusCode: 201, body: { id: 'old' } });
    advance(times.keyTtlMs - 1);
    expect((await store().claim(owner, key)).state).toBe('completed');
    advance(1);
    expect((await store().claim(owner, key)).state).toBe('claimed');
  });

  it('frees a released claim for the retry at once', async () => {
    const key = randomUUID();
    const claim = await store().claim(owner, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().release(owner, key, claim);
    expect((await store().claim(owner, key)).state).toBe('claimed');
  });

  it("keeps each credential's stored responses its own: another key of the tenant reusing the key is a fresh claim", async () => {
    const key = randomUUID();
    const claim = await store().claim(owner, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(owner, key, claim, { requestHash: 'e'.repeat(64), statusCode: 201, body: { clientToken: 'kst_secret' } });
    const other = await store().claim({ tenantId, scope: 'session:another' }, key);
    expect(other.state).toBe('claimed');
    expect(await store().claim(owner, key)).toMatchObject({ state: 'completed', body: { clientToken: 'kst_secret' } });
  });

  it('sweeps only expired records', async () => {
    const [stuck, done, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    await store().claim(owner, stuck);
    const claim = await store().claim(owner, done);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(owner, done, claim, { requestHash: 'd'.repeat(64), statusCode: 201, body: null });
    advance(times.claimTimeoutMs);
    await store().claim(owner, fresh);
    const keys = async () => (await db.idempotencyRecord.findMany({ where: { tenantId, key: { in: [stuck, done, fresh] } } })).map((r) => r.key).sort();
    await store().deleteExpired();
    expect(await keys()).toEqual([done, fresh].sort());
    advance(times.keyTtlMs);
    await store().deleteExpired();
    expect(await keys()).toEqual([]);
  });
});
