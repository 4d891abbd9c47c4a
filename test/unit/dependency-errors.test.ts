import { describe, expect, it } from 'vitest';
import { unavailableDependency } from '../../src/api/dependency-errors.js';
import { sessionIdFor } from '../../src/sessions/session-id.js';

// Shapes as Prisma 7 with the pg driver adapter throws them (seen in the chaos run's API log).
const prismaError = (code: string, cause: Record<string, unknown>) => Object.assign(new Error('Invalid `prisma.apiKey.findUnique()` invocation'), { code, meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });

describe('unavailableDependency', () => {
  it('names the database for a server shutting down, unreachable or gone mid-query', () => {
    expect(unavailableDependency(prismaError('P2039', { originalCode: '57P03', kind: 'postgres', message: 'the database system is shutting down' }))).toBe('the database');
    expect(unavailableDependency(prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).toBe('the database');
    expect(unavailableDependency(prismaError('P2039', { originalCode: '57P01', kind: 'postgres' }))).toBe('the database');
    expect(unavailableDependency(prismaError('P2039', { originalCode: '08006', kind: 'postgres' }))).toBe('the database');
    // node-postgres's own, passed on unwrapped by Prisma's query interpreter during a restart.
    expect(unavailableDependency(new Error('Connection terminated unexpectedly'))).toBe('the database');
    expect(unavailableDependency(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('the database');
  });

  it('names the workflow service for a gRPC UNAVAILABLE', () => {
    expect(unavailableDependency(Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14, details: 'connection refused', metadata: {} }))).toBe('the workflow service');
  });

  it('leaves real bugs and bad data alone: a unique violation or a plain error stays a 500', () => {
    expect(unavailableDependency(prismaError('P2002', { originalCode: '23505', kind: 'postgres' }))).toBeUndefined();
    expect(unavailableDependency(new TypeError('x is undefined'))).toBeUndefined();
    expect(unavailableDependency(new Error('Connection terminated unexpectedly, said the user'))).toBeUndefined();
    expect(unavailableDependency(undefined)).toBeUndefined();
  });
});

describe('sessionIdFor', () => {
  const a = { tenantId: 'tenant-a', keyId: 'api-key-1' };
  it('is a valid UUID, the same for the same credential and key, different otherwise', () => {
    const id = sessionIdFor(a, 'key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessionIdFor({ ...a }, 'key-1')).toBe(id);
    expect(sessionIdFor({ ...a, tenantId: 'tenant-b' }, 'key-1')).not.toBe(id);
    expect(sessionIdFor(a, 'key-2')).not.toBe(id);
  });

  it('differs between two credentials of one tenant: no key derives another key\'s session', () => {
    expect(sessionIdFor({ ...a, keyId: 'api-key-2' }, 'key-1')).not.toBe(sessionIdFor(a, 'key-1'));
  });
});
