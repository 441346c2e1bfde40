#!/usr/bin/env bash
# OCDS export benchmark: `sanshe export ocds` of the whole country at several sizes, timing each and
# reading the process's peak memory (GNU time's maximum resident set), to show that the export
# streams (memory flat as the number of processes grows).
#
#   scripts/bench-ocds.sh DATABASE_URL [LIMIT ...]      (default limits: 1000 10000 50000)
#
# The database needs `sanshe generate ledger` and `sanshe generate projects`. Each package is
# written to a temporary file, parsed back to check it is one JSON document with that many
# releases, then removed.
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${1:?database URL}"
shift
LIMITS=("${@:-1000 10000 50000}")
# shellcheck disable=SC2206
LIMITS=(${LIMITS[*]})
BIN=target/release/sanshe
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
[ -x "$BIN" ] || cargo build --release -p sanshe
OUT=$(mktemp)
trap 'rm -f "$OUT" "$OUT.time"' EXIT
printf '%-10s %10s %12s %12s %12s\n' processes seconds releases/s "peak RSS" "package"
for n in "${LIMITS[@]}"; do
  SANSHE_DATABASE_URL="$URL" SANSHE_DEMO=false RUST_LOG=warn \
    /usr/bin/time -f '%e %M' -o "$OUT.time" "$BIN" export ocds --area 000000000000 --limit "$n" >"$OUT" 2>/dev/null
  read -r secs kb <"$OUT.time"
  got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["releases"]))' "$OUT")
  size=$(du -h "$OUT" | cut -f1)
  python3 -c 'import sys; n,s,kb,size=sys.argv[1:]; print(f"{n:<10} {s:>10} {int(n)/max(float(s),0.01):>12.0f} {int(kb)/1024:>9.1f} MB {size:>12}")' "$got" "$secs" "$kb" "$size"
done
