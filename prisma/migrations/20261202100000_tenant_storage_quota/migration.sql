-- A tenant's own storage quota in bytes; NULL: the service default (TENANT_STORAGE_QUOTA).
ALTER TABLE "tenants" ADD COLUMN "storage_quota_bytes" BIGINT;
