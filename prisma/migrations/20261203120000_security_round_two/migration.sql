-- Security, round two.

-- A stored idempotent response belongs to the credential that made it (an API key id, or
-- `session:<id>` for a session token), and goes with its session when the session is erased.
ALTER TABLE "idempotency_records" ADD COLUMN "scope" TEXT NOT NULL DEFAULT '';
ALTER TABLE "idempotency_records" ADD COLUMN "session_id" UUID;
ALTER TABLE "idempotency_records" DROP CONSTRAINT "idempotency_records_pkey";
ALTER TABLE "idempotency_records" ADD CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("tenant_id", "scope", "key");
CREATE INDEX "idempotency_records_session_id_idx" ON "idempotency_records"("session_id");

-- Every settled comparison carries the GPU worker's Ed25519 signature over its decision, which
-- the recording activity and the API verify: a verdict no one with Temporal access can write.
ALTER TABLE "face_comparisons" ADD COLUMN "signature" TEXT;

-- The audit trail outlives what it records: no cascade from sessions, and no service role may
-- delete from it (prisma/grants.sql); only the owner role purges it.
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_session_id_fkey";

-- Request budgets shared by every API replica: hits per bucket (a verified credential, or a
-- client address) per fixed window. Unlogged: a crash may forget the current minute, nothing else.
CREATE UNLOGGED TABLE "rate_limit_windows" (
    "bucket" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL,
    CONSTRAINT "rate_limit_windows_pkey" PRIMARY KEY ("bucket", "window_start")
);
CREATE INDEX "rate_limit_windows_window_start_idx" ON "rate_limit_windows"("window_start");

-- Operators of the Temporal codec endpoint: one token each, stored as a sha256, with scopes.
CREATE TABLE "operator_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "scopes" TEXT[] NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "operator_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "operator_tokens_prefix_key" ON "operator_tokens"("prefix");
