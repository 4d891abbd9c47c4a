import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IdempotencyStore } from '../../src/db/idempotency-store.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { newTenant } from '../../dev/tenants.js';

const MINUTE = 60_000;
const times = { keyTtlMs: 24 * 60 * MINUTE, claimTimeoutMs: 15 * MINUTE };
let db: Db;
let tenantId: string;
// Years in the past, so that a sweep at this clock can only touch this file's records.
let clock = new Date('2020-01-01T12:00:00Z');
const store = () => new IdempotencyStore(db, times, () => clock);
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  ({ tenantId } = await newTenant(db, 'idempotency-store'));
});

afterAll(async () => {
  await db?.$disconnect();
});

describe('IdempotencyStore', () => {
  it('claims a key once, answers in-progress meanwhile, then replays the stored response', async () => {
    const key = randomUUID();
    const claim = await store().claim(tenantId, key);
    expect(claim.state).toBe('claimed');
    expect((await store().claim(tenantId, key)).state).toBe('in-progress');
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(tenantId, key, claim, 'a'.repeat(64), 201, { id: 'x' });
    expect(await store().claim(tenantId, key)).toEqual({ state: 'completed', requestHash: 'a'.repeat(64), statusCode: 201, body: { id: 'x' } });
  });

  it('lets a retry take over a claim that outlived the claim timeout, and ignores the late first request', async () => {
    const key = randomUUID();
    const first = await store().claim(tenantId, key);
    advance(times.claimTimeoutMs - 1);
    expect((await store().claim(tenantId, key)).state).toBe('in-progress');
    advance(1);
    const second = await store().claim(tenantId, key);
    expect(second.state).toBe('claimed');
    if (first.state !== 'claimed' || second.state !== 'claimed') throw new Error('unreachable');
    // The first request comes back after all: it must not overwrite or free the second's claim.
    await store().complete(tenantId, key, first, 'f'.repeat(64), 500, { late: true });
    await store().release(tenantId, key, first);
    expect((await store().claim(tenantId, key)).state).toBe('in-progress');
    await store().complete(tenantId, key, second, 'b'.repeat(64), 201, { id: 'second' });
    expect(await store().claim(tenantId, key)).toMatchObject({ state: 'completed', body: { id: 'second' } });
  });

  it('keeps a claim whose request extends it, and frees it one claim timeout after the extensions stop', async () => {
    const key = randomUUID();
    const claim = await store().claim(tenantId, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    for (let i = 0; i < 5; i++) {
      advance(times.claimTimeoutMs - 1);
      expect(await store().extend(tenantId, key, claim)).toBe(true);
    }
    expect((await store().claim(tenantId, key)).state).toBe('in-progress');
    // The server died: no more extensions, and the key is free one claim timeout later.
    advance(times.claimTimeoutMs);
    const retry = await store().claim(tenantId, key);
    expect(retry.state).toBe('claimed');
    expect(await store().extend(tenantId, key, claim)).toBe(false);
  });

  it('gives exactly one of two concurrent retries an expired key', async () => {
    const key = randomUUID();
    await store().claim(tenantId, key);
    advance(times.claimTimeoutMs);
    const claims = await Promise.all([store().claim(tenantId, key), store().claim(tenantId, key), store().claim(tenantId, key)]);
    expect(claims.map((c) => c.state).sort()).toEqual(['claimed', 'in-progress', 'in-progress']);
  });

  it('replays a response for the key TTL, then treats the key as new', async () => {
    const key = randomUUID();
    const claim = await store().claim(tenantId, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(tenantId, key, claim, 'c'.repeat(64), 201, { id: 'old' });
    advance(times.keyTtlMs - 1);
    expect((await store().claim(tenantId, key)).state).toBe('completed');
    advance(1);
    expect((await store().claim(tenantId, key)).state).toBe('claimed');
  });

  it('frees a released claim for the retry at once', async () => {
    const key = randomUUID();
    const claim = await store().claim(tenantId, key);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().release(tenantId, key, claim);
    expect((await store().claim(tenantId, key)).state).toBe('claimed');
  });

  it('sweeps only expired records', async () => {
    const [stuck, done, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    await store().claim(tenantId, stuck);
    const claim = await store().claim(tenantId, done);
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store().complete(tenantId, done, claim, 'd'.repeat(64), 201, null);
    advance(times.claimTimeoutMs);
    await store().claim(tenantId, fresh);
    const keys = async () => (await db.idempotencyRecord.findMany({ where: { tenantId, key: { in: [stuck, done, fresh] } } })).map((r) => r.key).sort();
    await store().deleteExpired();
    expect(await keys()).toEqual([done, fresh].sort());
    advance(times.keyTtlMs);
    await store().deleteExpired();
    expect(await keys()).toEqual([]);
  });
});
