#!/bin/sh
# Regenerates server.log (a real gorilla/websocket server's stderr: std log lines and Go panic
# traces; with -log NAME, a structured logger's records among net/http's and the runtime's text,
# see say.go) and server.expected.json (the verdict each connection's scenario calls for), with
# Debian's golang-go, golang-github-gorilla-websocket-dev, golang-nhooyr-websocket-dev,
# golang-go.uber-zap-dev, golang-github-sirupsen-logrus-dev, golang-github-rs-zerolog-dev and
# golang-golang-x-exp-dev, no network.
# Usage: samples/go-gorilla/generate.sh [outDir] [-log std|zap|logrus|logrus-json|zerolog|slog|slog-json]
# The committed samples: server.log (std), zap/, logrus/ (text), zerolog/, slog/ (JSON handler).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)"
[ $# -gt 0 ] && shift
bin="${TMPDIR:-/tmp}/wsclose-gows"
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$bin" .
"$bin" -out "$out" "$@"
