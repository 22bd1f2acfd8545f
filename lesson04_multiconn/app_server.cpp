// app_server — lecture 002 "Application Client and Server" (app-server.py + libserver.py):
// one thread, one event loop over non-blocking sockets, one Message-like state per connection.
//
//   $ ./app_server 127.0.0.1 65432
//   Listening on ('127.0.0.1', 65432)
//   Accepted connection from ('127.0.0.1', 55340)
//   Received request {'action': 'search', 'value': 'morpheus'} from ('127.0.0.1', 55340)
//   Sending b'\x00g{"byteorder": "little", ...}{"result": "Follow the white rabbit. \xf0\x9f\x90\xb0"}' to ('127.0.0.1', 55340)
//   Closing connection to ('127.0.0.1', 55340)
//
// The loop is epoll, which is what Python's selectors.DefaultSelector picks on Linux:
// sel.register / sel.modify / sel.unregister are epoll_ctl ADD / MOD / DEL.
//
// Watch for:
//  - A connection first waits only for input (EPOLLIN). Once the request is whole we also ask for
//    EPOLLOUT; asking for it earlier would wake the loop at once, forever, since a healthy socket
//    is always writable (the lecture's point about wasted CPU).
//  - Every failure is the failure of ONE connection: bad framing, invalid JSON, a lying
//    content-length, a reset, a client that stalls mid-message (--timeout). It is logged as
//    `Main: Error: Exception for <addr>: <reason>`, that socket is closed, the rest go on.
//  - One request per connection, as in the lecture: the server closes after its response.
//
// Run the pair:   ./app_server 127.0.0.1 65432      ./app_client 127.0.0.1 65432 search morpheus
#include "app_message.hpp"
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <map>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

// libserver.py's request_search.
const std::map<std::string, std::string> request_search = {
    {"morpheus", "Follow the white rabbit. \U0001F430"},
    {"\U0001F436", "\U0001F43E Playing ball! \U0001F3D0"},
};

struct Options {
    app::Limits limits;
    std::chrono::milliseconds timeout{10'000};
    std::size_t max_clients = 1000;
    bool quiet = false;  // no line per connection or request (for the bench); errors are still logged
};

// libserver.Message: everything one connection needs between two wake-ups.
struct Connection {
    netlab::Fd sock;
    std::string addr;  // ('127.0.0.1', 55340), as the lecture prints it
    app::MessageReader reader;
    std::string send_buffer;
    bool reading = true;  // false once the peer has shut down its side after a whole request
    Clock::time_point deadline;
};

// _create_response_json_content / _create_response_binary_content.
std::string create_response(const app::Message& request, const app::Json& decoded)
{
    if (request.content_type() == "text/json") {
        if (!decoded.is_object())
            throw app::ProtocolError("request is not a JSON object: " + app::json_dumps(decoded));
        const app::Json action = decoded.value("action", app::Json());
        app::Json content;
        if (action == "search") {
            const app::Json value = decoded.value("value", app::Json());
            const std::string query = value.is_string() ? value.get<std::string>() : app::json_dumps(value);
            const auto hit = request_search.find(query);
            content = {{"result", hit != request_search.end() ? hit->second : "No match for \"" + query + "\"."}};
        } else {
            const std::string name = action.is_string() ? action.get<std::string>() : app::json_dumps(action);
            content = {{"result", "Error: invalid action '" + name + "'."}};
        }
        return app::create_message(app::json_dumps(content), "text/json", "utf-8");
    }
    // Binary or unknown content-type
    return app::create_message("First 10 bytes of request: " + request.content.substr(0, 10), "binary/custom-server-binary-type",
                               "binary");
}

class Server {
public:
    // The epoll instance is made before the socket listens: once a client can connect, every
    // descriptor the server keeps for itself exists (and a count of them stays put).
    Server(const std::string& host, std::uint16_t port, Options options) : options_(options)
    {
        epoll_ = upper::epoll_create();
        listener_ = netlab::tcp_listen(host, port, SOMAXCONN);
        netlab::set_nonblocking(listener_.get());
        control(EPOLL_CTL_ADD, listener_.get(), EPOLLIN);
        // The signals stay blocked except inside epoll_pwait, so Ctrl-C can only land there.
        wait_mask_ = netlab::stop_wait_mask();
    }

