-- The comparison's key is derived from its business inputs; "idempotency" is the HTTP
-- Idempotency-Key's word (idempotency_records). A rename: no data moves, no lock beyond the DDL.
ALTER TABLE "face_comparisons" RENAME COLUMN "idempotency_key" TO "comparison_key";
ALTER INDEX "face_comparisons_idempotency_key_key" RENAME TO "face_comparisons_comparison_key_key";
