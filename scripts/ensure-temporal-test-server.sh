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
# Java and Maven from the machine, or fetched pinned into .tools/ (scripts/ensure-java.sh, ensure-maven.sh).
JAVA=$(bash scripts/ensure-java.sh)
MVN=$(bash scripts/ensure-maven.sh)
export JAVA_HOME="${JAVA_HOME:-$(cd "$(dirname "$(readlink -f "$JAVA")")/.." && pwd)}"
# A fetched runtime trusts the public CAs only; where the machine keeps a Java trust store (a
# company proxy's CA in it), Maven uses that one.
if [ -f /etc/ssl/certs/java/cacerts ]; then export MAVEN_OPTS="${MAVEN_OPTS:-} -Djavax.net.ssl.trustStore=/etc/ssl/certs/java/cacerts"; fi
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
"$MVN" -q -f "$DIR/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.7.0:copy-dependencies -DoutputDirectory="$PWD/$DIR/lib"
# The SDK starts it as `<exe> <port> [--enable-time-skipping]`, like the native build.
cat > "$BIN" <<SH
#!/bin/sh
exec "$JAVA" -cp "\$(dirname "\$0")/../temporal-test-server/lib/*" io.temporal.testserver.TestServer "\$@"
SH
chmod +x "$BIN"
echo "$VERSION" > "$DIR/version"
