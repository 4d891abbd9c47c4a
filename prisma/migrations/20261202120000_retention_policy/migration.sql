-- A tenant's own retention periods ({"mediaMs", "frameDetailsMs", "decisionMs"}); missing keys
-- take the service defaults (MEDIA_RETENTION, FRAME_DETAILS_RETENTION, DECISION_RETENTION).
ALTER TABLE "tenants" ADD COLUMN "retention_policy" JSONB;
-- The retention sweep selects ended sessions by age.
CREATE INDEX "kyc_sessions_completed_at_idx" ON "kyc_sessions"("completed_at");
