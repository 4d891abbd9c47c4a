#!/usr/bin/env bash
# The parity tests' oracle: OpenCV and onnxruntime for Python in .venv, from PyPI, once per
# version of test/reference/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=test/reference/requirements.txt
STAMP=.venv/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "Installing the OpenCV reference into .venv..." >&2
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r "$REQ"
echo "$want" > "$STAMP"
