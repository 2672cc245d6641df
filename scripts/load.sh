#!/usr/bin/env bash
# Load test of the gateway on loopback, side by side with an empty Gin POST
# handler (internal/tools/emptygin: gin.New(), no middleware, reads the body,
# answers 200). Builds both, starts each on a free local port, and drives,
# alternating (gateway, baseline, gateway, … ROUNDS times each, same wrk
# settings):
#   837d-explicit  POST /v1/claims/837d?control_number=1&at=…  (no store write)
#   837d-store     POST /v1/claims/837d?at=…                   (the store allocates)
#   findings       POST /v1/remittances/findings               (835 → findings)
# and prints, per case, the median req/s, p50 and p99 of each, the ratio
# gateway ÷ empty gin, and the server's own CPU time per request (user + sys
# of its process from /proc during the wrk run ÷ requests: on a shared,
# loaded machine this moves less than req/s, which also depends on the CPU
# share the scheduler gives each process). Needs wrk (apt-get install wrk).
# Not run by CI.
#   scripts/load.sh [seconds] [connections]
# ROUNDS=3 (rounds per case), BEFORE=path/to/casebridge (an older binary,
# measured in the same alternation as a third contender), CASES="837d-explicit
# findings" (only those cases; default all), SAMEBYTES=N (a third baseline,
# "samebytes": the empty handler answering N bytes and three headers, as the
# 837D answer of testdata/records/dependent.json — 1279 bytes — does; its
# ratio is printed as well).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-16}; rounds=${ROUNDS:-3}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 64; }
tmp=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
go build -o "$tmp/casebridge" ./cmd/casebridge
go build -o "$tmp/emptygin" ./internal/tools/emptygin
wait_up() { for _ in $(seq 300); do curl -fs "127.0.0.1:$1/livez" >/dev/null && return; sleep 0.1; done; echo "port $1 did not come up"; cat "$tmp"/log-* >&2; exit 70; }
base=$(( 20000 + RANDOM % 20000 ))
declare -A port pid
start_gw() { # name binary port
  CASEBRIDGE_LOG_LEVEL=warn CASEBRIDGE_DATA_DIR="$tmp/data-$1" "$2" serve --addr "127.0.0.1:$3" 2>"$tmp/log-$1" &
  pids+=($!); pid[$1]=$!; port[$1]=$3; wait_up "$3"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
hz=$(getconf CLK_TCK)
start_gw gateway "$tmp/casebridge" "$base"
"$tmp/emptygin" -addr "127.0.0.1:$((base + 1))" 2>"$tmp/log-empty" &
pids+=($!); pid[emptygin]=$!; port[emptygin]=$((base + 1)); wait_up "$((base + 1))"
contenders=(gateway emptygin)
if [ -n "${BEFORE:-}" ]; then start_gw before "$BEFORE" "$((base + 2))"; contenders=(before "${contenders[@]}"); fi
if [ -n "${SAMEBYTES:-}" ]; then
  "$tmp/emptygin" -addr "127.0.0.1:$((base + 3))" -answer "$SAMEBYTES" 2>"$tmp/log-samebytes" &
  pids+=($!); pid[samebytes]=$!; port[samebytes]=$((base + 3)); wait_up "$((base + 3))"
  contenders+=(samebytes)
fi

script() { # body-file content-type
  cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "$2"
local f = io.open("$1", "rb"); wrk.body = f:read("*a"); f:close()
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad, summary.requests))
end
LUA
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
run() { # case body-file content-type path
  case " ${CASES:-$1} " in *" $1 "*) ;; *) return 0 ;; esac
  script "$2" "$3"
  : >"$tmp/res"
  for r in $(seq "$rounds"); do
    for who in "${contenders[@]}"; do
      t0=$(cpu_ticks "${pid[$who]}")
      line=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$tmp/post.lua" "http://127.0.0.1:${port[$who]}$4" | grep '^RESULT')
      t1=$(cpu_ticks "${pid[$who]}")
      echo "$who $line $(awk -v d=$((t1 - t0)) -v n="$(echo "$line" | awk '{print $6}')" -v hz="$hz" 'BEGIN{printf "%.1f", n ? d * 1e6 / hz / n : 0}')" >>"$tmp/res"
      [ "$(echo "$line" | awk '{print $5}')" = 0 ] || echo "   ($who round $r: $(echo "$line" | awk '{print $5}') errors or non-2xx)"
    done
  done
  local empty ecpu; empty=$(awk '$1=="emptygin"{print $3}' "$tmp/res" | median)
  ecpu=$(awk '$1=="emptygin"{print $8}' "$tmp/res" | median)
  for who in "${contenders[@]}"; do
    rps=$(awk -v w="$who" '$1==w{print $3}' "$tmp/res" | median)
    p50=$(awk -v w="$who" '$1==w{print $4}' "$tmp/res" | median)
    p99=$(awk -v w="$who" '$1==w{print $5}' "$tmp/res" | median)
    cpu=$(awk -v w="$who" '$1==w{print $8}' "$tmp/res" | median)
    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n" "$1" "$who" "$rps" "$p50" "$p99" "$(awk -v a="$rps" -v b="$empty" 'BEGIN{printf "%.2f", a/b}')" \
      "$cpu" "$(awk -v a="$ecpu" -v b="$cpu" 'BEGIN{printf "%.2f", b ? a/b : 0}')"
  done
}
at="at=2026-11-27T10:00:00Z"
echo "wrk -t2 -c$conns -d${secs}s, loopback, $rounds rounds alternating ${contenders[*]}; medians"
echo "| case | server | req/s | p50 ms | p99 ms | ÷ empty gin | server CPU µs/req | empty gin's CPU/req ÷ this |"
echo "|---|---|---|---|---|---|---|---|"
run 837d-explicit testdata/records/dependent.json application/json "/v1/claims/837d?control_number=1&$at"
run 837d-store testdata/records/dependent.json application/json "/v1/claims/837d?$at"
run findings testdata/835/d9997_dental.x12 application/edi-x12 /v1/remittances/findings
for who in "${contenders[@]}"; do
  case $who in emptygin|samebytes) continue ;; esac
  echo "RSS of $who after the run: $(ps -o rss= -p "${pid[$who]}") KiB"
done
