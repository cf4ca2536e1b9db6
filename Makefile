# The two commands: `make run` and `make check`. Both install what they need (Debian and npm
# packages) on first use. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run check bench bench-engine bench-messenger bench-offer bench-sms bench-search deps build web format format-check fuzz clean

help:
	@echo "make run     build everything and start the server on http://127.0.0.1:8080/"
	@echo "make check   build the ASan+UBSan configuration and run every test (SQLite and PostgreSQL)"
	@echo "make bench   release build + load benchmarks (results in bench/results/)"
	@echo "make bench-engine  release build + routing-decision cost of the ACD engine"
	@echo "make bench-messenger  release build + messenger fan-out latency to a group of 1,000"
	@echo "make bench-offer  release build + Open Channel webhook -> offer on an agent's socket, 1,000 agents"
	@echo "make bench-sms  release build + signed SMS webhooks acknowledged after commit: msg/s, p99, against /health"
	@echo "make bench-search  release build + advanced search on 1M interactions, CSV export rows/s and memory"
	@echo "make format  clang-format the tree"

deps:
	@scripts/deps.sh

build: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev

web: deps
	@scripts/web-build.sh

run: build web
	@scripts/run.sh

check:
	@scripts/check.sh

bench: deps web
	cmake --preset release >/dev/null
	cmake --build --preset release --target switchboard
	bench/run.sh

bench-engine: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target engine_bench
	build/release/engine_bench

bench-messenger: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target switchboard
	@[ -d tests/api/node_modules/ws ] || (cd tests/api && npm ci --no-audit --no-fund)
	@mkdir -p bench/results
	@set -o pipefail; out=bench/results/$$(date -u +%Y-%m-%dT%H%M%SZ)-$$(uname -n)-messenger.txt; \
	  node bench/messenger_fanout.js $(BENCH_MESSENGER_ARGS) | tee $$out.tmp && mv $$out.tmp $$out

bench-offer: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target switchboard
	@[ -d tests/api/node_modules/ws ] || (cd tests/api && npm ci --no-audit --no-fund)
	@mkdir -p bench/results
	@set -o pipefail; out=bench/results/$$(date -u +%Y-%m-%dT%H%M%SZ)-$$(uname -n)-offer.txt; \
	  node bench/offer_latency.js $(BENCH_OFFER_ARGS) | tee $$out.tmp && mv $$out.tmp $$out

bench-sms: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target switchboard
	@[ -d tests/api/node_modules/ws ] || (cd tests/api && npm ci --no-audit --no-fund)
	@mkdir -p bench/results
	@set -o pipefail; out=bench/results/$$(date -u +%Y-%m-%dT%H%M%SZ)-$$(uname -n)-sms.txt; \
	  timeout 300 node bench/sms_webhook.js $(BENCH_SMS_ARGS) | tee $$out.tmp && mv $$out.tmp $$out

bench-search: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target switchboard
	@mkdir -p bench/results
	@set -o pipefail; out=bench/results/$$(date -u +%Y-%m-%dT%H%M%SZ)-$$(uname -n)-search.txt; \
	  node bench/search_bench.js $(BENCH_SEARCH_ARGS) | tee $$out.tmp && mv $$out.tmp $$out

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz

format:
	@git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format -i

format-check:
	@git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build web/dist
