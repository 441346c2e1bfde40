#!/usr/bin/env bash
# HTTP benchmarks under wrk (default 20 s, 16 connections): an authenticated HTML page and its API
# twin, on a database that holds the national area data.
#
#   scripts/bench-http.sh DATABASE_URL [TOWNSHIP_CODE] [SECONDS]
#       a township's children (/areas/CODE and /api/v1/areas/CODE/children)
#   scripts/bench-http.sh DATABASE_URL projects TOWNSHIP_CODE [SECONDS]
#       a township officer's project list and one project's page, HTML and JSON
#       (/projects, /api/v1/projects, /projects/ID, /api/v1/projects/ID); needs
#       `sanshe generate ledger` and `sanshe generate projects`
#   scripts/bench-http.sh DATABASE_URL public COMMUNITY_CODE [SECONDS]
#       the public community page and its JSON, without login (/public/areas/CODE and
#       /api/v1/public/areas/CODE); needs `sanshe generate ledger` and `sanshe generate projects`
#   scripts/bench-http.sh DATABASE_URL orgs COUNTY_CODE CATEGORY [SECONDS]
#       one county's organizations of one category, first keyset page and the page after it
#       (/organizations?area=…&category=… and /api/v1/organizations?…); needs `sanshe generate ledger`
#
# The database must already hold the areas (`sanshe areas import --from DIR`); the script adds a
# benchmark administrator account if missing, starts the release server, logs in, runs wrk and
# prints requests/s, latency percentiles and the server's memory.
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${1:?database URL}"
MODE=areas
if [ "${2:-}" = orgs ]; then
  MODE=orgs; COUNTY="${3:?county code}"; CATEGORY="${4:?category}"; SECS="${5:-20}"
elif [ "${2:-}" = projects ]; then
  MODE=projects; TOWNSHIP="${3:?township code}"; SECS="${4:-20}"
elif [ "${2:-}" = public ]; then
  MODE=public; COMMUNITY="${3:?community code}"; SECS="${4:-20}"
else
  TOWNSHIP="${2:-110105001}"; SECS="${3:-20}"
fi
PORT="${SANSHE_BENCH_PORT:-18099}"
BIN=target/release/sanshe
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -x "$BIN" ] || cargo build --release -p sanshe
export SANSHE_DATABASE_URL="$URL" SANSHE_DEMO=false RUST_LOG=warn
if [ "$MODE" = areas ]; then
  # The widest scope: a national administrator.
  LOGIN=benchadmin
  "$BIN" user create --login $LOGIN --name 压测管理员 --role system_administrator \
    --area 000000000000 --password Bench2026x >/dev/null 2>&1 || true
elif [ "$MODE" = public ]; then
  # Nobody logs in; the login below is only for the script's uniform shape.
  LOGIN=benchadmin
  "$BIN" user create --login $LOGIN --name 压测管理员 --role system_administrator \
    --area 000000000000 --password Bench2026x >/dev/null 2>&1 || true
elif [ "$MODE" = projects ]; then
  # The township's officer reads its projects.
  LOGIN=benchtown$TOWNSHIP
  "$BIN" user create --login $LOGIN --name 压测街道干事 --role township_officer \
    --area "$TOWNSHIP" --password Bench2026x >/dev/null 2>&1 || true
else
  # The registries are read by the civil-affairs bureaus: the city bureau above the county.
  LOGIN=benchcity${COUNTY:0:4}
  "$BIN" user create --login $LOGIN --name 压测市民政局 --role city_bureau \
    --area "${COUNTY:0:4}" --password Bench2026x >/dev/null 2>&1 || true
fi
SANSHE_BIND="127.0.0.1:$PORT" "$BIN" serve >/tmp/sanshe-bench-server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
JAR=$(mktemp)
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf_token=$CSRF" \
  --data-urlencode login=$LOGIN --data-urlencode password=Bench2026x "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6=="sanshe_session"{print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "login failed"; exit 1; }
if [ "$MODE" = areas ]; then
  page="http://127.0.0.1:$PORT/areas/$TOWNSHIP"
  api="http://127.0.0.1:$PORT/api/v1/areas/$TOWNSHIP/children"
  echo "township $TOWNSHIP: $(curl -s -b "$JAR" "$api" | grep -o '"code"' | wc -l) children; backend ${URL%%:*}"
  targets=("$page" "$api")
elif [ "$MODE" = public ]; then
  echo "community $COMMUNITY: $(curl -s "http://127.0.0.1:$PORT/api/v1/public/areas/$COMMUNITY" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["projects"]), "projects,", len(d["needs"]), "needs,", len(d["organizations"]), "organizations")'); backend ${URL%%:*}"
  targets=("http://127.0.0.1:$PORT/public/areas/$COMMUNITY" "http://127.0.0.1:$PORT/api/v1/public/areas/$COMMUNITY")
elif [ "$MODE" = projects ]; then
  list="http://127.0.0.1:$PORT/projects"
  alist="http://127.0.0.1:$PORT/api/v1/projects"
  first=$(curl -s -b "$JAR" "$alist" | python3 -c 'import json,sys; p=json.load(sys.stdin)["projects"]; print(len(p), p[0]["id"] if p else "")')
  echo "township $TOWNSHIP: $first (projects on the first page, first id); backend ${URL%%:*}"
  id=${first#* }
  targets=("$list" "$alist" "http://127.0.0.1:$PORT/projects/$id" "http://127.0.0.1:$PORT/api/v1/projects/$id")
else
  q="area=$COUNTY&category=$CATEGORY"
  page="http://127.0.0.1:$PORT/organizations?$q"
  api="http://127.0.0.1:$PORT/api/v1/organizations?$q"
  # The second keyset page: the cursor the first page hands out.
  next=$(curl -s -b "$JAR" "$api" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("next_after") or "")')
  echo "county $COUNTY, category $CATEGORY: first page $(curl -s -b "$JAR" "$api" | grep -o '"uscc"' | wc -l) rows, next cursor '${next}'; backend ${URL%%:*}"
  targets=("$page" "$api")
  if [ -n "$next" ]; then
    enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$next")
    targets+=("$page&after=$enc" "$api&after=$enc")
  fi
fi
for target in "${targets[@]}"; do
  curl -sf -b "$JAR" -o /dev/null "$target"
  echo "--- wrk -t2 -c16 -d${SECS}s --latency $target"
  wrk -t2 -c16 -d"${SECS}s" --latency -H "Cookie: sanshe_session=$SESSION" "$target" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx'
done
grep -E 'VmRSS|VmHWM' /proc/$PID/status
