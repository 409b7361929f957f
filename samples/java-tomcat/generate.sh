#!/bin/sh
# Regenerates a real Tomcat 10.1's log (Jakarta WebSocket endpoints) and the verdict each
# session's scenario calls for, with Debian's libtomcat10-embed-java, libjakarta-annotation-api-java,
# libslf4j-java, liblogback-java and liblogstash-logback-encoder-java on OpenJDK 17:
# server.log and server.expected.json through Tomcat's OneLineFormatter (FORMAT oneline, the
# default), logstash.log and logstash.expected.json through logback's LogstashEncoder (logstash).
# Usage: samples/java-tomcat/generate.sh [outDir] [oneline|logstash]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
classes="$(mktemp -d)"
cp=""
for jar in tomcat10-embed-core tomcat10-embed-websocket jakarta-annotation-api slf4j-api jul-to-slf4j logback-core logback-classic \
  logstash-logback-encoder jackson-core jackson-databind jackson-annotations; do
  cp="$cp${cp:+:}/usr/share/java/$jar.jar"
done
javac -J-XX:TieredStopAtLevel=1 -nowarn -d "$classes" -cp "$cp" "$here/Main.java"
java -XX:TieredStopAtLevel=1 -cp "$cp:$classes" Main "$out" "${2:-oneline}"
rm -rf "$classes"
