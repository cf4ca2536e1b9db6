#!/usr/bin/env bash
# Regenerates the option table in docs/configuration.md from the binary's own table
# (`switchboard config --markdown`), keeping the prose around it. A test fails when they drift.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/dev/switchboard}
doc=docs/configuration.md
table=$("$bin" config --markdown)
awk -v table="$table" '
  /^## Options/ { print; print ""; print table; print ""; skip=1; next }
  /^## / && skip { skip=0 }
  !skip { print }
' "$doc" > "$doc.tmp"
mv "$doc.tmp" "$doc"
