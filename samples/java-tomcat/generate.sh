#!/bin/sh
# Regenerates a real Tomcat 10.1's log (Jakarta WebSocket endpoints) and the verdict each
# session's scenario calls for, with Debian's libtomcat10-embed-java, libjakarta-annotation-api-java,
# libslf4j-java, liblogback-java, liblogstash-logback-encoder-java and liblog4j2-java on OpenJDK 17,
# in one of three formats (FORMAT):
# - oneline (the default): server.log and server.expected.json, through Tomcat's OneLineFormatter;
# - logstash: logstash.log and logstash.expected.json, through logback's LogstashEncoder;
# - log4j2: log4j2.log and log4j2.expected.json, through log4j2's JsonLayout (log4j2.xml), with
#   java.util.logging given to log4j2 by its LogManager.
# Usage: samples/java-tomcat/generate.sh [outDir] [oneline|logstash|log4j2]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)"
format="${2:-oneline}"
classes="$(mktemp -d)"
cp=""
for jar in tomcat10-embed-core tomcat10-embed-websocket jakarta-annotation-api slf4j-api jul-to-slf4j logback-core logback-classic \
  logstash-logback-encoder jackson-core jackson-databind jackson-annotations log4j-api log4j-core log4j-jul; do
  cp="$cp${cp:+:}/usr/share/java/$jar.jar"
done
set --
if [ "$format" = log4j2 ]; then
  set -- -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager -Dlog4j2.configurationFile="$here/log4j2.xml" -Dwsclose.log="$out/log4j2.log"
fi
javac -J-XX:TieredStopAtLevel=1 -nowarn -d "$classes" -cp "$cp" "$here/Main.java"
java -XX:TieredStopAtLevel=1 "$@" -cp "$cp:$classes" Main "$out" "$format"
rm -rf "$classes"
