-- Erasure on request: the session row stays as a tombstone (status DELETED) with a receipt of
-- what was deleted, when and by which key; its media, file rows and per-frame details go.
ALTER TYPE "SessionStatus" ADD VALUE 'DELETED';

CREATE TABLE "session_erasures" (
    "session_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "erased_by" TEXT NOT NULL,
    "deleted" JSONB NOT NULL,
    CONSTRAINT "session_erasures_pkey" PRIMARY KEY ("session_id")
);

ALTER TABLE "session_erasures" ADD CONSTRAINT "session_erasures_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "kyc_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
