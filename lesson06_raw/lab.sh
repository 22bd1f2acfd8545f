#!/usr/bin/env bash
# lesson06_raw/lab.sh — a four-host lab network on one machine, for ping, traceroute and the sniffer.
#
#   client ---------- router1 ---------- router2 ---------- server
#   10.61.1.2   10.61.1.1 | 10.61.2.1   10.61.2.2 | 10.61.3.1   10.61.3.2
#   fd61:1::2   fd61:1::1 | fd61:2::1   fd61:2::2 | fd61:3::1   fd61:3::2
#
# Each host is a network namespace (ip netns), each wire a veth pair created directly inside
# the namespaces, so nothing is added to the host's own network and no packet leaves the lab.
# The routers forward (net.ipv4.ip_forward=1 in their namespace only). router1 also has two
# routes for experiments: 10.61.8.0/24 is a blackhole (silently dropped: ping times out) and
# 10.61.9.0/24 is unreachable (router1 answers "Destination Host Unreachable").
#
#   sudo lesson06_raw/lab.sh up [SUFFIX]      build it (namespaces l06-client[-SUFFIX], l06-r1, l06-r2, l06-server)
#   sudo lesson06_raw/lab.sh down [SUFFIX]    remove it all
#   sudo lesson06_raw/lab.sh status [SUFFIX]  list its namespaces and addresses
#   sudo ip netns exec l06-client build/default/bin/ping --style iputils 10.61.3.2
#   sudo ip netns exec l06-client build/default/bin/traceroute server     # hosts: client, router1, router2, server
#   sudo ip netns exec l06-r1 build/default/bin/sniffer -i r1-c      # watch router1's client side
#
# A SUFFIX (the tests use their process id) lets several labs exist at once. Needs root (CAP_NET_ADMIN).
set -euo pipefail

usage() { echo "usage: $0 up|down|status [SUFFIX] (try --help)" >&2; exit 2; }
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"  # the comment above, as help
  exit 0
fi
[ $# -ge 1 ] && [ $# -le 2 ] || usage
action=$1
suffix=${2:+-$2}
case "$suffix" in *[!A-Za-z0-9-]*) echo "lab.sh: SUFFIX may hold only letters, digits and '-'" >&2; exit 2 ;; esac

client=l06-client$suffix r1=l06-r1$suffix r2=l06-r2$suffix server=l06-server$suffix
all=("$client" "$r1" "$r2" "$server")

down() {
  for ns in "${all[@]}"; do
    ip netns del "$ns" 2>/dev/null || true  # deleting a namespace deletes its veth ends, and their peers
    rm -rf "/etc/netns/$ns"
  done
}

# names NS: `ip netns exec NS` shows the files of /etc/netns/NS/ in place of /etc's. The lab's hosts
# get names (traceroute without -n prints "router1 (10.61.1.1)") and a resolver on their own
# loopback, where nothing answers: a name lookup fails at once and no query leaves the lab.
names() {
  mkdir -p "/etc/netns/$1"
  cat >"/etc/netns/$1/hosts" <<HOSTS
127.0.0.1 localhost
::1 localhost
10.61.1.2 client
10.61.1.1 router1
10.61.2.1 router1
10.61.2.2 router2
10.61.3.1 router2
10.61.3.2 server
fd61:1::2 client
fd61:1::1 router1
fd61:2::1 router1
fd61:2::2 router2
fd61:3::1 router2
fd61:3::2 server
HOSTS
  echo "nameserver 127.0.0.1" >"/etc/netns/$1/resolv.conf"
}

# link NS1 IF1 NS2 IF2: one wire between two hosts.
link() { ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"; }
# addr NS IF V4 V6: an address of each family on an interface, and the interface up.
addr() {
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" -6 addr add "$4" dev "$2" nodad  # nodad: usable at once, no duplicate-address wait
  ip -n "$1" link set "$2" up
}

up() {
  down  # a leftover of an earlier run, if any
  trap 'echo "lab.sh: setting up failed; removing what was made" >&2; down' ERR
  for ns in "${all[@]}"; do
    ip netns add "$ns"
    names "$ns"
    ip -n "$ns" link set lo up
    # Neither routers nor hosts of the lab should talk IPv6 router discovery to anyone: keep it quiet.
    # No duplicate-address detection either (the link-local addresses too): usable the moment they exist.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  link "$client" c-r1 "$r1" r1-c
  link "$r1" r1-r2 "$r2" r2-r1
  link "$r2" r2-s "$server" s-r2
  addr "$client" c-r1 10.61.1.2/24 fd61:1::2/64
  addr "$r1" r1-c 10.61.1.1/24 fd61:1::1/64
  addr "$r1" r1-r2 10.61.2.1/24 fd61:2::1/64
  addr "$r2" r2-r1 10.61.2.2/24 fd61:2::2/64
  addr "$r2" r2-s 10.61.3.1/24 fd61:3::1/64
  addr "$server" s-r2 10.61.3.2/24 fd61:3::2/64
  for ns in "$r1" "$r2"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  done
  ip -n "$client" route add default via 10.61.1.1
  ip -n "$client" -6 route add default via fd61:1::1
  ip -n "$r1" route add 10.61.3.0/24 via 10.61.2.2
  ip -n "$r1" -6 route add fd61:3::/64 via fd61:2::2
  ip -n "$r1" route add blackhole 10.61.8.0/24
  ip -n "$r1" route add unreachable 10.61.9.0/24
  ip -n "$r2" route add 10.61.1.0/24 via 10.61.2.1
  ip -n "$r2" -6 route add fd61:1::/64 via fd61:2::1
  ip -n "$server" route add default via 10.61.3.1
  ip -n "$server" -6 route add default via fd61:3::1
  # ICMP errors are rate-limited per destination (1 per second after a burst of 6); traceroute's
  # probes would then see '*' where a router did answer. ratemask=0 exempts every type: the lab's
  # hosts answer every probe. (Not ratelimit=0: that also empties the token bucket the
  # "unreachable" route's errors draw from, and router1's first such error would be dropped.)
  for ns in "$r1" "$r2" "$server"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratemask=0 net.ipv6.icmp.ratelimit=0
  done
  trap - ERR
  echo "lab up: $client (10.61.1.2) - $r1 (10.61.1.1, 10.61.2.1) - $r2 (10.61.2.2, 10.61.3.1) - $server (10.61.3.2)"
}

status() {
  for ns in "${all[@]}"; do
    if ip netns list | awk '{print $1}' | grep -qxF "$ns"; then
      echo "$ns:"
      ip -n "$ns" -brief addr show | sed 's/^/  /'
    else
      echo "$ns: absent"
    fi
  done
}

[ "$(id -u)" -eq 0 ] || { echo "lab.sh: needs root (ip netns)" >&2; exit 1; }
case "$action" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
