#!/usr/bin/env bash
# stream_vs_iperf3.sh — how close stream_server/stream_client come to the loopback limit, measured
# as iperf3 (one stream, Debian's iperf3) measures it, in one run on this machine.
#
#   lesson01_tcp/stream_vs_iperf3.sh [BIN_DIR]      BIN_DIR: the programs (default build/default/bin)
#   SECONDS_EACH=5 ROUNDS=3 BLOCK=131072 PIN=1 lesson01_tcp/stream_vs_iperf3.sh
#
# Each round runs iperf3 for SECONDS_EACH seconds, then stream_client with as many bytes as iperf3
# moved in that time (so both run about as long), and the table shows the best round of each and
# their ratio. The pair moves the data in iperf3's blocks, 128 KiB per send() and per recv()
# (BLOCK; the programs' own default is 64 KiB, which costs the pair about a third of its rate here:
# twice the calls, each with its poll()). PIN=1 puts both servers on CPU 0 and both clients on
# CPU 1 (taskset), as ../shared/bench/anchors.sh does. Everything is on 127.0.0.1, on ports the kernel picks free.
# A benchmark, not a test: it prints numbers and asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/default/bin}
seconds=${SECONDS_EACH:-5}
rounds=${ROUNDS:-3}
block=${BLOCK:-131072}
for tool in iperf3 python3 "$bin/stream_server" "$bin/stream_client"; do
  command -v "$tool" >/dev/null || { echo "stream_vs_iperf3: $tool not found (apt-get install iperf3; build first)" >&2; exit 2; }
done
server_cpu=() client_cpu=()
if [ "${PIN:-0}" = 1 ]; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_listen() { for _ in $(seq 100); do python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null && return; sleep 0.1; done; echo "stream_vs_iperf3: nothing listens on $1" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
best_iperf=0 best_ours=0
for round in $(seq "$rounds"); do
  port=$(free_port)
  "${server_cpu[@]}" iperf3 -s -1 -p "$port" --forceflush >"$work/iperf3-server.out" 2>&1 &
  # Not a probe connection: iperf3 -s -1 would take it for its one test. It says when it listens.
  for _ in $(seq 100); do grep -q 'Server listening' "$work/iperf3-server.out" && break; sleep 0.1; done
  "${client_cpu[@]}" iperf3 -c 127.0.0.1 -p "$port" -t "$seconds" -J >"$work/iperf3.json"
  wait
  iperf=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]["sum_received"]; print(int(e["bytes"]), e["bits_per_second"]/8e6)' "$work/iperf3.json")
  bytes=${iperf% *} iperf_mbs=${iperf#* }

  port=$(free_port)
  "${server_cpu[@]}" "$bin/stream_server" --port "$port" --recv-size "$block" >"$work/server.out" &
  server=$!
  wait_listen "$port"
  "${client_cpu[@]}" "$bin/stream_client" --port "$port" --chunk "$block" --bytes "$bytes" --timeout 60 >"$work/client.out"
  kill -INT "$server"; wait
  # (the first connection is wait_listen's probe: 0 bytes)
  grep -A1 "^received $bytes bytes" "$work/server.out" | grep -q 'content verified' || { echo "stream_vs_iperf3: stream_server did not verify the bytes:" >&2; cat "$work/server.out" >&2; exit 1; }
  ours_mbs=$(sed -n 's/^throughput: \([0-9.]*\) MB\/s/\1/p' "$work/client.out")
  printf 'round %d: iperf3 %.1f MB/s, stream pair %.1f MB/s (%s bytes)\n' "$round" "$iperf_mbs" "$ours_mbs" "$bytes" >&2
  best_iperf=$(python3 -c "print(max($best_iperf, $iperf_mbs))")
  best_ours=$(python3 -c "print(max($best_ours, $ours_mbs))")
done

printf '| one TCP stream over loopback | MB/s (best of %d, %d s each) | ÷ iperf3 |\n|---|---|---|\n' "$rounds" "$seconds"
printf '| iperf3 -c 127.0.0.1 -t %d | %.0f | 1.00× |\n' "$seconds" "$best_iperf"
printf '| stream_client --chunk %d → stream_server --recv-size %d | %.0f | %.2f× |\n' "$block" "$block" "$best_ours" "$(python3 -c "print($best_ours / $best_iperf)")"
echo "($(nproc) cores, PIN=${PIN:-0}, BLOCK=$block, $(iperf3 --version | head -1 | cut -d' ' -f1-2); the rounds are on stderr)"
