#!/usr/bin/env bash
# Builds the web app into web/dist when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [[ -f dist/index.html ]] && [[ -z $(find src index.html package.json vite.config.* tsconfig*.json \
     -newer dist/index.html 2>/dev/null | head -1) ]]; then
  exit 0
fi
npm run --silent build
