-- Idempotency keys expire: a claim whose request never finished (its server crashed) after the
-- claim timeout, a stored response after the key TTL. Existing rows get the defaults (15m, 24h).
ALTER TABLE "idempotency_records" ADD COLUMN "expires_at" TIMESTAMPTZ(3);
UPDATE "idempotency_records" SET "expires_at" = COALESCE("completed_at" + INTERVAL '24 hours', "created_at" + INTERVAL '15 minutes');
ALTER TABLE "idempotency_records" ALTER COLUMN "expires_at" SET NOT NULL;

-- CreateIndex
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");
