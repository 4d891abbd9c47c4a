-- Liveness: a tenant's per-check modes (null = the service defaults), and each session's own
-- copy of the effective policy and its active challenge, fixed when the session is created.
ALTER TABLE "tenants" ADD COLUMN "liveness_policy" JSONB;
ALTER TABLE "kyc_sessions" ADD COLUMN "liveness_policy" JSONB;
ALTER TABLE "kyc_sessions" ADD COLUMN "liveness_challenge" JSONB;
