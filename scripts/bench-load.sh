#!/usr/bin/env bash
# Mixed load on the demonstration database (issue 12): 50 connections, 70 % reads and 30 % writes
# (needs, supports, service records) for 60 s against the release server; prints requests/s,
# latency percentiles and the server's memory before and after, then checks that every
# acknowledged write is in the database and that the audit chain verifies.
#
#   scripts/bench-load.sh sqlite [SECONDS] [CONNECTIONS]
#   scripts/bench-load.sh postgres://postgres@127.0.0.1:5432/test [SECONDS] [CONNECTIONS]
#
# Each run uses a fresh database (a temporary SQLite file, or a new PostgreSQL database next to
# the one named) filled with `sanshe demo`; KEEP=1 leaves the PostgreSQL database for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:?sqlite or a postgres:// URL}"
SECS="${2:-60}"
CONNS="${3:-50}"
BIN="${SANSHE_BIN:-target/release/sanshe}"
[ -x "$BIN" ] || cargo build --release -p sanshe
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
WORK="$(mktemp -d)"
if [ "$TARGET" = sqlite ]; then
  URL="sqlite:$WORK/load.db"
else
  NAME="sanshe_load_$(date +%s)"
  psql "$TARGET" -qc "CREATE DATABASE $NAME"
  URL="${TARGET%/*}/$NAME"
fi
export SANSHE_DATABASE_URL="$URL" SANSHE_PII_KEY_FILE="$WORK/pii.key" RUST_LOG=warn
"$BIN" demo >/dev/null
SANSHE_DEMO=false SANSHE_BIND="127.0.0.1:$PORT" "$BIN" serve >"$WORK/server.log" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  if [ "$TARGET" != sqlite ] && [ -z "${KEEP:-}" ]; then psql "$TARGET" -qc "DROP DATABASE IF EXISTS $NAME" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
echo "backend ${URL%%:*}; $(nproc) cores; release build"
"$BIN" bench load --base "http://127.0.0.1:$PORT" --conns "$CONNS" --secs "$SECS" --server-pid "$PID"
if [ "$TARGET" = sqlite ]; then
  echo "write-ahead log after the run: $(stat -c %s "$WORK/load.db-wal" 2>/dev/null || echo 0) bytes beside $(stat -c %s "$WORK/load.db") bytes"
fi
