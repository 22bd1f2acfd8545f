#!/usr/bin/env bash
# bench_vs_asio.sh — this lesson's servers beside asio's C++11 async_tcp_echo_server, the example
# engineers learn asynchronous C++ servers from, under the same echo loads.
#
#   lesson04_multiconn/bench_vs_asio.sh [BIN_DIR]     BIN_DIR: the programs (default build/default/bin)
#   MODELS="epoll_server" PIN=1 DURATION=5 lesson04_multiconn/bench_vs_asio.sh
#
# For each model, one run of ../shared/bench/anchors.sh (SKIP_HTTP, SKIP_IPERF) measures asio and
# then the model (--quiet) with echo_load: 64-byte ping-pong on 1 and on 50 connections, 64 KiB
# bulk on 1. ECHO_LOAD_ARGS=--upper-alphabet makes every payload byte one that uppercasing leaves
# alone, so echo_load still checks every byte of an uppercase echo. Each ratio compares the model
# with asio measured in the same run, never with another run's numbers. Needs what anchors.sh
# needs (scripts/install-deps --bench). A benchmark: nothing is asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
. "$here/bench_lib.sh"
bin=$(cd "${1:-build/default/bin}" && pwd)
anchors=${ANCHORS:-$here/../../shared/bench/anchors.sh}
[ -x "$anchors" ] || { echo "bench_vs_asio: $anchors not found (../shared beside the project)" >&2; exit 2; }
models=${MODELS:-select_server poll_server epoll_server thread_server fork_server}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for m in $models; do
  echo "bench_vs_asio: $m" >&2
  case $m in thread_server | fork_server) extra="--backlog 4096" ;; *) extra="" ;; esac
  SKIP_HTTP=1 SKIP_IPERF=1 ECHO_LOAD_ARGS=--upper-alphabet RESULTS_DIR="$work/$m" \
    CANDIDATE_ECHO_CMD="$bin/$m --host 127.0.0.1 --port {port} --quiet $extra" "$anchors" >"$work/$m.table" 2>"$work/$m.log" ||
    { echo "bench_vs_asio: anchors.sh failed for $m:" >&2; tail "$work/$m.log" >&2; exit 1; }
done

# rows.tsv: test, server, role, rate (a number), rate (as shown), p50, p99, errors.
echo "| test | server | rate | p50 | p99 | asio, same run: rate | p50 | p99 | ÷ asio |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in "echo 64B c1" "echo 64B c50" "echo bulk 64KiB c1"; do
  for m in $models; do
    awk -F'\t' -v t="$t" -v m="${m%_server}" '
      $1 == t && $2 == "asio" { a = $4; ashow = $5; ap50 = $6; ap99 = $7 }
      $1 == t && $2 == "candidate" { c = $4; cshow = $5; cp50 = $6; cp99 = $7; err = $8 }
      END { sub(/ \(.*\)/, "", ashow); sub(/ \(.*\)/, "", cshow)
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.2f×%s |\n", t, m, cshow, cp50, cp99, ashow, ap50, ap99,
                   (a > 0 ? c / a : 0), (err != "0" ? " (errors: " err ")" : "") }' "$work/$m/rows.tsv"
  done
done
echo
echo "(lesson04_multiconn/bench_vs_asio.sh, DURATION=${DURATION:-5}, PIN=${PIN:-0}, one anchors.sh run per model; $(bench_machine))"
