// poll_server — lecture 002's multiconn-server.py with poll() in place of selectors: one thread,
// one poll() over the listening socket and every client. `poll_server <host> <port>`
// (default 127.0.0.1 65432); uppercase echo with the lecture's log lines:
//
//   Listening on ('127.0.0.1', 65432)
//   Accepted connection from ('127.0.0.1', 61354)
//   Echoing b'MESSAGE 1 FROM CLIENT.MESSAGE 2 FROM CLIENT.' to ('127.0.0.1', 61354)
//   Closing connection to ('127.0.0.1', 61354)
//
// Watch for:
//  - poll() takes an array of {fd, events} and fills in revents: no FD_SETSIZE limit as with
//    select(), but the kernel still scans the whole array on every call — O(clients) per wake-up,
//    which is what epoll_server removes.
//  - The lecture registers EVENT_WRITE for every client all the time; a healthy socket is almost
//    always writable, so that wait returns at once, forever. We ask for POLLOUT only while a
//    client has bytes queued (a partial send() left them in Client::out).
//  - A client that never reads is dropped once more than --max-buffer bytes wait for it; the
//    others never wait on it.
//
// This file is the loop. A ready client's turn (recv, uppercase, send what the kernel takes, drop
// it past --max-buffer), taking a burst of new clients and dropping idle ones are the same in every
// non-blocking model: upper::service_connection, accept_wrapper, drop_idle_clients. The models
// differ only in how they learn who is ready.
//
// Run the pair:   ./poll_server 127.0.0.1 65432        ./multiconn_client 127.0.0.1 65432 2
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <iostream>
#include <poll.h>
#include <vector>

namespace {

constexpr const char* kProgram = "poll_server";

struct Server {
    netlab::Fd listener;
    upper::Clients clients;
    upper::Limits limits;
    bool accept_paused = false;  // out of descriptors: stop accepting until a client leaves

    void run();
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli(kProgram, "Uppercase echo for many clients in one thread with poll() (lecture 002)", "127.0.0.1", 65432);
        cli.positional({"host", "port"}, "[host] [port]");
        upper::add_limit_options(cli, 10'000, /*buffered=*/true);
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();
        upper::raise_fd_limit();

        Server server;
        server.limits = upper::read_limits(cli, args, true);
        const netlab::AddrInfo addr =
            netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, /*passive=*/true).front();
        server.listener = netlab::open_socket(addr.family, SOCK_STREAM);
        netlab::set_option(server.listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(server.listener.get(), addr.endpoint);
        netlab::listen_on(server.listener.get(), SOMAXCONN);
        netlab::set_nonblocking(server.listener.get());  // accept() must never wait: the loop does
        std::cout << "Listening on ('" << cli.host() << "', " << cli.port() << ")\n";
        server.run();
    });
}

namespace {

void Server::run()
{
    const sigset_t wait_mask = netlab::stop_wait_mask();
    upper::SweepClock sweep;
    std::vector<pollfd> watch;
    while (!netlab::stop_requested()) {
        // The array is ours: rebuilt from the client table each time round.
        watch.clear();
        watch.push_back({listener.get(), static_cast<short>(accept_paused ? 0 : POLLIN), 0});
        for (const auto& [fd, c] : clients)
            watch.push_back({fd, static_cast<short>((c.closing ? 0 : POLLIN) | (c.out.empty() ? 0 : POLLOUT)), 0});

        timespec tick{1, 0};  // wake once a second to drop idle clients
        const int ready = ::ppoll(watch.data(), watch.size(), &tick, &wait_mask);
        if (ready > 0)  // not the once-a-second idle tick, nor Ctrl-C
            netlab::trace("poll(", watch.size(), " fds) = ", ready);
        if (ready < 0 && errno == EINTR)
            continue;  // Ctrl-C: the loop condition sees it
        if (ready < 0)
            netlab::throw_sys("poll");

        for (std::size_t i = 1; i < watch.size(); ++i) {
            if (watch[i].revents == 0)
                continue;
            auto it = clients.find(watch[i].fd);
            // POLLHUP/POLLERR count as readable: recv() then reports what happened.
            const bool readable = watch[i].revents & (POLLIN | POLLHUP | POLLERR);
            if (!upper::service_connection(kProgram, it->second, readable, limits)) {
                clients.erase(it);  // ~Fd closes the socket
                accept_paused = false;
            }
        }
        if (watch[0].revents & POLLIN)
            accept_paused = upper::accept_wrapper(listener.get(), kProgram, limits, clients, [&](upper::Client& c) {
                if (!limits.quiet)
                    std::cout << "Accepted connection from " << c.name << "\n";
            });
        if (sweep.due() && upper::drop_idle_clients(kProgram, clients, limits) > 0)
            accept_paused = false;  // descriptors are free again
    }
    std::cout << "Caught keyboard interrupt, exiting\n";
}

}  // namespace
