#!/usr/bin/env bash
# bench_vs_asio.sh — this lesson's servers beside asio's C++11 async_tcp_echo_server, the example
# engineers learn asynchronous C++ servers from, under the same echo loads.
#
#   lesson04_multiconn/bench_vs_asio.sh [BIN_DIR]     BIN_DIR: the programs (default build/default/bin)
#   MODELS="epoll_server" PIN=1 DURATION=5 lesson04_multiconn/bench_vs_asio.sh
#
# For each model and each of ROUNDS rounds (default 3), one run of ../shared/bench/anchors.sh
# (SKIP_HTTP, SKIP_IPERF) measures asio and then the model (--quiet) with echo_load: 64-byte
# ping-pong on 1 and on 50 connections, 64 KiB bulk on 1. ECHO_LOAD_ARGS=--upper-alphabet makes every payload byte one that uppercasing leaves
# alone, so echo_load still checks every byte of an uppercase echo. Each ratio compares the model
# with asio measured in the same run, never with another run's numbers; the table shows the round
# with the median ratio, and every round's ratio (runs here vary by 10-30 %). Needs what anchors.sh
# needs (scripts/install-deps --bench). A benchmark: nothing is asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
. "$here/bench_lib.sh"
bin=$(cd "${1:-build/default/bin}" && pwd)
anchors=${ANCHORS:-$here/../../shared/bench/anchors.sh}
[ -x "$anchors" ] || { echo "bench_vs_asio: $anchors not found (../shared beside the project)" >&2; exit 2; }
models=${MODELS:-select_server poll_server epoll_server thread_server fork_server}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for round in $(seq "$rounds"); do
  for m in $models; do
    echo "bench_vs_asio: $m, round $round of $rounds" >&2
    case $m in thread_server | fork_server) extra="--backlog 4096" ;; *) extra="" ;; esac
    SKIP_HTTP=1 SKIP_IPERF=1 ECHO_LOAD_ARGS=--upper-alphabet RESULTS_DIR="$work/$m.$round" \
      CANDIDATE_ECHO_CMD="$bin/$m --host 127.0.0.1 --port {port} --quiet $extra" "$anchors" >/dev/null 2>"$work/$m.$round.log" ||
      { echo "bench_vs_asio: anchors.sh failed for $m:" >&2; tail "$work/$m.$round.log" >&2; exit 1; }
  done
done

# rows.tsv: test, server, role, rate (a number), rate (as shown), p50, p99, errors. Per model and
# test, the round whose ratio is the median of the rounds is shown.
python3 - "$work" "$rounds" $models <<'PYTHON'
import sys, re
work, rounds, models = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
tests = ["echo 64B c1", "echo 64B c50", "echo bulk 64KiB c1"]
print("| test | server | rate | p50 | p99 | asio, same run: rate | p50 | p99 | ÷ asio (median of %d) | all rounds |" % rounds)
print("|---|---|---|---|---|---|---|---|---|---|")
for t in tests:
    for m in models:
        runs = []
        for r in range(1, rounds + 1):
            rows = {}
            for line in open(f"{work}/{m}.{r}/rows.tsv"):
                f = line.rstrip("\n").split("\t")
                if f[0] == t:
                    rows[f[1]] = f
            a, c = rows["asio"], rows["candidate"]
            runs.append((float(c[3]) / float(a[3]), a, c))
        runs.sort(key=lambda x: x[0])
        ratio, a, c = runs[len(runs) // 2]
        shown = lambda v: re.sub(r" \(.*\)", "", v)
        errors = "" if c[7] == "0" else f" (errors: {c[7]})"
        every = ", ".join(f"{x[0]:.2f}" for x in runs)
        print(f"| {t} | {m.removesuffix('_server')} | {shown(c[4])} | {c[5]} | {c[6]} | {shown(a[4])} | {a[5]} | {a[6]} | {ratio:.2f}×{errors} | {every} |")
PYTHON
echo
echo "(lesson04_multiconn/bench_vs_asio.sh, DURATION=${DURATION:-5}, PIN=${PIN:-0}, ROUNDS=$rounds, one anchors.sh run per model and round; $(bench_machine))"
