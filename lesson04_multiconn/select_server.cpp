// select_server — lecture 000's answer to the blocking server: one thread, select() over the
// listening socket and every client. 127.0.0.1:5000, the same uppercase echo and log lines:
//
//   Connection from ('127.0.0.1', 53422).
//   ('127.0.0.1', 53422): hello
//   ('127.0.0.1', 53422) left us
//
// Watch for:
//  - select() blocks until *any* socket is ready, then we call recv()/send()/accept() only on
//    the ready ones, so none of them blocks. The sockets are non-blocking anyway: readiness is
//    a hint, and a send() may take only part of the data (the rest waits in Client::out).
//  - We ask for "writable" only for clients with something queued; asking always (as the
//    lecture's selectors example does) makes select() return at once, forever: a busy loop.
//  - A client that sends but never reads would make its queue grow without end: past
//    --max-buffer it is dropped, and everyone else is served all along.
//  - fd_set is a bitmap of FD_SETSIZE (1024) bits: a descriptor numbered 1024 or more cannot be
//    watched at all. This server turns such clients away; poll_server and epoll_server don't
//    have the limit.
//
// This file is the loop and a client's turn with lecture 000's log lines; taking a burst of new
// clients and dropping idle ones are upper::accept_wrapper and drop_idle_clients (upper_service).
//
// Run the pair:   ./select_server              nc 127.0.0.1 5000   (in two or three terminals)
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <iostream>
#include <sys/select.h>

namespace {

constexpr const char* kProgram = "select_server";

struct Server {
    netlab::Fd listener;
    upper::Clients clients;
    upper::Limits limits;
    bool accept_paused = false;  // out of descriptors: stop accepting until a client leaves

    void run();
    bool service_connection(upper::Client& c, bool readable, bool writable);
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli(kProgram, "Uppercase echo for many clients in one thread with select() (lecture 000)", "127.0.0.1", 5000);
        upper::add_limit_options(cli, FD_SETSIZE, /*buffered=*/true);
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();

        Server server;
        server.limits = upper::read_limits(cli, args, true);
        const netlab::AddrInfo addr =
            netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, /*passive=*/true).front();
        server.listener = netlab::open_socket(addr.family, SOCK_STREAM);
        netlab::set_option(server.listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(server.listener.get(), addr.endpoint);
        netlab::listen_on(server.listener.get(), SOMAXCONN);
        netlab::set_nonblocking(server.listener.get());  // accept() must never wait: the loop does
        server.run();
    });
}

namespace {

void Server::run()
{
    const sigset_t wait_mask = netlab::stop_wait_mask();
    upper::SweepClock sweep;
    while (!netlab::stop_requested()) {
        // select() overwrites the sets with its answer, so they are rebuilt every time.
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        int max_fd = -1;
        if (!accept_paused) {
            FD_SET(listener.get(), &readable);
            max_fd = listener.get();
        }
        for (const auto& [fd, c] : clients) {
            if (!c.closing)
                FD_SET(fd, &readable);
            if (!c.out.empty())
                FD_SET(fd, &writable);
            max_fd = std::max(max_fd, fd);
        }
        timespec tick{1, 0};  // wake once a second to drop idle clients
        const int ready = ::pselect(max_fd + 1, &readable, &writable, nullptr, &tick, &wait_mask);
        if (ready > 0)  // not the once-a-second idle tick, nor Ctrl-C
            netlab::trace("select(", max_fd + 1, ", ", clients.size(), " clients) = ", ready);
        if (ready < 0 && errno == EINTR)
            continue;  // Ctrl-C: the loop condition sees it
        if (ready < 0)
            netlab::throw_sys("select");

        // A descriptor numbered FD_SETSIZE or more cannot go into an fd_set: such a client is turned away.
        if (FD_ISSET(listener.get(), &readable))
            accept_paused = upper::accept_wrapper(
                listener.get(), kProgram, limits, clients,
                [&](upper::Client& c) {
                    if (!limits.quiet)
                        std::cout << "Connection from " << c.name << ".\n";
                },
                FD_SETSIZE);
        for (auto it = clients.begin(); it != clients.end();) {
            const int fd = it->first;
            const bool r = FD_ISSET(fd, &readable), w = FD_ISSET(fd, &writable);
            if ((r || w) && !service_connection(it->second, r, w)) {
                it = clients.erase(it);  // ~Fd closes the socket
                accept_paused = false;
            } else {
                ++it;
            }
        }
        if (sweep.due() && upper::drop_idle_clients(kProgram, clients, limits) > 0)
            accept_paused = false;  // descriptors are free again
    }
}

// Serves one ready client with lecture 000's log lines; false when it is finished or broken and
// must be closed.
bool Server::service_connection(upper::Client& c, bool readable, bool writable)
{
    try {
        if (readable) {
            const auto text = upper::receive(c);
            if (!text) {
                c.closing = true;
                if (!limits.quiet)
                    std::cout << c.name << " left us\n";
            } else if (!limits.quiet && !text->empty()) {
                std::cout << c.name << ": " << upper::strip(*text) << "\n";
            }
        }
        if (readable || writable)
            upper::flush(c);  // usually the kernel takes it all at once
        if (upper::too_far_behind(kProgram, c, limits))
            return false;
        return !(c.closing && c.out.empty());
    } catch (const netlab::SysError& e) {
        upper::log_drop(kProgram, c, e.what());
        return false;
    }
}

}  // namespace