    void run()
    {
        // Wake often enough to notice a stalled client within a fraction of --timeout.
        const int tick_ms = static_cast<int>(std::clamp<long>(options_.timeout.count() / 4, 20, 1000));
        epoll_event events[64];
        while (!netlab::stop_requested()) {
            const int n = ::epoll_pwait(epoll_.get(), events, 64, tick_ms, &wait_mask_);
            if (n < 0 && errno == EINTR)
                continue;  // Ctrl-C: the loop condition sees it
            if (n < 0)
                netlab::throw_sys("epoll_wait");
            if (n > 0)
                netlab::trace("epoll_wait(", epoll_.get(), ") = ", n);
            for (int i = 0; i < n; ++i) {
                if (events[i].data.fd == listener_.get())
                    accept_wrapper();
                else
                    service(events[i].data.fd, events[i].events);
            }
            drop_stalled();
        }
        std::cout << "Caught keyboard interrupt, exiting\n";
    }

private:
    void control(int op, int fd, std::uint32_t events) { upper::epoll_control(epoll_.get(), op, fd, events); }

    void accept_wrapper()
    {
        // Take what the backlog holds now (bounded, so one burst cannot starve the clients).
        for (int i = 0; i < 64 && connections_.size() < options_.max_clients; ++i) {
            netlab::Endpoint peer;
            netlab::Fd sock;
            try {
                sock = upper::accept_nonblocking(listener_.get(), peer);
            } catch (const netlab::SysError& e) {
                // EMFILE/ENFILE: out of descriptors. Leave the rest in the backlog until one closes.
                std::cout << "Main: Error: accept: " << netlab::describe_errno(e.code()) << "\n";
                pause_accepting();
                return;
            }
            if (!sock)
                return;  // the client gave up before we got to it
            const int fd = sock.get();
            Connection c{
                std::move(sock), peer.python(), app::MessageReader(options_.limits), {}, true, Clock::now() + options_.timeout};
            if (!options_.quiet)
                std::cout << "Accepted connection from " << c.addr << "\n";
            control(EPOLL_CTL_ADD, fd, EPOLLIN);
            connections_.emplace(fd, std::move(c));
        }
        if (connections_.size() >= options_.max_clients)
            pause_accepting();  // --max-clients: the kernel's backlog holds the next ones
    }

    void pause_accepting()
    {
        if (!accept_paused_)
            control(EPOLL_CTL_MOD, listener_.get(), 0);
        accept_paused_ = true;
    }

