// epoll_server — lecture 002's multiconn-server.py as Python's selectors.DefaultSelector really
// runs it on Linux: epoll. `epoll_server <host> <port>` (default 127.0.0.1 65432); uppercase echo
// with the lecture's log lines:
//
//   Listening on ('127.0.0.1', 65432)
//   Accepted connection from ('127.0.0.1', 61354)
//   Echoing b'MESSAGE 1 FROM CLIENT.MESSAGE 2 FROM CLIENT.' to ('127.0.0.1', 61354)
//   Closing connection to ('127.0.0.1', 61354)
//
// Watch for:
//  - The interest list lives in the kernel: epoll_ctl(ADD/MOD/DEL) changes it when a client comes,
//    goes, or starts/stops needing POLLOUT, and epoll_wait() returns only the ready sockets. A
//    wake-up costs O(ready), not O(clients) as with select() and poll() — which is how one thread
//    holds thousands of mostly idle connections (see the bench table in README.md).
//  - Level-triggered (the default, as selectors uses it): a socket with unread data is reported
//    again on the next wait, so reading one chunk per event is enough.
//  - EPOLLOUT is asked for only while a client has bytes queued after a partial send(); a client
//    that never reads is dropped once more than --max-buffer bytes wait for it.
//
// This file is the loop and the interest list. A ready client's turn (recv, uppercase, send what
// the kernel takes), taking a burst of new clients and dropping idle ones are the same in every
// non-blocking model: upper::service_connection, accept_wrapper, drop_idle_clients.
//
// Run the pair:   ./epoll_server 127.0.0.1 65432       ./multiconn_client 127.0.0.1 65432 2
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <array>
#include <cstdint>
#include <iostream>
#include <sys/epoll.h>

namespace {

constexpr const char* kProgram = "epoll_server";

struct Server {
    netlab::Fd epoll;
    netlab::Fd listener;
    upper::Clients clients;
    upper::Limits limits;
    bool accept_paused = false;  // out of descriptors: stop accepting until a client leaves

    void run();
    bool service(upper::Client& c, std::uint32_t revents);
    void watch(int op, int fd, std::uint32_t events) { upper::epoll_control(epoll.get(), op, fd, events); }
    // Out of descriptors, the listener leaves the interest list until a client leaves: it is
    // level-triggered, and a backlog we cannot accept from would wake us at once, forever.
    void pause_accepting(bool pause)
    {
        if (pause != accept_paused)
            watch(EPOLL_CTL_MOD, listener.get(), pause ? 0u : std::uint32_t{EPOLLIN});
        accept_paused = pause;
    }
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli(kProgram, "Uppercase echo for many clients in one thread with epoll (lecture 002)", "127.0.0.1", 65432);
        cli.positional({"host", "port"}, "[host] [port]");
        upper::add_limit_options(cli, 10'000, /*buffered=*/true);
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();
        upper::raise_fd_limit();

        Server server;
        server.limits = upper::read_limits(cli, args, true);
        // The epoll instance first: once the port listens, the server's descriptors are all there.
        server.epoll = upper::epoll_create();
        const netlab::AddrInfo addr =
            netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, /*passive=*/true).front();
        server.listener = netlab::open_socket(addr.family, SOCK_STREAM);
        netlab::set_option(server.listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(server.listener.get(), addr.endpoint);
        netlab::listen_on(server.listener.get(), SOMAXCONN);
        netlab::set_nonblocking(server.listener.get());  // accept() must never wait: the loop does
        server.watch(EPOLL_CTL_ADD, server.listener.get(), EPOLLIN);
        std::cout << "Listening on ('" << cli.host() << "', " << cli.port() << ")\n";
        server.run();
    });
}

namespace {

void Server::run()
{
    const sigset_t wait_mask = netlab::stop_wait_mask();
    upper::SweepClock sweep;
    std::array<epoll_event, 256> ready{};
    while (!netlab::stop_requested()) {
        // Wake once a second to drop idle clients.
        const int n = ::epoll_pwait(epoll.get(), ready.data(), ready.size(), 1000, &wait_mask);
        if (n > 0)  // not the once-a-second idle tick, nor Ctrl-C
            netlab::trace("epoll_wait(", epoll.get(), ") = ", n);
        if (n < 0 && errno == EINTR)
            continue;  // Ctrl-C: the loop condition sees it
        if (n < 0)
            netlab::throw_sys("epoll_wait");

        for (int i = 0; i < n; ++i) {
            const int fd = ready[i].data.fd;
            if (fd == listener.get()) {
                const bool out_of_fds = upper::accept_wrapper(listener.get(), kProgram, limits, clients, [&](upper::Client& c) {
                    if (!limits.quiet)
                        std::cout << "Accepted connection from " << c.name << "\n";
                    watch(EPOLL_CTL_ADD, c.fd.get(), EPOLLIN);
                    c.watched = EPOLLIN;
                });
                if (out_of_fds)
                    pause_accepting(true);
                continue;
            }
            auto it = clients.find(fd);
            if (it != clients.end() && !service(it->second, ready[i].events)) {
                watch(EPOLL_CTL_DEL, fd, 0);  // close() alone would also do it; DEL says so plainly
                clients.erase(it);
                pause_accepting(false);
            }
        }
        if (sweep.due() && upper::drop_idle_clients(kProgram, clients, limits, [&](int fd) { watch(EPOLL_CTL_DEL, fd, 0); }))
            pause_accepting(false);
    }
    std::cout << "Caught keyboard interrupt, exiting\n";
}

// One ready client; false when it is finished or broken and must be closed.
bool Server::service(upper::Client& c, std::uint32_t revents)
{
    // EPOLLHUP/EPOLLERR count as readable: recv() then reports what happened.
    if (!upper::service_connection(kProgram, c, revents & (EPOLLIN | EPOLLHUP | EPOLLERR), limits))
        return false;
    // The interest list follows the client: EPOLLIN until it sends EOF, EPOLLOUT while bytes wait.
    const std::uint32_t wanted = (c.closing ? 0u : std::uint32_t{EPOLLIN}) | (c.out.empty() ? 0u : std::uint32_t{EPOLLOUT});
    if (wanted != c.watched) {
        watch(EPOLL_CTL_MOD, c.fd.get(), wanted);
        c.watched = wanted;
    }
    return true;
}

}  // namespace
