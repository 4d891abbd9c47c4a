#!/usr/bin/env bash
# Provides Temporal's time-skipping test server (the one TestWorkflowEnvironment.createTimeSkipping
# runs) as .tools/bin/temporal-test-server, once. The SDK downloads a native build from GitHub at
# test time; offline, the same server runs from its Maven Central artifact on the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.38.0
DIR=.tools/temporal-test-server
BIN=.tools/bin/temporal-test-server
if [ -x "$BIN" ] && [ "$(cat "$DIR/version" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null; then
    echo "The Temporal test server needs $tool (apt-get install default-jre-headless maven)." >&2
    exit 1
  fi
done
echo "Fetching io.temporal:temporal-test-server:$VERSION and its dependencies into $DIR..." >&2
mkdir -p "$DIR" .tools/bin
cat > "$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kyc</groupId><artifactId>temporal-test-server-deps</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$VERSION</version></dependency>
  </dependencies>
</project>
POM
rm -rf "$DIR/lib"
mvn -q -f "$DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$PWD/$DIR/lib"
# The SDK starts it as `<exe> <port> [--enable-time-skipping]`, like the native build.
cat > "$BIN" <<'SH'
#!/bin/sh
exec java -cp "$(dirname "$0")/../temporal-test-server/lib/*" io.temporal.testserver.TestServer "$@"
SH
chmod +x "$BIN"
echo "$VERSION" > "$DIR/version"
