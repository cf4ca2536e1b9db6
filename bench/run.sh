#!/usr/bin/env bash
# Switchboard benchmark: `make bench` (after the release build) or bench/run.sh from anywhere.
#
# 1. HTTP: wrk against GET /api/v1/health on switchboard and against nginx serving a static
#    file with the very same bytes, same machine, same run; prints req/s, p50/p99 latency and
#    the ratios switchboard/nginx.
# 2. WebSocket: server RSS idle, with 10,000 idle WebSockets open, and per connection.
#
# Loopback only; every step is bounded; a watchdog ends the run after BENCH_TIME_LIMIT seconds;
# traps stop every process this script started. See bench/README.md for how to read the output.
#
# Environment (all optional):
#   SWITCHBOARD_BIN      server binary (default build/release/switchboard)
#   BENCH_DURATION       wrk duration per target (default 10s)
#   BENCH_CONNECTIONS    wrk connections (default 64)
#   BENCH_THREADS        wrk threads (default 2)
#   BENCH_WS             idle WebSockets to open (default 10000)
#   BENCH_WS_SECONDS     time bound for opening them (default 120)
#   BENCH_TIME_LIMIT     whole-run bound in seconds (default 285)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BIN=${SWITCHBOARD_BIN:-build/release/switchboard}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
WS_COUNT=${BENCH_WS:-10000}
WS_SECONDS=${BENCH_WS_SECONDS:-120}
TIME_LIMIT=${BENCH_TIME_LIMIT:-285}

TMP=""
SERVER_PID=""
NGINX_PID=""
CHILD_PID=""
WATCHDOG_PID=""
TEE_PID=""
RESULT_TMP=""
RESULT=""

log() { printf '%s\n' "$*"; }
die() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

# Stop a process we started: TERM, up to $2 seconds, then KILL. Never by name.
stop_pid() {
  local pid=$1 grace=${2:-10} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "bench: pid $pid ignored SIGTERM for ${grace}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  stop_pid "$CHILD_PID" 3
  stop_pid "$NGINX_PID" 5
  stop_pid "$SERVER_PID" 10
  # Its TERM trap kills its sleep. No `wait` here: when the watchdog is what stopped us it has
  # already exited, and bash (5.2) can hang waiting for a child reaped during a trap.
  if [ -n "$WATCHDOG_PID" ]; then kill -TERM "$WATCHDOG_PID" 2>/dev/null || true; fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$rc" -ne 0 ] && [ -s "$TMP/server.log" ]; then
      log "--- last lines of the server log ---" >&2
      tail -n 20 "$TMP/server.log" >&2 || true
    fi
    rm -rf "$TMP"
  fi
  if [ -n "$TEE_PID" ]; then
    # Back to the original outputs, and let tee write out the end of the results file.
    exec 1>&3 2>&4
    for ((i = 0; i < 50; i++)); do
      kill -0 "$TEE_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$TEE_PID" 2>/dev/null || true
  fi
  if [ -n "$RESULT_TMP" ] && [ -f "$RESULT_TMP" ]; then
    if [ "$rc" -eq 0 ]; then
      mv -f "$RESULT_TMP" "$RESULT"
      printf 'results written to %s\n' "${RESULT#"$ROOT"/}"
    else
      printf 'bench failed (exit %d); partial output kept in %s\n' "$rc" "${RESULT_TMP#"$ROOT"/}" >&2
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_child OUTFILE CMD...: run a bounded command in the background with its output in
# OUTFILE and wait for it, so that a signal (Ctrl-C, the watchdog) is handled at once instead
# of after the command ends. Returns its exit code. The redirection is on the child only: a
# trap that fires while the shell itself has a redirection in force would run cleanup with
# saved copies of the tee pipe still open.
run_child() {
  local out=$1 rc=0
  shift
  "$@" >"$out" 2>&1 &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Tools

need_pkgs=()
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx-light)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "bench: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # nginx-light's postinst starts the system nginx on :80; we never use it, so stop it again
  # only if this install is what started it.
  had_nginx_service=0
  pgrep -x nginx >/dev/null 2>&1 && had_nginx_service=1
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  if [ "$had_nginx_service" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl stop nginx >/dev/null 2>&1 || true
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v node >/dev/null 2>&1 || die "node is required (bench/ws_idle.js)"

[ -x "$BIN" ] || die "$BIN not found or not executable; build it first (make bench does)"

if [ ! -d tests/api/node_modules/ws ]; then
  log "bench: installing tests/api npm packages (for ws)"
  (cd tests/api && npm ci --no-audit --no-fund --loglevel=error)
fi

# Each side of 10,000 WebSockets needs 10,000 descriptors; children inherit this limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------------------------------------
# Watchdog and output

MAIN_PID=$$
(
  trap 'kill "$sleep_pid" 2>/dev/null; exit 0' TERM
  sleep "$TIME_LIMIT" &
  sleep_pid=$!
  wait "$sleep_pid"
  printf 'bench: time limit of %ss reached, stopping\n' "$TIME_LIMIT" >&2
  kill -TERM "$MAIN_PID"
) &
WATCHDOG_PID=$!

mkdir -p bench/results
HOST=$(uname -n)
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
RESULT="$ROOT/bench/results/${STAMP}-${HOST}.txt"
RESULT_TMP="$RESULT.tmp"
: >"$RESULT_TMP"
# Everything printed from here on also goes to the results file.
exec 3>&1 4>&2
exec > >(tee -a "$RESULT_TMP") 2>&1
TEE_PID=$!

TMP=$(mktemp -d /tmp/sb-bench.XXXXXX)
# nginx workers run as an unprivileged user and must read the document root.
chmod 755 "$TMP"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close();});'
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

