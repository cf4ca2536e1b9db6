#!/usr/bin/env bash
# `make check`: every test, as CI runs it. Installs what is missing, builds the ASan+UBSan
# configuration and the web app, runs the web app's unit tests (Vitest), starts a throw-away
# PostgreSQL on loopback, then runs the format check, the unit tests (ctest), the OpenAPI lint,
# the API suites against SQLite and PostgreSQL, and the browser tests (Chromium) of the web
# app. Each runner's closing line is printed; the last line sums them up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

section() { printf '\n==== %s ====\n' "$*"; }
failures=()

section "dependencies"
scripts/deps.sh

section "format (clang-format)"
if make --no-print-directory format-check; then echo "format: clean"; else failures+=(format); fi

section "build (asan)"
cmake --preset asan >/dev/null
cmake --build --preset asan

section "web app"
scripts/web-build.sh
ls web/dist/index.html >/dev/null

section "web unit tests (vitest)"
if ! (cd web && npx --no-install vitest run); then failures+=(web-unit); fi

tmp=$(mktemp -d /tmp/sb-check.XXXXXX)
chmod 755 "$tmp"
cleanup() {
  scripts/pg-test-server.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

section "postgresql (throw-away cluster)"
pg_port=$(scripts/pg-test-server.sh start "$tmp/pg")
echo "postgresql listening on 127.0.0.1:$pg_port"
export SB_TEST_PG_PORT=$pg_port
export SB_TEST_PG_CONNINFO="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

section "unit tests (ctest, asan)"
if ! ctest --preset asan --timeout 300; then failures+=(unit); fi

section "concurrency tests (ctest, tsan)"
# The ACD under many threads and the queues it is fed by, with ThreadSanitizer.
cmake --preset tsan >/dev/null
if ! cmake --build --preset tsan --target test_acd test_mpsc >/dev/null ||
  ! (cd build/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --timeout 300 --output-on-failure -R '^(test_acd|test_mpsc)$'); then
  failures+=(tsan)
fi

section "WebSocket suite on the TSan server (sqlite)"
# The HTTP workers against the main thread around upgrades and shutdown (a race between
# http_server_start and http_server_detach was found this way). A report makes the server exit
# with TSan's exit code, which the suite's stop check turns into a failure.
if ! cmake --build --preset tsan --target switchboard >/dev/null ||
  ! (cd tests/api && SB_BINARY=$root/build/tsan/switchboard SB_TEST_BACKEND=sqlite \
    TSAN_OPTIONS=second_deadlock_stack=1 node --test --test-reporter=spec ws.test.js); then
  failures+=(tsan-ws)
fi

section "OpenAPI lint"
if (cd tests/api && npm run --silent lint:openapi); then :; else failures+=(openapi); fi

export SB_BINARY=$root/build/asan/switchboard
for backend in sqlite postgres; do
  section "API tests ($backend)"
  if ! SB_TEST_BACKEND=$backend node --test --test-reporter=spec tests/api/; then
    failures+=("api-$backend")
  fi
done

section "browser tests (chromium)"
if ! node --test --test-reporter=spec tests/e2e/; then
  failures+=(e2e)
fi

section "summary"
if ((${#failures[@]})); then
  echo "FAILED: ${failures[*]}"
  exit 1
fi
echo "all test runners passed"
