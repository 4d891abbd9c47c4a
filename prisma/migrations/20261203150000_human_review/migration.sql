-- Human review: borderline machine decisions wait for a person.
ALTER TYPE "SessionStatus" ADD VALUE 'NEEDS_REVIEW' AFTER 'PROCESSING';

ALTER TABLE "tenants" ADD COLUMN "review_policy" JSONB;

-- Existing keys keep what they could do; reviewer keys are made explicitly.
ALTER TABLE "api_keys" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'INTEGRATION';

CREATE TABLE "session_reviews" (
    "session_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "triggers" TEXT[],
    "machine_match" BOOLEAN NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "overdue_at" TIMESTAMPTZ(3) NOT NULL,
    "on_timeout" TEXT NOT NULL,
    "decision" TEXT,
    "reason_code" TEXT,
    "note" TEXT,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "idempotency_key" TEXT,
    CONSTRAINT "session_reviews_pkey" PRIMARY KEY ("session_id")
);
CREATE INDEX "session_reviews_tenant_id_decided_at_requested_at_idx" ON "session_reviews"("tenant_id", "decided_at", "requested_at");
ALTER TABLE "session_reviews" ADD CONSTRAINT "session_reviews_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "kyc_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