to_us() { # wrk latency such as 812.00us, 1.23ms, 2.00s -> microseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) f = 1; else if (v ~ /ms$/) f = 1000; else if (v ~ /s$/) f = 1000000; else f = 0
    printf "%.1f", n * f }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ---------------------------------------------------------------------------------------------
# Machine

log "== Switchboard benchmark =="
log "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
log "host:      $HOST"
log "cpu:       $(lscpu | awk -F: '/^Model name/ {gsub(/^[ \t]+/, "", $2); print $2; exit}')"
log "cores:     $(nproc)"
log "memory:    $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
log "kernel:    $(uname -sr)"
log "nginx:     $("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
log "wrk:       $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}' || true)"
log "node:      $(node --version)"
log "open files limit: $(ulimit -n)"
log ""

# ---------------------------------------------------------------------------------------------
# Switchboard

SB_PORT=$(free_port)
WEB_ROOT="$ROOT/web/dist"
[ -d "$WEB_ROOT" ] || { WEB_ROOT="$TMP/web-empty"; mkdir -p "$WEB_ROOT"; }

SWITCHBOARD_HTTP_PORT="$SB_PORT" \
  SWITCHBOARD_HTTP_ADDRESS=127.0.0.1 \
  SWITCHBOARD_DB_SQLITE_PATH="$TMP/sb.db" \
  SWITCHBOARD_WEB_ROOT="$WEB_ROOT" \
  SWITCHBOARD_LOG_LEVEL=warn \
  "$BIN" serve </dev/null >"$TMP/server.out" 2>"$TMP/server.log" 3>&- 4>&- &
SERVER_PID=$!

SB_URL="http://127.0.0.1:$SB_PORT/api/v1/health"
ready=0
for ((i = 0; i < 300; i++)); do # 30 s
  kill -0 "$SERVER_PID" 2>/dev/null || die "switchboard exited during startup"
  if curl -fsS --max-time 1 -o "$TMP/health.json" "$SB_URL" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
[ "$ready" -eq 1 ] || die "switchboard did not answer $SB_URL within 30 s"
log "switchboard: pid $SERVER_PID, port $SB_PORT"
log "health body ($(wc -c <"$TMP/health.json") bytes): $(head -c 300 "$TMP/health.json")"
RSS_START=$(rss_kb "$SERVER_PID")
log "switchboard RSS after start: ${RSS_START} kB"
log ""

# ---------------------------------------------------------------------------------------------
# nginx serving the same bytes

NGX_PORT=$(free_port)
mkdir -p "$TMP/www/api/v1" "$TMP/nginx"
cp "$TMP/health.json" "$TMP/www/api/v1/health"
chmod -R a+rX "$TMP/www"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    # Like libmicrohttpd, never close a busy keep-alive connection (nginx's default is 1000).
    keepalive_requests 1000000;
    open_file_cache max=64 inactive=60s;
    server {
        listen 127.0.0.1:$NGX_PORT;
        root $TMP/www;
        location / {
            default_type application/json;
        }
    }
}
EOF
"$NGINX" -t -q -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" ||
  die "nginx rejected its configuration"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" </dev/null 3>&- 4>&- \
  >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

