// multiconn_client — lecture 002's multiconn-client.py: `multiconn_client <host> <port>
// <num_connections>` opens that many connections at once from ONE thread, sends
// `Message 1 from client.` and `Message 2 from client.` on each and reads the answers back:
//
//   Starting connection 1 to ('127.0.0.1', 65432)
//   Starting connection 2 to ('127.0.0.1', 65432)
//   Sending b'Message 1 from client.' to connection 1
//   Sending b'Message 2 from client.' to connection 1
//   ...
//   Received b'MESSAGE 1 FROM CLIENT.MESSAGE 2 FROM CLIENT.' from connection 1
//   Closing connection 1
//
// Watch for:
//  - A non-blocking connect() returns at once with EINPROGRESS: the handshake goes on in the
//    kernel. The socket becomes *writable* when it is done, and SO_ERROR then says whether it
//    worked (ECONNREFUSED...).
//  - send() may take only part of a message; the rest stays in `outb` for the next writable event.
//  - The client knows how many bytes to expect back (the sum of its messages) and closes when it
//    has them all — the server only sees EOF then. Answers may come in any number of pieces.
//
// Run the pair:   ./epoll_server 127.0.0.1 65432       ./multiconn_client 127.0.0.1 65432 2
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <poll.h>
#include <vector>

namespace {

const std::vector<std::string> kMessages{"Message 1 from client.", "Message 2 from client."};

struct Connection {
    int connid = 0;
    netlab::Fd sock;
    bool connected = false;
    std::size_t msg_total = 0, recv_total = 0;
    std::deque<std::string> messages{kMessages.begin(), kMessages.end()};
    std::string outb;
};

// One writable event: finish the connect, or send (part of) the next message.
void on_writable(Connection& c)
{
    const int fd = c.sock.get();
    if (!c.connected) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        netlab::trace("getsockopt(", fd, ", SO_ERROR) = ", (err ? netlab::errno_name(err) : "0"));
        if (err)
            netlab::throw_sys("connect", err);
        c.connected = true;
    }
    if (c.outb.empty() && !c.messages.empty()) {
        c.outb = c.messages.front();
        c.messages.pop_front();
    }
    if (!c.outb.empty()) {
        std::cout << "Sending " << netlab::python_bytes(c.outb) << " to connection " << c.connid << "\n";
        const std::size_t sent = netlab::send_some(fd, c.outb.data(), c.outb.size(), 0);
        c.outb.erase(0, sent);  // a partial send: the rest goes on the next writable event
    }
}

// One readable event; false when the connection is done.
bool on_readable(Connection& c)
{
    char buf[1024];
    const std::size_t n = netlab::recv_some(c.sock.get(), buf, sizeof buf, 0);
    if (n > 0) {
        std::cout << "Received " << netlab::python_bytes(std::string_view(buf, n)) << " from connection " << c.connid << "\n";
        c.recv_total += n;
    }
    return n > 0 && c.recv_total < c.msg_total;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("multiconn_client", "Several connections at once from one thread (lecture 002)", "127.0.0.1", 65432);
        cli.add()("num_connections", "how many connections to open", cxxopts::value<std::string>()->default_value("2"));
        cli.positional({"host", "port", "num_connections"}, "<host> <port> <num_connections>");
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        const int num_conns = static_cast<int>(
            netlab::parse_number("num_connections", args["num_connections"].as<std::string>(), 1, 10'000));

        upper::raise_fd_limit();  // one descriptor per connection

        const auto server = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM).front();
        const std::string server_addr = "('" + cli.host() + "', " + std::to_string(cli.port()) + ")";
        std::vector<Connection> conns;
        conns.reserve(static_cast<std::size_t>(num_conns));
        for (int connid = 1; connid <= num_conns; ++connid) {
            std::cout << "Starting connection " << connid << " to " << server_addr << "\n";
            Connection c;
            c.connid = connid;
            c.sock = netlab::open_socket(server.family, SOCK_STREAM);
            netlab::set_nonblocking(c.sock.get());
            for (const auto& m : kMessages)
                c.msg_total += m.size();
            // connect_ex() in the lecture: EINPROGRESS is the normal answer of a non-blocking connect.
            const int rc = ::connect(c.sock.get(), server.endpoint.sa(), server.endpoint.len);
            const int err = rc < 0 ? errno : 0;
            netlab::trace("connect(", c.sock.get(), ", ", server.endpoint,
                          ") = ", (rc < 0 ? "-1 " + netlab::errno_name(err) : "0"));
            if (rc < 0 && err != EINPROGRESS)
                netlab::throw_sys("connect(" + server.endpoint.str() + ")", err);
            conns.push_back(std::move(c));
        }

        // The event loop: poll() over every connection still open.
        int failed = 0;
        std::vector<pollfd> watch;
        std::vector<Connection*> owner;
        for (;;) {
            watch.clear();
            owner.clear();
            for (auto& c : conns) {
                if (!c.sock)
                    continue;
                const bool want_write = !c.connected || !c.outb.empty() || !c.messages.empty();
                watch.push_back({c.sock.get(), static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0});
                owner.push_back(&c);
            }
            if (watch.empty())
                break;
            const int ready = ::poll(watch.data(), watch.size(), cli.timeout_ms());
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready < 0)
                netlab::throw_sys("poll");
            if (ready == 0)
                throw netlab::Timeout("poll (" + std::to_string(watch.size()) + " connections still open)");
            for (std::size_t i = 0; i < watch.size(); ++i) {
                Connection& c = *owner[i];
                const short ev = watch[i].revents;
                if (!ev)
                    continue;
                try {
                    bool open = true;
                    // A refused connect() may report only POLLHUP|POLLERR: SO_ERROR says which error.
                    if ((ev & (POLLOUT | POLLERR | POLLHUP)) && (!c.connected || !c.outb.empty() || !c.messages.empty()))
                        on_writable(c);
                    if (c.connected && (ev & (POLLIN | POLLHUP | POLLERR)))
                        open = on_readable(c);
                    if (!open) {
                        std::cout << "Closing connection " << c.connid << "\n";
                        if (c.recv_total < c.msg_total)
                            ++failed;
                        c.sock.reset();
                    }
                } catch (const std::runtime_error& e) {  // SysError (ECONNREFUSED, ECONNRESET...)
                    std::cerr << "multiconn_client: connection " << c.connid << ": " << e.what() << "\n";
                    ++failed;
                    c.sock.reset();
                }
            }
        }
        return failed ? 1 : 0;
    });
}
