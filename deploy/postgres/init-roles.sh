#!/bin/sh
# Runs once, when the postgres container initialises an empty cluster: one role per service.
# The owner (POSTGRES_USER) runs only the migrations; prisma/grants.sql, applied by every
# migrate run, gives kyc_api and kyc_worker the table rights their services need and no more.
# Temporal gets its own role and databases.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v api_password="$KYC_API_DB_PASSWORD" -v worker_password="$KYC_WORKER_DB_PASSWORD" -v gpu_password="$KYC_GPU_DB_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" -v dbname="$POSTGRES_DB" <<'SQL'
CREATE ROLE kyc_api LOGIN PASSWORD :'api_password';
CREATE ROLE kyc_worker LOGIN PASSWORD :'worker_password';
CREATE ROLE kyc_gpu LOGIN PASSWORD :'gpu_password';
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO kyc_api, kyc_worker, kyc_gpu;
SQL
