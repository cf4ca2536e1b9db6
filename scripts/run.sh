#!/usr/bin/env bash
# `make run`: migrate the SQLite database in ./data and start the server in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data
bin=build/dev/switchboard
"$bin" migrate
echo
echo "Switchboard is starting on http://${SWITCHBOARD_HTTP_ADDRESS:-127.0.0.1}:${SWITCHBOARD_HTTP_PORT:-8080}/  (Ctrl-C stops it)"
echo
exec "$bin" serve
