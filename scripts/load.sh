#!/usr/bin/env bash
# Load test of the gateway on loopback: builds casebridge, starts it on a free
# local port, and drives POST /v1/claims/837d and POST /v1/remittances/findings
# with wrk for a bounded time. Needs wrk (apt-get install wrk). Not run by CI.
#   scripts/load.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-16}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 64; }
tmp=$(mktemp -d); trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/casebridge" ./cmd/casebridge
port=$(( 20000 + RANDOM % 20000 ))
CASEBRIDGE_LOG_LEVEL=warn CASEBRIDGE_DATA_DIR="$tmp/data" "$tmp/casebridge" serve --addr "127.0.0.1:$port" 2>"$tmp/log" &
pid=$!
for _ in $(seq 50); do curl -fs "127.0.0.1:$port/livez" >/dev/null && break; sleep 0.1; done
post() { # body-file content-type path
  cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "$2"
local f = io.open("$1", "rb"); wrk.body = f:read("*a"); f:close()
LUA
  echo "== POST $3 ($(wc -c <"$1") bytes), ${secs}s, $conns connections"
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$tmp/post.lua" "http://127.0.0.1:$port$3" | sed -n '1,20p'
}
post testdata/records/dependent.json application/json "/v1/claims/837d?control_number=1&at=2026-11-27T10:00:00Z"
post testdata/835/d9997_dental.x12 application/edi-x12 /v1/remittances/findings
echo "== RSS of the gateway after the run: $(ps -o rss= -p "$pid") KiB"
