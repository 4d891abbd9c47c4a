#!/usr/bin/env bash
# Builds the Temporal CLI (dev server + Web UI) into .tools/bin from the Go module proxy, once.
# v1.5.1 is the newest tag `go install` accepts (later tags carry a replace directive).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v1.5.1
BIN=.tools/bin/temporal
STAMP=.tools/bin/temporal.version
# `go install` builds report 0.0.0-DEV, so the built version is kept in a stamp file.
if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "The Temporal CLI is missing and Go is not installed to build it." >&2
  echo "Install Go (https://go.dev/dl) or set TEMPORAL_CLI_PATH to an existing 'temporal' binary." >&2
  exit 1
fi
echo "Building the Temporal CLI $VERSION into $BIN (a few minutes the first time)..." >&2
GOBIN="$PWD/.tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$VERSION"
echo "$VERSION" > "$STAMP"
