// upper_service.hpp — the one service every lesson04 server model offers, and the pieces the
// models share so that each model file shows only its own loop.
//
// The service: whatever bytes arrive go back UPPER CASE as soon as they arrive — no waiting
// for a newline. A recv() may stop in the middle of a two-byte letter ("П" is D0 9F); the
// first half waits in a Utf8Stream until the rest comes, so "привет" always becomes "ПРИВЕТ".
//
// The non-blocking models (select_server, poll_server, epoll_server) keep one Client per
// connection: what has been uppercased but not yet taken by the kernel sits in Client::out,
// and a send() that takes only part of it leaves the rest for the next "writable" event.
#pragma once

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace upper {

using Clock = std::chrono::steady_clock;

// Joins the bytes of successive recv() calls into complete UTF-8 text.
class Utf8Stream {
public:
    // The text that is complete now (a cut-off letter at the end is kept for the next call).
    std::string next(std::string_view chunk);
    // At EOF: whatever is left (an incomplete letter nobody will finish), as it is.
    std::string rest();

private:
    std::string pending_;
};

// Text as the lectures log it: data.decode().strip().
std::string strip(std::string_view text);
// Bytes as the lectures log them, b'...', cut after 100 bytes ("b'zzz...'... (1048576 bytes)"): a
// client that never reads can have megabytes queued, and a log line of megabytes helps nobody.
std::string preview(std::string_view data);

// ---- limits every server takes on the command line ---------------------------------------------
struct Limits {
    bool quiet = false;                // no line per connection or message (for benchmarks)
    int idle_ms = 300'000;             // a client silent (or not reading) this long is dropped
    std::size_t max_buffer = 1 << 20;  // non-blocking models: most bytes queued for one client
    std::size_t max_clients = 10'000;  // connections served at once; more are closed at once
};
// Adds --quiet, --timeout, --max-clients (and --max-buffer when `buffered`).
void add_limit_options(netlab::Cli& cli, std::size_t default_max_clients, bool buffered);
Limits read_limits(const netlab::Cli& cli, const cxxopts::ParseResult& args, bool buffered);

// ---- what the non-blocking models share ---------------------------------------------------------
struct Client {
    netlab::Fd fd;
    std::string name;  // ('127.0.0.1', 53422), as the lectures print addresses
    Utf8Stream text;
    std::string out;       // uppercased bytes the kernel has not taken yet
    bool closing = false;  // the peer sent EOF: close once `out` is sent
    Clock::time_point last_active = Clock::now();
    std::uint32_t watched = 0;  // epoll_server: what the kernel's interest list holds for it now
};
using Clients = std::map<int, Client>;  // by descriptor

// ---- the calls of this lesson's event loops (this lesson's servers share them) --------------------
// accept4() on a non-blocking listener, traced: the new socket is non-blocking too. An empty Fd
// when there was nothing to accept after all (readiness is only a hint: the client may have given
// up, EAGAIN). Throws SysError (EMFILE...).
netlab::Fd accept_nonblocking(int listener, netlab::Endpoint& peer);
// epoll_create1(EPOLL_CLOEXEC), checked and traced.
netlab::Fd epoll_create();
// epoll_ctl(), checked and traced: "epoll_ctl(3, MOD, 5, EPOLLIN|EPOLLOUT) = 0".
void epoll_control(int epfd, int op, int fd, std::uint32_t events);

// accept_nonblocking() as a Client; std::nullopt when there was nothing to accept.
std::optional<Client> accept_client(int listener);

// accept_client() with the limits every non-blocking model applies. A client past --max-clients,
// or on a descriptor number >= fd_ceiling (select's FD_SETSIZE), is closed at once with a log line.
struct Accepted {
    std::optional<Client> client;  // one to serve
    bool more = false;             // the backlog may hold more: worth another call now
    bool out_of_fds = false;       // EMFILE/ENFILE (logged): stop watching the listener until a client leaves
};
Accepted accept_next(int listener, std::string_view program, const Limits& limits, std::size_t clients_now,
                     int fd_ceiling = std::numeric_limits<int>::max());

// ---- the housekeeping every non-blocking model's loop does ------------------------------------
// The listener is readable: a burst of clients. Takes up to 64 of them per wake-up — one per
// wake-up (as the lectures do) lets busy clients crowd out those still in the backlog — with
// accept_next()'s limits, adds each to `clients` and hands it to `on_accept` (the model's log
// line; epoll_server also adds it to its interest list). Returns true when out of descriptors
// (logged): the model then stops watching the listener until a client leaves, or the listener,
// readable all along, would wake it at once, forever.
bool accept_wrapper(int listener, std::string_view program, const Limits& limits, Clients& clients,
                    const std::function<void(Client&)>& on_accept, int fd_ceiling = std::numeric_limits<int>::max());

// Once a second, true: time to look for idle clients (each model's wait wakes at least that often).
class SweepClock {
public:
    bool due();

private:
    Clock::time_point last_ = Clock::now();
};

// Drops, logged, every client silent (or not reading) for --timeout; `before_close` runs for each
// first (epoll_server takes it out of its interest list). Returns how many were dropped: as many
// descriptors are free again.
std::size_t drop_idle_clients(std::string_view program, Clients& clients, const Limits& limits,
                              const std::function<void(int fd)>& before_close = {});

// One recv(). Appends the uppercased text to client.out and returns the text as received
// (for the log); "" if nothing complete arrived; std::nullopt at EOF. Throws SysError.
std::optional<std::string> receive(Client& client);

// One send() of client.out; a partial send leaves the rest queued. Throws SysError (EPIPE...).
void flush(Client& client);

// "<program>: client ('127.0.0.1', 53422): <why>" on stderr: why a client was dropped.
void log_drop(std::string_view program, const Client& client, const std::string& why);

// True, and logged, when a client that does not read has more than --max-buffer bytes queued.
bool too_far_behind(std::string_view program, const Client& client, const Limits& limits);
// True, and logged, when a client has been silent (or has not read) for --timeout.
bool idle_too_long(std::string_view program, const Client& client, const Limits& limits, Clock::time_point now);

// Lecture 002's service_connection() (multiconn-server.py), shared by poll_server and epoll_server:
// read if `readable`, send what is queued, with the lecture's "Echoing ..." / "Closing connection
// to ..." lines. false when the client is finished, or broken (logged), and must be closed.
bool service_connection(std::string_view program, Client& client, bool readable, const Limits& limits);

// Raises the soft limit on open descriptors to the hard limit: thousands of clients need thousands
// of descriptors, and the usual soft limit is 1024.
void raise_fd_limit();

}  // namespace upper
