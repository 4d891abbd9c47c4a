#!/usr/bin/env bash
# README command 2: the full test suite. Typecheck, lint, then unit, replay, workflow (time-skipping
# test server), pipeline, parity (against OpenCV's reference) and integration tests on a real Temporal dev server, a real PostgreSQL,
# the real ffmpeg and the real models.
set -euo pipefail
cd "$(dirname "$0")/.."
# Stop at once, naming what is missing, rather than minutes later in one test project.
missing=()
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' || missing+=("Node.js >= 22 (found $(node --version))")
for tool in ffmpeg ffprobe python3 docker-compose promtool; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "npm test needs: ${missing[*]}" >&2
  echo "On Debian/Ubuntu: apt-get install ffmpeg python3-venv docker-compose prometheus (Node from nodejs.org; Go, Java and Maven are fetched into .tools/ when missing); .ci/run does this for CI." >&2
  exit 1
fi
bash scripts/ensure-temporal-cli.sh
bash scripts/ensure-ffmpeg.sh
bash scripts/ensure-temporal-test-server.sh
bash scripts/ensure-reference-python.sh
npx tsc --noEmit
npx tsc -p web/capture
npx eslint .
exec npx vitest run "$@"
