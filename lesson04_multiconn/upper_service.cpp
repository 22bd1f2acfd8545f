// upper_service.cpp — see upper_service.hpp.
#include "upper_service.hpp"

#include "common/error.hpp"
#include "common/text.hpp"

#include <cerrno>
#include <utility>
#include <iostream>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/socket.h>

namespace upper {

std::string Utf8Stream::next(std::string_view chunk)
{
    if (pending_.empty()) {  // the usual case, no letter left over from last time: one copy, not three
        const std::size_t complete = netlab::utf8_complete_prefix(chunk);
        pending_.assign(chunk.substr(complete));
        return std::string(chunk.substr(0, complete));
    }
    pending_.append(chunk);
    const std::size_t complete = netlab::utf8_complete_prefix(pending_);
    std::string text = pending_.substr(0, complete);
    pending_.erase(0, complete);
    return text;
}

std::string Utf8Stream::rest() { return std::exchange(pending_, {}); }

std::string strip(std::string_view text)
{
    constexpr std::string_view space = " \t\r\n\v\f";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos)
        return {};
    return std::string(text.substr(first, text.find_last_not_of(space) - first + 1));
}

std::string preview(std::string_view data)
{
    constexpr std::size_t shown = 100;
    if (data.size() <= shown)
        return netlab::python_bytes(data);
    return netlab::python_bytes(data.substr(0, shown)) + "... (" + std::to_string(data.size()) + " bytes)";
}

// ---- limits --------------------------------------------------------------------------------------
void add_limit_options(netlab::Cli& cli, std::size_t default_max_clients, bool buffered)
{
    cli.add_timeout(300);  // also how long a client may stay silent, or not read, before it is dropped
    cli.add()("quiet", "no line per connection or message (for benchmarks)")  //
        ("max-clients", "clients served at once; more are closed as soon as they connect",
         cxxopts::value<std::string>()->default_value(std::to_string(default_max_clients)));
    if (buffered)
        cli.add()("max-buffer", "bytes queued for one client that does not read, before it is dropped",
                  cxxopts::value<std::string>()->default_value(std::to_string(1 << 20)));
}

Limits read_limits(const netlab::Cli& cli, const cxxopts::ParseResult& args, bool buffered)
{
    Limits limits;
    limits.quiet = args.count("quiet") > 0;
    limits.idle_ms = cli.timeout_ms();
    limits.max_clients = static_cast<std::size_t>(
        netlab::parse_number("max-clients", args["max-clients"].as<std::string>(), 1, 1'000'000));
    if (buffered)
        limits.max_buffer = static_cast<std::size_t>(
            netlab::parse_number("max-buffer", args["max-buffer"].as<std::string>(), 1024, 1L << 30));
    return limits;
}

// ---- non-blocking clients --------------------------------------------------------------------------
netlab::Fd accept_nonblocking(int listener, netlab::Endpoint& peer)
{
    peer.len = sizeof peer.addr;
    const int fd = ::accept4(listener, peer.sa(), &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        // Readiness is only a hint: the client may have given up between the event and accept().
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
            return {};
        const int err = errno;
        netlab::trace("accept(", listener, ") = -1 ", netlab::errno_name(err));
        netlab::throw_sys("accept", err);
    }
    netlab::trace("accept(", listener, ") = ", fd, " from ", peer);
    return netlab::Fd(fd);
}

netlab::Fd epoll_create()
{
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0)
        netlab::throw_sys("epoll_create1");
    netlab::trace("epoll_create1(EPOLL_CLOEXEC) = ", fd);
    return netlab::Fd(fd);
}

void epoll_control(int epfd, int op, int fd, std::uint32_t events)
{
    const char* name = op == EPOLL_CTL_ADD ? "ADD" : op == EPOLL_CTL_MOD ? "MOD" : "DEL";
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd, op, fd, &ev) < 0)
        netlab::throw_sys(std::string("epoll_ctl(") + name + ")");
    const char* in = (events & EPOLLIN) ? "EPOLLIN" : "";
    const char* out = (events & EPOLLOUT) ? ((events & EPOLLIN) ? "|EPOLLOUT" : "EPOLLOUT") : "";
    netlab::trace("epoll_ctl(", epfd, ", ", name, ", ", fd, events & (EPOLLIN | EPOLLOUT) ? ", " : "", in, out, ") = 0");
}

std::optional<Client> accept_client(int listener)
{
    netlab::Endpoint peer;
    netlab::Fd fd = accept_nonblocking(listener, peer);
    if (!fd)
        return std::nullopt;
    Client client;
    client.fd = std::move(fd);
    client.name = peer.python();
    return client;
}

