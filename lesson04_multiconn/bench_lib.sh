# bench_lib.sh — what lesson04's bench scripts share (sourced, not run): a free port, a server
# started in the background and waited for, and stopped with Ctrl-C as a user would.
# Everything listens on 127.0.0.1 only.

# A free TCP port on 127.0.0.1 below 32768: the ephemeral range above it is where the bench's own
# thousands of client ports (and their TIME_WAIT) live, and a server could not bind there.
bench_free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "bench: no free port found" >&2; return 1
}

# bench_start OUT PORT CMD...: runs CMD in the background (stdout and stderr to OUT) and waits until
# PORT accepts a connection (a probe the servers see as a client that leaves at once), at most 10 s.
# Sets SERVER_PID.
bench_start() {
  local out=$1 port=$2; shift 2
  "$@" >"$out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: $* exited:" >&2; cat "$out" >&2; return 1; }
    sleep 0.05
  done
  echo "bench: $* is not listening on $port after 10 s" >&2; return 1
}

# Ctrl-C, then wait for it to exit (every lesson04 server stops cleanly on SIGINT).
bench_stop() {
  kill -INT "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

# The server's peak resident memory so far, in MiB (VmHWM: what it needed at its largest).
bench_peak_rss_mib() {
  awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

# One line that says where the numbers come from.
bench_machine() {
  echo "$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(. /etc/os-release; echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg), ulimit -n $(ulimit -Hn)"
}
