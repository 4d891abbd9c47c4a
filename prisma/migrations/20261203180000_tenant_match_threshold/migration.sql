-- A tenant's own similarity threshold (within the service's bounds), fixed on each session at creation.
ALTER TABLE "tenants" ADD COLUMN "match_threshold" DOUBLE PRECISION;
ALTER TABLE "kyc_sessions" ADD COLUMN "match_threshold" DOUBLE PRECISION;
