#!/usr/bin/env bash
# Copies the Manager's third-party files (uPlot, at the version package-lock.json pins) from npm into
# wwwroot/vendor, where they are committed and built into the Edge assembly: nothing is fetched at run time
# and a build needs no npm. `vendor.sh --check` fails when the committed copy differs from the pinned package
# (tests/run.sh runs it, so a hand-edited or stale copy is caught).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
npm ci --prefix "$work" --no-audit --no-fund --loglevel=error --ignore-scripts >/dev/null
files=(dist/uPlot.esm.js dist/uPlot.min.css LICENSE)
for file in "${files[@]}"; do
  source="$work/node_modules/uplot/$file"
  target="$here/wwwroot/vendor/uplot/$(basename "$file")"
  if [[ "${1:-}" == "--check" ]]; then
    cmp -s "$source" "$target" || { echo "Edge/Manager/wwwroot/vendor/uplot/$(basename "$file") differs from uplot in package-lock.json: run Edge/Manager/vendor.sh" >&2; exit 1; }
  else
    mkdir -p "$(dirname "$target")"
    cp "$source" "$target"
  fi
done