std::optional<std::string> receive(Client& client)
{
    // As much as the kernel has, up to 64 KiB: a bulk sender is served in one recv() per wake-up
    // where 4 KiB took sixteen, with a send() and an epoll_wait() each (strace -c showed them).
    char buf[65536];
    const ssize_t n = ::recv(client.fd.get(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return std::string();
    if (n < 0) {
        const int err = errno;
        netlab::trace("recv(", client.fd.get(), ") = -1 ", netlab::errno_name(err));
        netlab::throw_sys("recv", err);
    }
    netlab::trace("recv(", client.fd.get(), ", ", sizeof buf, ") = ", n);
    client.last_active = Clock::now();
    if (n == 0) {
        client.out += client.text.rest();
        return std::nullopt;
    }
    std::string text = client.text.next(std::string_view(buf, static_cast<std::size_t>(n)));
    netlab::utf8_upper_append(text, client.out);
    return text;
}

void flush(Client& client)
{
    if (client.out.empty())
        return;
    // MSG_NOSIGNAL: a vanished reader is an EPIPE to report, not a signal that kills the server.
    const ssize_t n = ::send(client.fd.get(), client.out.data(), client.out.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        const int err = errno;
        netlab::trace("send(", client.fd.get(), ") = -1 ", netlab::errno_name(err));
        netlab::throw_sys("send", err);
    }
    netlab::trace("send(", client.fd.get(), ", ", client.out.size(), ") = ", n);
    client.out.erase(0, static_cast<std::size_t>(n));  // a partial send: the rest waits for POLLOUT
    client.last_active = Clock::now();
}

Accepted accept_next(int listener, std::string_view program, const Limits& limits, std::size_t clients_now, int fd_ceiling)
{
    Accepted result;
    try {
        result.client = accept_client(listener);
    } catch (const netlab::SysError& e) {  // EMFILE, ENFILE: the backlog keeps the client waiting
        std::cerr << program << ": " << e.what() << "\n";
        result.out_of_fds = true;
        return result;
    }
    if (!result.client)
        return result;
    result.more = true;
    const int fd = result.client->fd.get();
    if (fd >= fd_ceiling) {
        log_drop(program, *result.client, "descriptor " + std::to_string(fd) + " is beyond select()'s FD_SETSIZE, closed");
        result.client.reset();
    } else if (clients_now >= limits.max_clients) {
        log_drop(program, *result.client, "too many clients (--max-clients " + std::to_string(limits.max_clients) + "), closed");
        result.client.reset();
    }
    return result;
}

bool accept_wrapper(int listener, std::string_view program, const Limits& limits, Clients& clients,
                    const std::function<void(Client&)>& on_accept, int fd_ceiling)
{
    constexpr int kAcceptBatch = 64;
    for (int i = 0; i < kAcceptBatch; ++i) {
        Accepted next = accept_next(listener, program, limits, clients.size(), fd_ceiling);
        if (next.client) {
            const int fd = next.client->fd.get();
            on_accept(clients.emplace(fd, std::move(*next.client)).first->second);
        }
        if (!next.more)
            return next.out_of_fds;
    }
    return false;
}

bool SweepClock::due()
{
    const auto now = Clock::now();
    if (now - last_ < std::chrono::seconds(1))
        return false;
    last_ = now;
    return true;
}

std::size_t drop_idle_clients(std::string_view program, Clients& clients, const Limits& limits,
                              const std::function<void(int fd)>& before_close)
{
    const auto now = Clock::now();
    return std::erase_if(clients, [&](const auto& entry) {
        if (!idle_too_long(program, entry.second, limits, now))
            return false;
        if (before_close)
            before_close(entry.first);
        return true;  // ~Fd closes the socket
    });
}

void log_drop(std::string_view program, const Client& client, const std::string& why)
{
    std::cerr << program << ": client " << client.name << ": " << why << std::endl;
}

bool too_far_behind(std::string_view program, const Client& client, const Limits& limits)
{
    if (client.out.size() <= limits.max_buffer)
        return false;
    log_drop(program, client, "does not read: over " + std::to_string(limits.max_buffer) + " bytes queued, dropped");
    return true;
}

bool idle_too_long(std::string_view program, const Client& client, const Limits& limits, Clock::time_point now)
{
    if (now - client.last_active < std::chrono::milliseconds(limits.idle_ms))
        return false;
    log_drop(program, client, "silent for " + std::to_string(limits.idle_ms / 1000) + " s, dropped");
    return true;
}

bool service_connection(std::string_view program, Client& c, bool readable, const Limits& limits)
{
    try {
        if (readable && !receive(c))
            c.closing = true;
        if (!c.out.empty()) {
            if (!limits.quiet)
                std::cout << "Echoing " << preview(c.out) << " to " << c.name << "\n";
            flush(c);
        }
        if (too_far_behind(program, c, limits))
            return false;
        if (c.closing && c.out.empty()) {
            if (!limits.quiet)
                std::cout << "Closing connection to " << c.name << "\n";
            return false;
        }
        return true;
    } catch (const netlab::SysError& e) {
        log_drop(program, c, e.what());
        return false;
    }
}

// ---- process set-up ------------------------------------------------------------------------------
void raise_fd_limit()
{
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        const auto old = lim.rlim_cur;
        lim.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &lim) == 0)
            netlab::trace("setrlimit(RLIMIT_NOFILE, ", old, " -> ", lim.rlim_cur, ") = 0");
    }
}

}  // namespace upper