    // process_events(): read and/or write, and close on any failure of this one connection.
    void service(int fd, std::uint32_t events)
    {
        auto it = connections_.find(fd);
        if (it == connections_.end())
            return;
        Connection& c = it->second;
        try {
            bool done = false;
            if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c.reading)
                read(c);
            if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && !c.send_buffer.empty())  // send() names the error
                done = write(c);
            if (done)
                close(it);
        } catch (const std::exception& e) {
            std::cout << "Main: Error: Exception for " << c.addr << ": " << e.what() << "\n";
            close(it);
        }
    }

    void read(Connection& c)
    {
        char data[4096];
        const ssize_t n = ::recv(c.sock.get(), data, sizeof data, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;  // a spurious wake-up: select() will tell us again
        if (n < 0) {
            netlab::trace("recv(", c.sock.get(), ", 4096) = -1 ", netlab::errno_name(errno));
            throw netlab::SysError("recv", errno);
        }
        netlab::trace("recv(", c.sock.get(), ", 4096) = ", n);
        if (n == 0) {
            if (!c.reader.started())
                throw app::ProtocolError("Peer closed before sending a request.");
            if (!c.reader.complete())
                throw app::ProtocolError("Peer closed mid-message after " + c.reader.progress() + ".");
            // The request is whole and the client shut down its sending side: just answer.
            c.reading = false;
            control(EPOLL_CTL_MOD, c.sock.get(), EPOLLOUT);
            return;
        }
        c.deadline = Clock::now() + options_.timeout;
        const bool had_request = c.reader.complete();
        c.reader.feed({data, static_cast<std::size_t>(n)});
        if (c.reader.extra() > 0)
            throw app::ProtocolError(std::to_string(c.reader.extra()) + " bytes after the end of the message (content-length " +
                                     c.reader.message().header["content-length"].dump() + " is shorter than what was sent)");
        if (!had_request && c.reader.complete())
            process_request(c);
    }

    void process_request(Connection& c)
    {
        const app::Message& request = c.reader.message();
        app::Json decoded;
        if (request.content_type() == "text/json") {
            decoded = app::json_decode(request.content, request.content_encoding());
            if (!options_.quiet)
                std::cout << "Received request " << app::python_repr(decoded) << " from " << c.addr << "\n";
        } else if (!options_.quiet) {
            std::cout << "Received " << request.content_type() << " request from " << c.addr << "\n";
        }
        c.send_buffer = create_response(request, decoded);
        if (!options_.quiet)
            std::cout << "Sending " << netlab::python_bytes(c.send_buffer) << " to " << c.addr << "\n";
        // Keep reading too: more bytes now would mean content-length lied, and EOF is fine.
        control(EPOLL_CTL_MOD, c.sock.get(), EPOLLIN | EPOLLOUT);
    }

    // _write(): one send() per wake-up; true once the whole response has gone.
    bool write(Connection& c)
    {
        const ssize_t n = ::send(c.sock.get(), c.send_buffer.data(), c.send_buffer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return false;  // the kernel's buffer is full: wait for the next EPOLLOUT
        if (n < 0) {
            netlab::trace("send(", c.sock.get(), ", ", c.send_buffer.size(), ") = -1 ", netlab::errno_name(errno));
            throw netlab::SysError("send", errno);
        }
        netlab::trace("send(", c.sock.get(), ", ", c.send_buffer.size(), ") = ", n);
        c.send_buffer.erase(0, static_cast<std::size_t>(n));
        c.deadline = Clock::now() + options_.timeout;
        return c.send_buffer.empty();
    }

    void close(std::map<int, Connection>::iterator it)
    {
        if (!options_.quiet)
            std::cout << "Closing connection to " << it->second.addr << "\n";
        control(EPOLL_CTL_DEL, it->first, 0);
        connections_.erase(it);  // ~Fd closes the socket
        if (accept_paused_) {
            accept_paused_ = false;
            control(EPOLL_CTL_MOD, listener_.get(), EPOLLIN);
        }
    }

    // The lecture's suggestion: a time-out, so silent clients cannot pile up.
    void drop_stalled()
    {
        const auto now = Clock::now();
        for (auto it = connections_.begin(); it != connections_.end();) {
            auto next = std::next(it);
            Connection& c = it->second;
            if (now >= c.deadline) {
                const std::string where = c.reader.complete()  ? "the response was not taken"
                                          : c.reader.started() ? "stalled after " + c.reader.progress()
                                                               : "no request";
                std::cout << "Main: Error: Exception for " << c.addr << ": timed out after " << options_.timeout.count() / 1000.0
                          << " s: " << where << "\n";
                close(it);
            }
            it = next;
        }
    }

    netlab::Fd epoll_;
    netlab::Fd listener_;
    Options options_;
    std::map<int, Connection> connections_;  // by descriptor
    bool accept_paused_ = false;
    sigset_t wait_mask_{};
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("app_server", "Application-protocol server: search and binary requests (lecture 002)", "127.0.0.1",
                        65432);
        cli.positional({"host", "port"}, "[host] [port]");
        cli.add_timeout(10);
        cli.add()("max-header", "largest JSON header accepted, bytes", cxxopts::value<std::string>()->default_value("4096"))  //
            ("max-content", "largest content accepted, bytes", cxxopts::value<std::string>()->default_value("1048576"))       //
            ("max-clients", "connections served at once; more wait in the backlog",
             cxxopts::value<std::string>()->default_value("1000"))  //
            ("quiet", "no line per connection or request (for benchmarks); errors are still logged");
        auto args = cli.parse(argc, argv);
        Options options;
        options.limits.max_header = static_cast<std::size_t>(
            netlab::parse_number("max-header", args["max-header"].as<std::string>(), 2, 65535));
        options.limits.max_content = static_cast<std::size_t>(
            netlab::parse_number("max-content", args["max-content"].as<std::string>(), 0, 1L << 30));
        options.max_clients = static_cast<std::size_t>(
            netlab::parse_number("max-clients", args["max-clients"].as<std::string>(), 1, 1000));
        options.timeout = std::chrono::milliseconds(cli.timeout_ms());
        options.quiet = args.count("quiet") > 0;
        netlab::install_stop_handlers();

        Server server(cli.host(), cli.port(), options);
        std::cout << "Listening on ('" << cli.host() << "', " << cli.port() << ")\n";
        server.run();
    });
}
