// The service roles of a deployment (prisma/grants.sql): each can do what its service does and
// nothing else; no service role can change the schema.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyMigrations } from '../../src/db/migrator.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

const ROLES = ['kyc_api', 'kyc_worker', 'kyc_gpu'];
const admin = () => new pg.Client({ connectionString: inject('databaseUrl') });
const as = (role: string) => {
  const url = new URL(inject('databaseUrl'));
  url.username = role;
  url.password = `${role}-password`;
  return new pg.Client({ connectionString: url.toString() });
};

/** The SQLSTATE of a statement run as `role`, or 'ok'. 42501 is insufficient_privilege. */
async function outcome(role: string, sql: string): Promise<string> {
  const client = as(role);
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(sql);
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

beforeAll(async () => {
  const client = admin();
  await client.connect();
  for (const role of ROLES) {
    await client.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN PASSWORD '${role}-password'; END IF; END $$`);
  }
  await client.end();
  // The roles exist now: a migrate run grants them their rights.
  await applyMigrations(inject('databaseUrl'), path.join(REPO_ROOT, 'prisma', 'migrations'));
});

afterAll(async () => {
  const client = admin();
  await client.connect();
  for (const role of ROLES) await client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  await client.end();
});

describe('service database roles', () => {
  it('the API reads tenants and keys, writes sessions, files and idempotency records, only reads comparisons', async () => {
    expect(await outcome('kyc_api', 'SELECT count(*) FROM api_keys')).toBe('ok');
    expect(await outcome('kyc_api', 'DELETE FROM idempotency_records WHERE expires_at < now()')).toBe('ok');
    expect(await outcome('kyc_api', 'DELETE FROM uploaded_files WHERE false')).toBe('ok');
    expect(await outcome('kyc_api', "UPDATE face_comparisons SET match = true WHERE comparison_key = 'x'")).toBe('42501');
    expect(await outcome('kyc_api', "UPDATE tenants SET webhook_url = 'https://evil.example' WHERE false")).toBe('42501');
    expect(await outcome('kyc_api', 'UPDATE api_keys SET revoked_at = NULL WHERE false')).toBe('42501');
  });

  it('the GPU worker claims and stores comparisons, reads what it judges, and touches nothing else', async () => {
    expect(await outcome('kyc_gpu', "UPDATE face_comparisons SET attempts = attempts WHERE comparison_key = 'x'")).toBe('ok');
    expect(await outcome('kyc_gpu', 'SELECT count(*) FROM uploaded_files')).toBe('ok');
    expect(await outcome('kyc_gpu', "UPDATE kyc_sessions SET status = 'COMPLETED' WHERE false")).toBe('42501');
    expect(await outcome('kyc_gpu', 'DELETE FROM face_comparisons WHERE false')).toBe('42501');
    expect(await outcome('kyc_gpu', 'SELECT count(*) FROM tenants')).toBe('42501');
  });

  it('the orchestration worker records outcomes but cannot rewrite a decision, touch keys or idempotency records', async () => {
    expect(await outcome('kyc_worker', "UPDATE face_comparisons SET match = true WHERE comparison_key = 'x'")).toBe('42501');
    expect(await outcome('kyc_worker', "UPDATE face_comparisons SET signature = 'forged' WHERE comparison_key = 'x'")).toBe('42501');
    expect(await outcome('kyc_worker', "UPDATE face_comparisons SET details = NULL WHERE comparison_key = 'x'")).toBe('ok');
    expect(await outcome('kyc_worker', "UPDATE kyc_sessions SET status = status WHERE false")).toBe('ok');
    expect(await outcome('kyc_worker', 'SELECT count(*) FROM api_keys')).toBe('42501');
    expect(await outcome('kyc_worker', 'DELETE FROM idempotency_records')).toBe('42501');
    expect(await outcome('kyc_worker', 'UPDATE uploaded_files SET size_bytes = 0 WHERE false')).toBe('42501');
    expect(await outcome('kyc_worker', 'INSERT INTO session_erasures (session_id, tenant_id, erased_by, deleted) SELECT id, tenant_id, $$x$$, $${}$$ FROM kyc_sessions WHERE false')).toBe('42501');
  });

  it('reviews: the worker opens them, the API writes a reviewer\'s decision, nobody deletes one or rewrites the machine\'s side', async () => {
    const open = "INSERT INTO session_reviews (session_id, tenant_id, triggers, machine_match, due_at, overdue_at, on_timeout) SELECT id, tenant_id, '{ALWAYS}', true, now(), now(), 'REJECT' FROM kyc_sessions WHERE false ON CONFLICT DO NOTHING";
    expect(await outcome('kyc_worker', open)).toBe('ok');
    expect(await outcome('kyc_api', open)).toBe('42501');
    expect(await outcome('kyc_api', "UPDATE session_reviews SET decision = 'APPROVE', reason_code = 'SAME_PERSON', decided_by = 'k', decided_at = now(), idempotency_key = 'i', note = NULL WHERE decision IS NULL AND false")).toBe('ok');
    expect(await outcome('kyc_api', 'UPDATE session_reviews SET machine_match = true WHERE false')).toBe('42501');
    expect(await outcome('kyc_worker', "UPDATE session_reviews SET decision = 'REJECT', reason_code = 'REVIEW_TIMED_OUT', decided_by = 'timeout-policy', decided_at = now() WHERE false")).toBe('ok');
    expect(await outcome('kyc_worker', 'UPDATE session_reviews SET idempotency_key = NULL WHERE false')).toBe('42501');
    for (const role of ROLES) expect(await outcome(role, 'DELETE FROM session_reviews')).toBe('42501');
    expect(await outcome('kyc_gpu', 'SELECT count(*) FROM session_reviews')).toBe('42501');
  });

  it('the audit trail is append-only for every service, and outlives the sessions it records', async () => {
    // No foreign key from the trail to its sessions: deleting a decision record leaves its lines.
    const client = admin();
    await client.connect();
    const fks = await client.query("SELECT conname FROM pg_constraint WHERE conrelid = 'audit_events'::regclass AND contype = 'f'");
    await client.end();
    expect(fks.rows).toEqual([]);
    for (const role of ROLES) {
      expect(await outcome(role, "UPDATE audit_events SET actor = 'someone else' WHERE false")).toBe('42501');
      expect(await outcome(role, 'DELETE FROM audit_events')).toBe('42501');
    }
  });

  it('no service role can change the schema', async () => {
    for (const role of ROLES) {
      expect(await outcome(role, 'DROP TABLE face_comparisons')).toBe('42501');
      expect(await outcome(role, 'ALTER TABLE kyc_sessions ADD COLUMN x int')).toBe('42501');
      expect(await outcome(role, 'CREATE TABLE public.evil (id int)')).toBe('42501');
    }
  });
});
