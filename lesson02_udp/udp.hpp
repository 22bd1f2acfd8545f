// udp.hpp — lesson02's recvfrom(), checked and traced as common/'s calls are (sendto is
// netlab::send_to: lesson06 sends datagrams too), and its two UDP set-ups, in the style of
// common/'s tcp_listen/tcp_connect.
//
// A UDP server needs only socket → bind; there is no listen() and no accept(), because there
// are no connections to wait for: recvfrom() hands over each datagram with its sender's address,
// and sendto() answers that address. A UDP client needs only socket → sendto.
#pragma once

#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <poll.h>
#include <sys/socket.h>

namespace lesson02 {

// socket + bind on the first address of host:port that works. An empty host is every interface
// ('' in the lectures' bind(('', port))).
inline netlab::Fd udp_bind(const std::string& host, std::uint16_t port)
{
    std::optional<netlab::SysError> first_error;
    for (const netlab::AddrInfo& ai : netlab::resolve(host, std::to_string(port), SOCK_DGRAM, /*passive=*/true)) {
        try {
            netlab::Fd sock = netlab::open_socket(ai.family, SOCK_DGRAM);
            netlab::bind_to(sock.get(), ai.endpoint);
            return sock;
        } catch (const netlab::SysError& e) {
            if (!first_error)
                first_error = e;
        }
    }
    throw *first_error;  // resolve() never returns an empty list
}

// Where a client sends: the first address of host:port, and an unbound socket of its family.
// The kernel picks the source port at the first sendto() (or at connect()).
struct Target {
    netlab::Endpoint to;
    netlab::Fd sock;
};

inline Target udp_target(const std::string& host, std::uint16_t port)
{
    const netlab::AddrInfo ai = netlab::resolve(host, std::to_string(port), SOCK_DGRAM).front();
    return {ai.endpoint, netlab::open_socket(ai.family, SOCK_DGRAM)};
}

// One datagram, and how long it really was. With MSG_TRUNC, Linux's recvfrom() returns the
// datagram's full length even when the buffer was smaller; the bytes that did not fit are lost
// (a datagram is read whole or cut, never split across two reads as a TCP stream would be).
struct Datagram {
    std::size_t size = 0;       // bytes stored in the buffer
    std::size_t full_size = 0;  // bytes the sender sent (with MSG_TRUNC; else the same as size)
    netlab::Endpoint from;
    bool truncated() const { return full_size > size; }
};

// recvfrom(): the next datagram and its sender, waiting at most timeout_ms (< 0: forever).
// `flags` may be MSG_TRUNC, to learn full_size. Throws Timeout or SysError.
inline Datagram recv_datagram(int fd, char* buf, std::size_t capacity, int timeout_ms = -1, int flags = 0)
{
    const char* flag_text = (flags & MSG_TRUNC) ? ", MSG_TRUNC" : "";
    for (;;) {
        if (!netlab::wait_ready(fd, POLLIN, timeout_ms))
            throw netlab::Timeout("recvfrom");
        Datagram d;
        d.from.len = sizeof d.from.addr;
        const ssize_t n = ::recvfrom(fd, buf, capacity, MSG_DONTWAIT | flags, d.from.sa(), &d.from.len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            const int err = errno;
            netlab::trace("recvfrom(", fd, ", ", capacity, flag_text, ") = -1 ", netlab::errno_name(err), " (",
                          std::strerror(err), ")");
            netlab::throw_sys("recvfrom", err);
        }
        d.full_size = static_cast<std::size_t>(n);
        d.size = std::min(d.full_size, capacity);
        netlab::trace("recvfrom(", fd, ", ", capacity, flag_text, ") = ", n, " from ", d.from);
        return d;
    }
}

// recv_datagram() for the common case: the bytes stored, and the sender in *from if asked.
inline std::size_t recv_from(int fd, char* buf, std::size_t capacity, netlab::Endpoint* from, int timeout_ms = -1)
{
    const Datagram d = recv_datagram(fd, buf, capacity, timeout_ms);
    if (from)
        *from = d.from;
    return d.size;
}

}  // namespace lesson02
