#!/usr/bin/env bash
# Python test tooling in .venv, from PyPI, once per version of test/requirements.txt: the OpenCV
# reference (parity tests, benchmark), onnx (test models), schemathesis (API fuzzing) and moto (an
# S3-compatible server for the S3 blob store tests).
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=test/requirements.txt
STAMP=.venv/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "Installing the OpenCV reference into .venv..." >&2
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r "$REQ"
echo "$want" > "$STAMP"
