#!/bin/sh
# Regenerates server.log (a real gorilla/websocket server's stderr: std log lines and Go panic
# traces; with -json, zap's JSON records among net/http's and the runtime's text) and
# server.expected.json (the verdict each connection's scenario calls for), with Debian's
# golang-go, golang-github-gorilla-websocket-dev, golang-nhooyr-websocket-dev and
# golang-go.uber-zap-dev, no network.
# Usage: samples/go-gorilla/generate.sh [outDir] [-json]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)"
[ $# -gt 0 ] && shift
bin="${TMPDIR:-/tmp}/wsclose-gows"
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$bin" .
"$bin" -out "$out" "$@"
