#!/usr/bin/env bash
# bench_idle.sh — epoll_server holding many idle connections: does it slow down the busy ones, and
# what does it cost in memory?
#
#   lesson04_multiconn/bench_idle.sh [BIN_DIR]        BIN_DIR: the programs (default build/default/bin)
#   IDLE=100000 BUSY=100 DURATION=5 lesson04_multiconn/bench_idle.sh
#
# Two runs of multiconn_bench against a fresh epoll_server --quiet: BUSY clients alone, then the
# same BUSY clients beside IDLE connections that connect and stay silent (from several loopback
# source addresses: multiconn_bench --sources). Prints both rows, the p99 ratio, and the server's
# peak resident memory (VmHWM) in each. The default IDLE is as many as this machine's descriptor
# limit lets both processes hold (each needs one descriptor per connection), at most 100,000.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
. "$here/bench_lib.sh"
bin=${1:-build/default/bin}
busy=${BUSY:-100}
duration=${DURATION:-5}
ulimit -n "$(ulimit -Hn)"
fit=$(( $(ulimit -n) - busy - 100 ))  # room for the listener, epoll, stdio and the like
idle=${IDLE:-$(( fit < 100000 ? fit : 100000 ))}
[ "$idle" -le "$fit" ] || echo "bench_idle: IDLE=$idle needs more than ulimit -n $(ulimit -n) descriptors; expect errors" >&2

log=$(mktemp)
trap 'bench_stop; rm -f "$log"' EXIT
declare -A row rss
for n in 0 "$idle"; do
  port=$(bench_free_port)
  bench_start "$log" "$port" "$bin/epoll_server" --host 127.0.0.1 --port "$port" --quiet --max-clients $((idle + busy + 10))
  row[$n]=$("$bin/multiconn_bench" --connections "$busy" --idle "$n" --duration "$duration" --csv epoll_server 127.0.0.1 "$port")
  rss[$n]=$(bench_peak_rss_mib)
  bench_stop
  echo "${row[$n]}, peak RSS ${rss[$n]} MiB" >&2
done

field() { cut -d, -f"$2" <<<"${row[$1]}"; }
echo "| epoll_server | held | served | requests/s | p50 ms | p99 ms | server peak RSS | errors |"
echo "|---|---|---|---|---|---|---|---|"
for n in 0 "$idle"; do
  [ "$n" = 0 ] && label="$busy busy" || label="$busy busy + $n idle"
  echo "| $label | $(field "$n" 4) | $(field "$n" 5) | $(field "$n" 6) | $(field "$n" 7) | $(field "$n" 8) | ${rss[$n]} MiB | $(field "$n" 9 | tr -d '"') |"
done
echo
python3 -c "import sys; a,b=map(float,sys.argv[1:]); print(f'p99 with the idle connections: {b/a:.2f}x the p99 without them')" "$(field 0 8)" "$(field "$idle" 8)"
echo "(lesson04_multiconn/bench_idle.sh, DURATION=$duration; $(bench_machine))"