NGX_URL="http://127.0.0.1:$NGX_PORT/api/v1/health"
ready=0
for ((i = 0; i < 100; i++)); do # 10 s
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$TMP/nginx/error.log" 2>/dev/null)"
  if curl -fsS --max-time 1 -o "$TMP/nginx-health.json" "$NGX_URL" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
[ "$ready" -eq 1 ] || die "nginx did not answer $NGX_URL within 10 s"
cmp -s "$TMP/health.json" "$TMP/nginx-health.json" || die "nginx body differs from switchboard's"
log "nginx: pid $NGINX_PID, port $NGX_PORT, $(nproc) workers, same body"
log ""

# ---------------------------------------------------------------------------------------------
# HTTP throughput and latency

# Runs wrk, prints its report, sets W_RPS W_P50 W_P99 (latencies in us) and W_NOTE.
run_wrk() {
  local name=$1 url=$2 out="$TMP/wrk-$1.txt"
  # Short warm-up, not measured: first-touch page faults, caches, TCP slow start.
  run_child /dev/null wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" || true
  log "-- wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url ($name)"
  run_child "$out" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency "$url" ||
    die "wrk failed against $name: $(cat "$out")"
  sed 's/^/   /' "$out"
  W_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  W_P50=$(to_us "$(awk '$1 == "50%" {print $2; exit}' "$out")")
  W_P99=$(to_us "$(awk '$1 == "99%" {print $2; exit}' "$out")")
  W_NOTE=""
  if grep -q 'Non-2xx or 3xx responses' "$out"; then W_NOTE="$W_NOTE non-2xx responses!"; fi
  if grep -q 'Socket errors' "$out"; then W_NOTE="$W_NOTE socket errors!"; fi
  [ -n "$W_RPS" ] || die "could not read Requests/sec from wrk output"
}

run_wrk nginx "$NGX_URL"
NGX_RPS=$W_RPS NGX_P50=$W_P50 NGX_P99=$W_P99 NGX_NOTE=$W_NOTE
run_wrk switchboard "$SB_URL"
SB_RPS=$W_RPS SB_P50=$W_P50 SB_P99=$W_P99 SB_NOTE=$W_NOTE

# nginx is not needed any more; free its CPU and memory before the WebSocket part.
stop_pid "$NGINX_PID" 5
NGINX_PID=""

log ""
log "== HTTP GET /api/v1/health, wrk -t$THREADS -c$CONNECTIONS -d$DURATION =="
printf '%-12s %12s %12s %12s\n' "" "req/s" "p50 (us)" "p99 (us)"
printf '%-12s %12s %12s %12s %s\n' switchboard "$SB_RPS" "$SB_P50" "$SB_P99" "$SB_NOTE"
printf '%-12s %12s %12s %12s %s\n' nginx "$NGX_RPS" "$NGX_P50" "$NGX_P99" "$NGX_NOTE"
printf '%-12s %12s %12s %12s\n' "sb/nginx" "$(ratio "$SB_RPS" "$NGX_RPS")" \
  "$(ratio "$SB_P50" "$NGX_P50")" "$(ratio "$SB_P99" "$NGX_P99")"
log "(req/s ratio: higher is better, 1.00 = as fast as nginx; latency ratios: lower is better)"
log ""

# ---------------------------------------------------------------------------------------------
# Idle WebSockets

sleep 1
RSS_IDLE=$(rss_kb "$SERVER_PID")
log "== WebSocket memory =="
log "switchboard idle RSS: ${RSS_IDLE} kB"
# /dev/stdout is opened by the child only, so its progress lines stream through tee.
run_child /dev/stdout node bench/ws_idle.js --url "ws://127.0.0.1:$SB_PORT/api/v1/ws" \
  --count "$WS_COUNT" --batch 500 --seconds "$WS_SECONDS" --pid "$SERVER_PID" ||
  die "bench/ws_idle.js failed"
kill -0 "$SERVER_PID" 2>/dev/null || die "switchboard died during the WebSocket test"
log ""

stop_pid "$SERVER_PID" 10
SERVER_PID=""
log "done in ${SECONDS}s"
