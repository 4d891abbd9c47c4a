#!/usr/bin/env bash
# Prints the path of a `go` command, fetching the Go toolchain from the Go module proxy into
# .tools/go when the machine has none: the same zip the go command downloads for GOTOOLCHAIN,
# pinned here by sha256. Used to build the Temporal CLI (scripts/ensure-temporal-cli.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v go >/dev/null; then command -v go; exit 0; fi
VERSION=1.26.8
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=linux-amd64 SHA256=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7 ;;
  Linux-aarch64) PLATFORM=linux-arm64 SHA256=02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99 ;;
  *) echo "No pinned Go toolchain for $(uname -s)-$(uname -m): install Go (https://go.dev/dl) or set TEMPORAL_CLI_PATH." >&2; exit 1 ;;
esac
DIR=.tools/go
if [ -x "$DIR/bin/go" ] && [ "$(cat "$DIR/.version" 2>/dev/null)" = "$VERSION-$PLATFORM" ]; then echo "$PWD/$DIR/bin/go"; exit 0; fi
command -v python3 >/dev/null || { echo "python3 is needed to unpack the Go toolchain (apt-get install python3)" >&2; exit 1; }
PROXY="${GOPROXY:-https://proxy.golang.org}"; PROXY="${PROXY%%,*}"; [ "$PROXY" = direct ] || [ "$PROXY" = off ] && PROXY=https://proxy.golang.org
ZIP=$(mktemp); trap 'rm -f "$ZIP"' EXIT
echo "Fetching Go $VERSION ($PLATFORM, ~70 MB) from $PROXY into $DIR, once..." >&2
curl -fsSL "$PROXY/golang.org/toolchain/@v/v0.0.1-go$VERSION.$PLATFORM.zip" -o "$ZIP"
echo "$SHA256  $ZIP" | sha256sum -c --quiet - || { echo "the Go toolchain's sha256 does not match: refusing it" >&2; exit 1; }
rm -rf "$DIR" && mkdir -p "$DIR"
# zipfile drops the executable bits: each entry's mode is restored from the archive.
python3 - "$ZIP" "$DIR" <<'PY'
import os, sys, zipfile
archive, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive) as z:
    for info in z.infolist():
        # Entries sit under golang.org/toolchain@<version>/: GOROOT is what follows.
        name = '/'.join(info.filename.split('/')[2:])
        if not name or name.endswith('/'):
            continue
        path = os.path.join(target, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with z.open(info) as src, open(path, 'wb') as dst:
            dst.write(src.read())
        mode = (info.external_attr >> 16) & 0o777
        os.chmod(path, mode or 0o644)
PY
echo "$VERSION-$PLATFORM" > "$DIR/.version"
echo "$PWD/$DIR/bin/go"
