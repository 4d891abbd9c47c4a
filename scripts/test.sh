#!/usr/bin/env bash
# README command 2: the full test suite. Typecheck, lint, then unit, replay, workflow (time-skipping
# test server), pipeline, parity (against OpenCV's reference) and integration tests on a real Temporal dev server, a real PostgreSQL,
# the real ffmpeg and the real models.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-temporal-cli.sh
bash scripts/ensure-temporal-test-server.sh
bash scripts/ensure-reference-python.sh
npx tsc --noEmit
npx eslint .
exec npx vitest run "$@"
