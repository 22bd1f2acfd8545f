// lesson03_errors/peers.cpp — loopback peers for the scenarios (see peers.hpp).
#include "lesson03_errors/peers.hpp"

#include "common/error.hpp"

#include <poll.h>
#include <sys/socket.h>

namespace lesson03 {

netlab::Fd listener(const Options& opts, int backlog, bool reuse_addr)
{
    return netlab::tcp_listen(opts.host, opts.port, backlog, reuse_addr);
}

netlab::Fd connect_client(const netlab::Endpoint& to, int timeout_ms)
{
    netlab::Fd fd = netlab::open_socket(to.family(), SOCK_STREAM);
    netlab::connect_to(fd.get(), to, timeout_ms);
    return fd;
}

void abort_on_close(int fd)
{
    const linger abort{1, 0};
    if (::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort) < 0)
        netlab::throw_sys("setsockopt(SO_LINGER)");
    netlab::trace("setsockopt(", fd, ", SO_LINGER, {1, 0}) = 0");
}

Connection connected_pair(const Options& opts)
{
    Connection c;
    c.listener = listener(opts, 1);
    c.client = connect_client(netlab::local_endpoint(c.listener.get()), 5000);
    c.server = netlab::accept_from(c.listener.get(), nullptr, 5000);
    return c;
}

FullListener full_listener(const Options& opts)
{
    FullListener f;
    f.listener = listener(opts, 0);
    f.address = netlab::local_endpoint(f.listener.get());
    f.filler = connect_client(f.address, 5000);
    return f;
}

bool wait_error(int fd, int timeout_ms)
{
    // Asking for no events still reports POLLERR and POLLHUP, and only those.
    pollfd p{fd, 0, 0};
    for (;;) {
        int n = ::poll(&p, 1, timeout_ms);
        if (n >= 0)
            return n > 0;
        if (errno != EINTR)
            netlab::throw_sys("poll");
    }
}

}  // namespace lesson03
