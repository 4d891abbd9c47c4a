#!/usr/bin/env bash
# Prints the path of an `mvn` command: the machine's, or Apache Maven from Maven Central
# (pinned, sha256-checked) unpacked into .tools/maven when the machine has none.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v mvn >/dev/null; then command -v mvn; exit 0; fi
VERSION=3.9.16
SHA256=80ffca22aed9e8b9713a232f3394fd81d7f20322df75efdb2b047dbd3e3a23bb
DIR=.tools/maven
if [ -x "$DIR/bin/mvn" ] && [ "$(cat "$DIR/.version" 2>/dev/null)" = "$VERSION" ]; then echo "$PWD/$DIR/bin/mvn"; exit 0; fi
TGZ=$(mktemp); trap 'rm -f "$TGZ"' EXIT
echo "Fetching Apache Maven $VERSION (~9 MB) from Maven Central into $DIR, once..." >&2
curl -fsSL "https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$VERSION/apache-maven-$VERSION-bin.tar.gz" -o "$TGZ"
echo "$SHA256  $TGZ" | sha256sum -c --quiet - || { echo "Maven's sha256 does not match: refusing it" >&2; exit 1; }
rm -rf "$DIR" && mkdir -p "$DIR"
tar -xzf "$TGZ" -C "$DIR" --strip-components=1
echo "$VERSION" > "$DIR/.version"
echo "$PWD/$DIR/bin/mvn"
