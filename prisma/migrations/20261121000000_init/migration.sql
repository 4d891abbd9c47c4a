-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('AWAITING_FILES', 'PROCESSING', 'COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED');

-- CreateEnum
CREATE TYPE "FileKind" AS ENUM ('ID_IMAGE', 'SELFIE_VIDEO');

-- CreateEnum
CREATE TYPE "ComparisonStatus" AS ENUM ('RUNNING', 'COMPLETED', 'REJECTED');

-- CreateTable
CREATE TABLE "kyc_sessions" (
    "id" UUID NOT NULL,
    "status" "SessionStatus" NOT NULL DEFAULT 'AWAITING_FILES',
    "workflow_id" TEXT NOT NULL,
    "rejection_reason" TEXT,
    "result_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "kyc_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "uploaded_files" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "kind" "FileKind" NOT NULL,
    "storage_key" TEXT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "media_type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "uploaded_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "face_comparisons" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "session_id" UUID NOT NULL,
    "id_image_sha256" CHAR(64) NOT NULL,
    "selfie_video_sha256" CHAR(64) NOT NULL,
    "pipeline_version" TEXT NOT NULL,
    "status" "ComparisonStatus" NOT NULL,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "similarity" DOUBLE PRECISION,
    "match" BOOLEAN,
    "threshold" DOUBLE PRECISION,
    "detector_model" TEXT,
    "embedder_model" TEXT,
    "execution_provider" TEXT,
    "frames_examined" INTEGER,
    "frames_with_face" INTEGER,
    "rejection_reason" TEXT,
    "details" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "face_comparisons_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "kyc_sessions_workflow_id_key" ON "kyc_sessions"("workflow_id");

-- CreateIndex
CREATE INDEX "uploaded_files_session_id_created_at_idx" ON "uploaded_files"("session_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "uploaded_files_session_id_kind_sha256_key" ON "uploaded_files"("session_id", "kind", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "face_comparisons_idempotency_key_key" ON "face_comparisons"("idempotency_key");

-- CreateIndex
CREATE INDEX "face_comparisons_session_id_idx" ON "face_comparisons"("session_id");

-- AddForeignKey
ALTER TABLE "uploaded_files" ADD CONSTRAINT "uploaded_files_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "kyc_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "face_comparisons" ADD CONSTRAINT "face_comparisons_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "kyc_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
