// lesson06_raw/raw.hpp — the socket side that ping and traceroute share: opening an ICMP socket
// (raw, or Linux's unprivileged ICMP datagram socket), and recvmsg() with its ancillary data
// (the TTL of a reply, the kernel's receive time, ICMP errors from the error queue).
#pragma once

#include "common/socket.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <linux/errqueue.h>

namespace lesson06 {

using Clock = std::chrono::steady_clock;

// The address to probe: the first getaddrinfo answer (IPv4 first, as everywhere in netlab).
// Throws netlab::ResolveError.
netlab::Endpoint resolve_host(const std::string& host, int family = AF_UNSPEC);

enum class IcmpSocket { raw, datagram };
struct OpenedIcmp {
    netlab::Fd fd;
    IcmpSocket kind;
};
// socket(family, SOCK_RAW, IPPROTO_ICMP[V6]); without CAP_NET_RAW (EPERM) the ICMP datagram socket
// (SOCK_DGRAM, allowed to the groups in net.ipv4.ping_group_range). `datagram_only` skips the raw
// attempt. Returns nullopt if neither is allowed; other errors throw SysError.
std::optional<OpenedIcmp> open_icmp(int family, bool datagram_only);

// One recvmsg() result.
struct Received {
    std::vector<std::uint8_t> data;
    netlab::Endpoint from;
    int ttl = -1;  // from IP_TTL / IPV6_HOPLIMIT ancillary data, when asked for and given
    Clock::time_point when;
    // From the error queue (IP_RECVERR): the ICMP error the kernel matched to what we sent.
    bool queued_error = false;
    sock_extended_err error{};
    netlab::Endpoint offender;  // who sent the ICMP error (SO_EE_OFFENDER)
};
// Waits until `deadline` for a datagram (or, with `errors`, an error-queue entry, which is
// preferred). nullopt on timeout. Throws netlab::Stopped on SIGINT/SIGTERM once install_stop_handlers ran.
std::optional<Received> receive(int fd, Clock::time_point deadline, bool errors = false);

// Milliseconds between two instants, as a double.
double ms_between(Clock::time_point from, Clock::time_point to);

}  // namespace lesson06
