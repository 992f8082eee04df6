#!/usr/bin/env bash
# Reproduces the quote-service figures of BENCHMARKS.md: starts a helper on a temporary socket, runs
# `quote-helper bench quotes` at 1, 4, 16 (three times: the budgets are set at 16, and this shared VM is noisy) and 64
# clients, then drives 100,000+ quotes to check the daemon's memory.
# Usage: bench/quotes.sh [seconds-per-run]   (default 10)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
./quote-helper --help >/dev/null   # build once, outside the measurements
work="$(mktemp -d)"
./quote-helper daemon --socket "$work/run/aesm.socket" --state-dir "$work/state" >"$work/daemon.log" 2>&1 &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [[ -S "$work/run/aesm.socket" ]] && break; sleep 0.1; done

for clients in 1 4 16 16 16 64; do
  ./quote-helper bench quotes --socket "$work/run/aesm.socket" --clients "$clients" --seconds "$seconds" --warmup 2 --json
done

# Memory: RSS after >= 100,000 quotes, then after as many again (must not grow).
rss() { awk '/VmRSS/ {print $2/1024}' "/proc/$daemon/status"; }
./quote-helper bench quotes --socket "$work/run/aesm.socket" --clients 16 --seconds 12 --warmup 0 --json >/dev/null
echo "{\"rssMiBAfterFirstRun\": $(rss)}"
./quote-helper bench quotes --socket "$work/run/aesm.socket" --clients 16 --seconds 12 --warmup 0 --json >/dev/null
echo "{\"rssMiBAfterSecondRun\": $(rss)}"
