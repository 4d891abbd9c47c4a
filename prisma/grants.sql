-- Least-privilege roles for the services, applied after the migrations on every run of
-- `migrate` (GRANT is idempotent). A role is granted only where it exists: deployments create
-- kyc_api, kyc_worker and kyc_gpu (docker-compose: deploy/postgres/init-roles.sh); the local
-- embedded database has none and everything runs as its owner. The migration role owns the
-- tables; no service role can create, alter or drop anything, and none can delete audit rows.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kyc_api') THEN
    GRANT USAGE ON SCHEMA public TO kyc_api;
    GRANT SELECT ON tenants, api_keys, operator_tokens TO kyc_api;
    GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_records, kyc_sessions, rate_limit_windows TO kyc_api;
    GRANT SELECT, INSERT, DELETE ON uploaded_files TO kyc_api;
    -- Erasure on request: the per-frame details go (column grant), unfinished comparisons too.
    GRANT SELECT, DELETE ON face_comparisons TO kyc_api;
    GRANT UPDATE (details) ON face_comparisons TO kyc_api;
    GRANT SELECT, INSERT ON session_erasures TO kyc_api;
    -- A reviewer's decision, written once (decision IS NULL); erasure clears the note.
    GRANT SELECT ON session_reviews TO kyc_api;
    GRANT UPDATE (decision, reason_code, note, decided_by, decided_at, idempotency_key) ON session_reviews TO kyc_api;
    GRANT SELECT, INSERT ON audit_events TO kyc_api;
    GRANT USAGE ON SEQUENCE audit_events_id_seq TO kyc_api;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kyc_worker') THEN
    -- The orchestration worker: records verified outcomes, delivers webhooks, runs retention. It
    -- reads comparisons but cannot change a decision (only the per-frame details, for retention).
    GRANT USAGE ON SCHEMA public TO kyc_worker;
    GRANT SELECT ON tenants TO kyc_worker;
    GRANT SELECT, DELETE ON uploaded_files TO kyc_worker;
    GRANT SELECT, UPDATE, DELETE ON kyc_sessions TO kyc_worker;
    GRANT SELECT, DELETE ON face_comparisons TO kyc_worker;
    GRANT UPDATE (details) ON face_comparisons TO kyc_worker;
    GRANT SELECT ON session_erasures TO kyc_worker;
    -- Requests a review, and applies the tenant's timeout policy when nobody decided in time.
    GRANT SELECT, INSERT ON session_reviews TO kyc_worker;
    GRANT UPDATE (decision, reason_code, decided_by, decided_at) ON session_reviews TO kyc_worker;
    GRANT INSERT ON audit_events TO kyc_worker;
    GRANT USAGE ON SEQUENCE audit_events_id_seq TO kyc_worker;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kyc_gpu') THEN
    -- The GPU worker: reads what it must judge, claims and stores comparisons, nothing else.
    GRANT USAGE ON SCHEMA public TO kyc_gpu;
    GRANT SELECT ON kyc_sessions, uploaded_files TO kyc_gpu;
    GRANT SELECT, INSERT, UPDATE ON face_comparisons TO kyc_gpu;
  END IF;
END
$$;
