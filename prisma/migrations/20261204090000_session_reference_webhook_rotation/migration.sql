-- The tenant's own opaque reference for a session (its user id), listed and filtered per tenant.
ALTER TABLE "kyc_sessions" ADD COLUMN "reference" VARCHAR(128);
CREATE INDEX "kyc_sessions_tenant_id_reference_idx" ON "kyc_sessions"("tenant_id", "reference");
-- Webhook secret rotation: the previous secret still signs (beside the new one) until the overlap ends.
ALTER TABLE "tenants" ADD COLUMN "webhook_secret_previous" TEXT;
ALTER TABLE "tenants" ADD COLUMN "webhook_secret_previous_until" TIMESTAMPTZ(3);
