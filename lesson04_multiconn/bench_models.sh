#!/usr/bin/env bash
# bench_models.sh — the six models of this lesson under the same load, as a table and a chart.
#
#   lesson04_multiconn/bench_models.sh [BIN_DIR]     BIN_DIR: the programs (default build/default/bin)
#   CLIENTS="1 10 100 1000 5000" IDLE=9000 DURATION=3 lesson04_multiconn/bench_models.sh
#
# For each number of clients, each server (--quiet; thread and fork servers with --backlog 4096 so
# the lecture's listen(5) is not what is measured) is started on a free port and loaded for
# DURATION seconds by multiconn_bench; then once more with 100 busy clients beside IDLE silent
# ones; then app_server (lecture 002's protocol, a connection per request: multiconn_bench --app). The rows (multiconn_bench --csv) go to bench_models.csv, the Markdown table to stdout,
# and gnuplot (Debian gnuplot-nox) draws requests/s and p99 against clients, a line per model, in
# bench_models.png (both in OUT_DIR, default lesson04_multiconn/). A benchmark: nothing is asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
. "$here/bench_lib.sh"
bin=${1:-build/default/bin}
out_dir=${OUT_DIR:-$here}
clients=${CLIENTS:-1 10 100 1000 5000}
idle=${IDLE:-9000}
duration=${DURATION:-3}
models=${MODELS:-blocking_server select_server poll_server epoll_server thread_server fork_server}
command -v gnuplot >/dev/null || { echo "bench_models: gnuplot not found (scripts/install-deps --bench)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"  # thousands of clients need thousands of descriptors, here and in each server

csv=$out_dir/bench_models.csv
log=$(mktemp)
trap 'bench_stop; rm -f "$log"' EXIT
echo "model,clients,idle,held,served,requests_per_s,p50_ms,p99_ms,errors" >"$csv"
run() {  # run MODEL CLIENTS IDLE [multiconn_bench options]
  local model=$1 n=$2 idle_n=$3 port extra=()
  shift 3
  port=$(bench_free_port)
  case $model in
    blocking_server) ;;
    thread_server | fork_server) extra=(--backlog 4096 --max-clients 20000) ;;
    app_server) extra=(--max-clients 1000) ;;
    *) extra=(--max-clients 20000) ;;
  esac
  bench_start "$log" "$port" "$bin/$model" --host 127.0.0.1 --port "$port" --quiet "${extra[@]}"
  "$bin/multiconn_bench" --connections "$n" --idle "$idle_n" --duration "$duration" --csv "$model" "$@" 127.0.0.1 "$port" |
    tee -a "$csv" >&2
  bench_stop
}
for n in $clients; do
  for m in $models; do run "$m" "$n" 0; done
done
if [ "$idle" -gt 0 ]; then
  for m in $models; do run "$m" 100 "$idle"; done
fi
# app_server speaks lecture 002's protocol, one request per connection: multiconn_bench --app
# connects again for every request (at most 1000 clients: app_server's --max-clients).
for n in $clients; do
  [ "$n" -le 1000 ] && run app_server "$n" 0 --app
done

echo "| model | connections | held | served | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|---|"
tail -n +2 "$csv" | while IFS=, read -r model n idle_n held served rate p50 p99 errors; do
  [ "$idle_n" = 0 ] && asked=$n || asked="$n + $idle_n idle"
  echo "| $model | $asked | $held | $served | $rate | $p50 | $p99 | ${errors//\"/} |"
done
echo
echo "(lesson04_multiconn/bench_models.sh, DURATION=$duration; $(bench_machine))"

# One data file per model (the rows without idle clients), then two charts side by side.
plot=()
for m in $models app_server; do
  awk -F, -v m="$m" '$1 == m && $3 == 0 { print $2, $6, $8 }' "$csv" >"$out_dir/.bench_$m.dat"
  title=${m%_server}
  [ "$m" = blocking_server ] && title="blocking (serves 1 client)"
  [ "$m" = app_server ] && title="app (lecture 002, a connection per request)"
  plot+=("'$out_dir/.bench_$m.dat' using 1:COLUMN with linespoints title '$title'")
done
lines() { local IFS=,; echo "${plot[*]//COLUMN/$1}"; }
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,500 font ',10' noenhanced
set output '$out_dir/bench_models.png'
set multiplot layout 1,2 title "lesson04: one uppercase-echo service, six models (multiconn_bench, $duration s per point, $(nproc) cores)"
set logscale x
set xlabel 'clients, each with one request in flight'
set key top left
set grid
set ylabel 'requests/s'
set yrange [0:*]
plot $(lines 2)
set ylabel 'p99 latency, ms'
set logscale y
set yrange [*:*]
plot $(lines 3)
unset multiplot
GNUPLOT
rm -f "$out_dir"/.bench_*.dat
echo "bench_models: $csv and $out_dir/bench_models.png" >&2
