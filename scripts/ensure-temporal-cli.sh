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
# Go from the machine, or fetched from the Go module proxy (scripts/ensure-go.sh) when it has none.
GO=$(bash scripts/ensure-go.sh)
echo "Building the Temporal CLI $VERSION into $BIN with $("$GO" version | cut -d' ' -f3) (a few minutes the first time)..." >&2
GOTOOLCHAIN=local GOBIN="$PWD/.tools/bin" "$GO" install "github.com/temporalio/cli/cmd/temporal@$VERSION"
echo "$VERSION" > "$STAMP"
