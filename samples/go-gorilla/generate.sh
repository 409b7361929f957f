#!/bin/sh
# Regenerates server.log (a real gorilla/websocket server's stderr: std log lines and Go panic
# traces) and server.expected.json (the verdict each connection's scenario calls for), with
# Debian's golang-go, golang-github-gorilla-websocket-dev and golang-nhooyr-websocket-dev, no network.
# Usage: samples/go-gorilla/generate.sh [outDir]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
bin="${TMPDIR:-/tmp}/wsclose-gows"
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$bin" .
"$bin" -out "$out"
