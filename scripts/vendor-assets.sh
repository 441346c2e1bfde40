#!/usr/bin/env bash
# Refreshes the vendored front-end files from their npm packages (the binary embeds them; nothing
# is fetched at build or run time). Bump the versions here, run, review the diff, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX=2.0.11
ECHARTS=5.6.0
tmp=$(mktemp -d)
(cd "$tmp" && npm init -y >/dev/null && npm install --no-package-lock --no-audit --no-fund "htmx.org@$HTMX" "echarts@$ECHARTS" >/dev/null)
out=crates/web/assets/vendor
cp "$tmp/node_modules/htmx.org/dist/htmx.min.js" "$out/htmx.min.js"
cp "$tmp/node_modules/htmx.org/LICENSE" "$out/htmx.LICENSE.txt"
cp "$tmp/node_modules/echarts/dist/echarts.min.js" "$out/echarts.min.js"
cp "$tmp/node_modules/echarts/LICENSE" "$out/echarts.LICENSE.txt"
cp "$tmp/node_modules/echarts/NOTICE" "$out/echarts.NOTICE.txt"
rm -rf "$tmp"
echo "vendored htmx.org@$HTMX and echarts@$ECHARTS into $out"
