// lesson06_raw/raw.cpp — see raw.hpp.
#include "raw.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace lesson06 {

netlab::Endpoint resolve_host(const std::string& host, int family)
{
    // The port means nothing to ICMP; getaddrinfo only wants a service to build the address.
    return netlab::resolve(host, "0", SOCK_DGRAM, /*passive=*/false, family).front().endpoint;
}

std::optional<OpenedIcmp> open_icmp(int family, bool datagram_only)
{
    const int protocol = family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
    if (!datagram_only) {
        try {
            return OpenedIcmp{netlab::open_socket(family, SOCK_RAW, protocol), IcmpSocket::raw};
        } catch (const netlab::SysError& e) {
            if (e.code() != EPERM && e.code() != EACCES)
                throw;
        }
    }
    try {
        return OpenedIcmp{netlab::open_socket(family, SOCK_DGRAM, protocol), IcmpSocket::datagram};
    } catch (const netlab::SysError& e) {
        // EACCES: our group is outside net.ipv4.ping_group_range (Debian's default "1 0" allows no one).
        if (e.code() != EPERM && e.code() != EACCES)
            throw;
    }
    return std::nullopt;
}

double ms_between(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::optional<Received> receive(int fd, Clock::time_point deadline, bool errors)
{
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        // Round up: poll's milliseconds must not end the wait just before the deadline.
        if (!netlab::wait_ready(fd, POLLIN, left <= 0 ? 0 : static_cast<int>(left) + 1)) {
            if (Clock::now() >= deadline)
                return std::nullopt;
            continue;
        }
        Received r;
        r.data.resize(65536);
        alignas(cmsghdr) char control[512];
        iovec iov{r.data.data(), r.data.size()};
        msghdr msg{};
        msg.msg_name = r.from.sa();
        msg.msg_namelen = sizeof r.from.addr;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = -1;
        if (errors) {
            n = ::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
            r.queued_error = n >= 0;
        }
        if (n < 0) {
            msg.msg_namelen = sizeof r.from.addr;
            msg.msg_controllen = sizeof control;
            n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            netlab::throw_sys("recvmsg(" + std::to_string(fd) + ")");
        }
        r.when = Clock::now();
        r.from.len = msg.msg_namelen;
        r.data.resize(static_cast<std::size_t>(n));
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
                int ttl;
                std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
                r.ttl = ttl;
            } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                       (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
                std::memcpy(&r.error, CMSG_DATA(c), sizeof r.error);
                // The offender's address follows the extended error (SO_EE_OFFENDER).
                const auto* offender = reinterpret_cast<const sockaddr*>(CMSG_DATA(c) + sizeof r.error);
                const std::size_t room = c->cmsg_len - CMSG_LEN(sizeof r.error);
                const std::size_t len = offender->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
                if (room >= len) {
                    std::memcpy(&r.offender.addr, offender, len);
                    r.offender.len = static_cast<socklen_t>(len);
                }
            }
        }
        netlab::trace("recvmsg(" + std::to_string(fd) + (r.queued_error ? ", MSG_ERRQUEUE" : "") + ") = " + std::to_string(n) +
                      " from " + r.from.ip());
        return r;
    }
}

}  // namespace lesson06
