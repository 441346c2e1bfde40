#!/usr/bin/env bash
# Schemathesis against the served OpenAPI document (issue 12): signed in (a city bureau's API
# token) and anonymous, on a fresh demonstration database. Fails on any 5xx and on any response
# that does not match its documented schema or content type.
#
#   scripts/ci/schemathesis.sh sqlite|postgres://… BINARY VENV [SECONDS_PER_RUN] [ARTIFACTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET="${1:?sqlite or a postgres:// URL}"
BIN="${2:?the sanshe binary}"
VENV="${3:?a virtualenv with schemathesis}"
BUDGET="${4:-180}"
ART="${5:-ci-artifacts}"
mkdir -p "$ART"
ART="$(cd "$ART" && pwd)"
WORK="$(mktemp -d)"
if [ "$TARGET" = sqlite ]; then
  URL="sqlite:$WORK/st.db"; LABEL=sqlite
else
  NAME="sanshe_st_$(date +%s)"
  psql "$TARGET" -qc "CREATE DATABASE $NAME"
  URL="${TARGET%/*}/$NAME"; LABEL=postgres
fi
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SANSHE_DATABASE_URL="$URL" SANSHE_PII_KEY_FILE="$WORK/pii.key" RUST_LOG=warn
"$BIN" demo >/dev/null
SANSHE_DEMO=false SANSHE_BIND="127.0.0.1:$PORT" SANSHE_LOG_FORMAT=json "$BIN" serve >"$ART/schemathesis-$LABEL-server.log" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  if [ "$TARGET" != sqlite ]; then psql "$TARGET" -qc "DROP DATABASE IF EXISTS $NAME" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"
TOKEN="$(python3 scripts/ci/api_token.py "$BASE" city Sanshe2026)"
CHECKS=not_a_server_error,response_schema_conformance,content_type_conformance
status=0
for who in signed anonymous; do
  echo "--- schemathesis ($LABEL, $who, at most ${BUDGET} s)"
  auth=()
  [ "$who" = signed ] && auth=(-H "Authorization: Bearer $TOKEN")
  # From the scratch directory: schemathesis keeps its cache in the working directory.
  (cd "$WORK" && "$VENV/bin/schemathesis" run "$BASE/api/openapi.json" \
    --checks "$CHECKS" --workers 2 --max-examples 25 --max-time "$BUDGET" \
    --phases examples,coverage,fuzzing --seed 12 --no-color \
    --report junit --report-junit-path "$ART/schemathesis-$LABEL-$who.xml" \
    --suppress-health-check all --request-timeout 30 \
    "${auth[@]}") || status=1
done
# The server must still be up and answering after all of it.
curl -sf "$BASE/readyz" >/dev/null || { echo "the server is not ready after the run"; status=1; }
exit $status
