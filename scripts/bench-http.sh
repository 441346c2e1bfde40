#!/usr/bin/env bash
# HTTP benchmark of the foundation: an authenticated HTML page (a township's children) and its API
# twin under wrk (default 20 s, 16 connections), on a database that holds the national area data.
#
#   scripts/bench-http.sh DATABASE_URL [TOWNSHIP_CODE] [SECONDS]
#
# The database must already hold the areas (`sanshe areas import --from DIR`); the script adds a
# benchmark administrator account if missing, starts the release server, logs in, runs wrk and
# prints requests/s, latency percentiles and the server's memory.
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${1:?database URL}"
TOWNSHIP="${2:-110105001}"
SECS="${3:-20}"
PORT="${SANSHE_BENCH_PORT:-18099}"
BIN=target/release/sanshe
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -x "$BIN" ] || cargo build --release -p sanshe
export SANSHE_DATABASE_URL="$URL" SANSHE_DEMO=false RUST_LOG=warn
"$BIN" user create --login benchadmin --name 压测管理员 --role system_administrator \
  --area 000000000000 --password Bench2026x >/dev/null 2>&1 || true
SANSHE_BIND="127.0.0.1:$PORT" "$BIN" serve >/tmp/sanshe-bench-server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
JAR=$(mktemp)
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf_token=$CSRF" \
  --data-urlencode login=benchadmin --data-urlencode password=Bench2026x "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6=="sanshe_session"{print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "login failed"; exit 1; }
page="http://127.0.0.1:$PORT/areas/$TOWNSHIP"
api="http://127.0.0.1:$PORT/api/v1/areas/$TOWNSHIP/children"
echo "township $TOWNSHIP: $(curl -s -b "$JAR" "$api" | grep -o '"code"' | wc -l) children; backend ${URL%%:*}"
for target in "$page" "$api"; do
  curl -sf -b "$JAR" -o /dev/null "$target"
  echo "--- wrk -t2 -c16 -d${SECS}s --latency $target"
  wrk -t2 -c16 -d"${SECS}s" --latency -H "Cookie: sanshe_session=$SESSION" "$target" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx'
done
grep -E 'VmRSS|VmHWM' /proc/$PID/status
