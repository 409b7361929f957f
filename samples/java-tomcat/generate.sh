#!/bin/sh
# Regenerates server.log (a real Tomcat 10.1 with Jakarta WebSocket endpoints, logging through
# Tomcat's OneLineFormatter) and server.expected.json (the verdict each session's scenario calls
# for), with Debian's libtomcat10-embed-java and libjakarta-annotation-api-java on OpenJDK 17.
# Usage: samples/java-tomcat/generate.sh [outDir]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
classes="$(mktemp -d)"
cp=/usr/share/java/tomcat10-embed-core.jar:/usr/share/java/tomcat10-embed-websocket.jar:/usr/share/java/jakarta-annotation-api.jar
javac -J-XX:TieredStopAtLevel=1 -nowarn -d "$classes" -cp "$cp" "$here/Main.java"
java -XX:TieredStopAtLevel=1 -cp "$cp:$classes" Main "$out"
rm -rf "$classes"
