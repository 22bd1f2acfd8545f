#include "common/socket.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace netlab {

// ---- tracing -------------------------------------------------------------------------------
namespace {
bool g_trace = false;

// Trace the failure strace-style, then throw it: "connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (...)".
[[noreturn]] void fail(const std::string& traced_call, const std::string& call, int err)
{
    trace(traced_call + " = -1 " + errno_name(err) + " (" + std::strerror(err) + ")");
    throw SysError(call, err);
}
}  // namespace

void set_trace(bool on) { g_trace = on; }
bool tracing() { return g_trace; }
void trace_line(const std::string& line)
{
    std::cerr << line << std::endl;  // endl: the narration must interleave with stdout live
}

// ---- Fd ----------------------------------------------------------------------------------------
Fd& Fd::operator=(Fd&& other) noexcept
{
    if (this != &other)
        reset(other.release());
    return *this;
}

int Fd::release() noexcept { return std::exchange(fd_, -1); }

void Fd::reset(int fd) noexcept
{
    if (fd_ >= 0) {
        // close() is never retried on EINTR on Linux: the descriptor is gone either way.
        int rc = ::close(fd_);
        trace("close(", fd_, ") = ", rc);
    }
    fd_ = fd;
}

// ---- addresses ---------------------------------------------------------------------------------
std::string Endpoint::ip() const
{
    char text[INET6_ADDRSTRLEN] = "?";
    if (family() == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
    else if (family() == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
    return text;
}

std::uint16_t Endpoint::port() const
{
    if (family() == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    if (family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    return 0;
}

std::string Endpoint::str() const
{
    return family() == AF_INET6 ? "[" + ip() + "]:" + std::to_string(port()) : ip() + ":" + std::to_string(port());
}

std::ostream& operator<<(std::ostream& out, const Endpoint& ep) { return out << ep.str(); }

std::string Endpoint::python() const
{
    std::string text = "('" + ip() + "', " + std::to_string(port());
    if (family() == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        text += ", " + std::to_string(ntohl(in6->sin6_flowinfo)) + ", " + std::to_string(in6->sin6_scope_id);
    }
    return text + ")";
}

std::vector<AddrInfo> resolve(const std::string& host, const std::string& port, int socktype, bool passive, int family)
{
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    addrinfo* list = nullptr;
    const char* node = host.empty() ? nullptr : host.c_str();
    if (int rc = getaddrinfo(node, port.c_str(), &hints, &list); rc != 0)
        throw ResolveError(host + ":" + port, rc == EAI_SYSTEM ? -errno : rc);

    std::vector<AddrInfo> out;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        AddrInfo info{ai->ai_family, ai->ai_socktype, ai->ai_protocol, {}};
        std::memcpy(&info.endpoint.addr, ai->ai_addr, ai->ai_addrlen);
        info.endpoint.len = ai->ai_addrlen;
        out.push_back(info);
    }
    freeaddrinfo(list);
    // The lectures create AF_INET sockets, so a name with both kinds of address ("localhost")
    // means its IPv4 address first; an IPv6 literal such as ::1 still gets IPv6.
    std::stable_sort(out.begin(), out.end(),
                     [](const AddrInfo& a, const AddrInfo& b) { return a.family == AF_INET && b.family != AF_INET; });
    return out;
}

std::string family_name(int family)
{
    switch (family) {
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_UNIX: return "AF_UNIX";
    case AF_PACKET: return "AF_PACKET";
    default: return std::to_string(family);
    }
}

std::string socktype_name(int type)
{
    switch (type) {
    case SOCK_STREAM: return "SOCK_STREAM";
    case SOCK_DGRAM: return "SOCK_DGRAM";
    case SOCK_RAW: return "SOCK_RAW";
    default: return std::to_string(type);
    }
}

// ---- stop signals and waiting ------------------------------------------------------------------
namespace {
volatile std::sig_atomic_t g_stop = 0;
bool g_handlers = false;
sigset_t g_wait_mask;  // the thread's mask with SIGINT/SIGTERM unblocked: used only inside ppoll
std::thread::id g_signal_thread;

extern "C" void on_stop_signal(int) { g_stop = 1; }

bool on_signal_thread() { return g_handlers && std::this_thread::get_id() == g_signal_thread; }
}  // namespace

void install_stop_handlers()
{
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // Keep the signals blocked except inside ppoll(): then a signal can only arrive while we
    // wait, never in the gap between checking the flag and starting to wait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    g_wait_mask = stop_wait_mask();
    g_signal_thread = std::this_thread::get_id();
    g_handlers = true;
}

bool stop_requested() { return g_stop != 0; }

sigset_t stop_wait_mask()
{
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    sigdelset(&mask, SIGINT);
    sigdelset(&mask, SIGTERM);
    return mask;
}

namespace {
// The wait itself: ppoll() with the stop signals let in (on the thread that installed the
// handlers), retried on EINTR against one deadline. false on timeout.
bool wait_in_ppoll(int fd, short events, int timeout_ms)
{
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
    for (;;) {
        // Threads other than the one that installed the handlers keep the signals blocked;
        // their owner wakes them some other way (shutdown of their socket, say).
        const bool signal_thread = on_signal_thread();
        if (signal_thread && g_stop)
            throw Stopped{};
        timespec ts{};
        timespec* tsp = nullptr;
        if (timeout_ms >= 0) {
            auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - clock::now());
            if (left.count() < 0)
                left = {};
            ts.tv_sec = left.count() / 1'000'000'000;
            ts.tv_nsec = left.count() % 1'000'000'000;
            tsp = &ts;
        }
        pollfd p{fd, events, 0};
        int n = ::ppoll(&p, 1, tsp, signal_thread ? &g_wait_mask : nullptr);
        if (n > 0)
            return true;  // POLLERR/POLLHUP too: the call that follows reports what happened
        if (n == 0)
            return false;
        if (errno != EINTR)
            throw_sys("poll");
    }
}

const char* events_name(short events) { return events == POLLIN ? "POLLIN" : events == POLLOUT ? "POLLOUT" : "?"; }
}  // namespace

bool wait_ready(int fd, short events, int timeout_ms)
{
    if (!tracing())
        return wait_in_ppoll(fd, events, timeout_ms);
    // With --trace, narrate the waits that really happen: first ask, without waiting, whether the
    // call could go ahead now (an extra poll() that only --trace makes); only if not is there a
    // wait to show. So a recv() whose data is already there shows no wait, one that waits does:
    //   poll(4, POLLIN, 30000 ms) = 1
    //   recv(4, 4096) = 6
    if (on_signal_thread() && g_stop)
        throw Stopped{};
    pollfd now{fd, events, 0};
    if (::poll(&now, 1, 0) > 0)
        return true;
    bool ready = false;
    try {
        ready = wait_in_ppoll(fd, events, timeout_ms);
    } catch (const Stopped&) {
        trace("poll(", fd, ", ", events_name(events), ") = -1 EINTR (SIGINT/SIGTERM: stopping)");
        throw;
    }
    if (timeout_ms < 0)
        trace("poll(", fd, ", ", events_name(events), ", no timeout) = ", ready ? 1 : 0);
    else
        trace("poll(", fd, ", ", events_name(events), ", ", timeout_ms, " ms) = ", ready ? "1" : "0 (timed out)");
    return ready;
}

// ---- traced, checked socket calls --------------------------------------------------------------
namespace {
std::string fdstr(int fd) { return std::to_string(fd); }

std::string protocol_suffix(int protocol)
{
    switch (protocol) {
    case 0: return "";
    case IPPROTO_ICMP: return ", IPPROTO_ICMP";
    case IPPROTO_TCP: return ", IPPROTO_TCP";
    case IPPROTO_UDP: return ", IPPROTO_UDP";
    case IPPROTO_ICMPV6: return ", IPPROTO_ICMPV6";
    default: return ", " + std::to_string(protocol);
    }
}
}  // namespace

Fd open_socket(int family, int type, int protocol)
{
    const std::string call = "socket(" + family_name(family) + ", " + socktype_name(type) + protocol_suffix(protocol) + ")";
    int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        fail(call, call, errno);
    trace(call, " = ", fd);
    return Fd(fd);
}

void keep_alive(int fd, int idle_s)
{
    set_option(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
    set_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle_s, "TCP_KEEPIDLE");
    set_option(fd, IPPROTO_TCP, TCP_KEEPINTVL, 2, "TCP_KEEPINTVL");  // then a probe every 2 s,
    set_option(fd, IPPROTO_TCP, TCP_KEEPCNT, 3, "TCP_KEEPCNT");      // 3 unanswered and it is gone
}

void set_option(int fd, int level, int option, int value, const char* option_name)
{
    if (::setsockopt(fd, level, option, &value, sizeof value) < 0)
        fail("setsockopt(" + fdstr(fd) + ", " + option_name + ", " + std::to_string(value) + ")",
             std::string("setsockopt(") + option_name + ")", errno);
    trace("setsockopt(", fd, ", ", option_name, ", ", value, ") = 0");
}

void bind_to(int fd, const Endpoint& ep)
{
    if (::bind(fd, ep.sa(), ep.len) < 0)
        fail("bind(" + fdstr(fd) + ", " + ep.str() + ")", "bind(" + ep.str() + ")", errno);
    trace("bind(", fd, ", ", ep, ") = 0");
}

void listen_on(int fd, int backlog)
{
    if (::listen(fd, backlog) < 0)
        fail("listen(" + fdstr(fd) + ", " + std::to_string(backlog) + ")", "listen", errno);
    trace("listen(", fd, ", ", backlog, ") = 0");
}

Fd accept_from(int listener, Endpoint* peer, int timeout_ms)
{
    for (;;) {
        if (!wait_ready(listener, POLLIN, timeout_ms))
            throw Timeout("accept");
        Endpoint ep;
        ep.len = sizeof ep.addr;
        int fd = ::accept4(listener, ep.sa(), &ep.len, SOCK_CLOEXEC);
        if (fd < 0) {
            // The client may have given up between poll and accept: that is not our failure.
            if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
                continue;
            fail("accept(" + fdstr(listener) + ")", "accept", errno);
        }
        trace("accept(", listener, ") = ", fd, " from ", ep);
        if (peer)
            *peer = ep;
        return Fd(fd);
    }
}

void connect_to(int fd, const Endpoint& ep, int timeout_ms)
{
    const bool wait_in_poll = timeout_ms >= 0 || on_signal_thread();
    const int flags = ::fcntl(fd, F_GETFL);
    if (wait_in_poll)
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(fd, ep.sa(), ep.len);
    if (rc < 0 && (errno == EINPROGRESS || errno == EINTR)) {
        // The handshake goes on in the kernel; writable means it finished, SO_ERROR says how.
        if (!wait_ready(fd, POLLOUT, timeout_ms)) {
            trace("connect(", fd, ", ", ep, ") timed out");
            throw Timeout("connect(" + ep.str() + ")");
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        errno = err;
        rc = err ? -1 : 0;
    }
    if (rc < 0)
        fail("connect(" + fdstr(fd) + ", " + ep.str() + ")", "connect(" + ep.str() + ")", errno);
    if (wait_in_poll)
        ::fcntl(fd, F_SETFL, flags);
    trace("connect(", fd, ", ", ep, ") = 0");
}

void set_nonblocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        fail("fcntl(" + fdstr(fd) + ", F_SETFL, O_NONBLOCK)", "fcntl(O_NONBLOCK)", errno);
    trace("fcntl(", fd, ", F_SETFL, O_NONBLOCK) = 0");
}

Endpoint local_endpoint(int fd)
{
    Endpoint ep;
    ep.len = sizeof ep.addr;
    if (::getsockname(fd, ep.sa(), &ep.len) < 0)
        throw_sys("getsockname");
    return ep;
}

std::size_t send_some(int fd, const void* data, std::size_t size, int timeout_ms)
{
    for (;;) {
        if (!wait_ready(fd, POLLOUT, timeout_ms))
            throw Timeout("send");
        // MSG_NOSIGNAL: a vanished peer is an EPIPE error to report, not a signal that kills us.
        ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            fail("send(" + fdstr(fd) + ", " + std::to_string(size) + ")", "send", errno);
        trace("send(", fd, ", ", size, ") = ", n);
        return static_cast<std::size_t>(n);
    }
}

void send_all(int fd, std::string_view data, int timeout_ms)
{
    while (!data.empty())
        data.remove_prefix(send_some(fd, data.data(), data.size(), timeout_ms));
}

std::size_t recv_some(int fd, void* buf, std::size_t size, int timeout_ms)
{
    for (;;) {
        if (!wait_ready(fd, POLLIN, timeout_ms))
            throw Timeout("recv");
        ssize_t n = ::recv(fd, buf, size, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            fail("recv(" + fdstr(fd) + ", " + std::to_string(size) + ")", "recv", errno);
        trace("recv(", fd, ", ", size, ") = ", n);
        return static_cast<std::size_t>(n);
    }
}

std::string recv_exact(int fd, std::size_t n, int timeout_ms)
{
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        std::size_t r = recv_some(fd, out.data() + got, n - got, timeout_ms);
        if (r == 0)
            break;
        got += r;
    }
    out.resize(got);
    return out;
}

std::string recv_until_eof(int fd, std::size_t limit, int timeout_ms)
{
    std::string out;
    char buf[16 * 1024];
    while (std::size_t r = recv_some(fd, buf, sizeof buf, timeout_ms)) {
        if (out.size() + r > limit)
            throw SysError("recv (over " + std::to_string(limit) + " bytes)", EMSGSIZE);
        out.append(buf, r);
    }
    return out;
}

std::size_t send_to(int fd, std::string_view data, const Endpoint& to)
{
    for (;;) {
        wait_ready(fd, POLLOUT);
        ssize_t n = ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, to.sa(), to.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("sendto(" + fdstr(fd) + ", " + std::to_string(data.size()) + ", " + to.str() + ")", "sendto(" + to.str() + ")",
                 errno);
        trace("sendto(", fd, ", ", data.size(), ", ", to, ") = ", n);
        return static_cast<std::size_t>(n);
    }
}

// ---- the two common set-ups --------------------------------------------------------------------
Fd tcp_listen(const std::string& host, std::uint16_t port, int backlog, bool reuse_addr)
{
    std::optional<SysError> first_error;
    for (const AddrInfo& ai : resolve(host, std::to_string(port), SOCK_STREAM, true)) {
        try {
            Fd fd = open_socket(ai.family, ai.socktype);
            if (reuse_addr)
                set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            bind_to(fd.get(), ai.endpoint);
            listen_on(fd.get(), backlog);
            return fd;
        } catch (const SysError& e) {
            if (!first_error)
                first_error = e;
        }
    }
    throw *first_error;  // resolve() never returns an empty list
}

Fd tcp_connect(const std::string& host, std::uint16_t port, int timeout_ms)
{
    std::optional<SysError> first_error;
    for (const AddrInfo& ai : resolve(host, std::to_string(port), SOCK_STREAM)) {
        try {
            Fd fd = open_socket(ai.family, ai.socktype);
            connect_to(fd.get(), ai.endpoint, timeout_ms);
            return fd;
        } catch (const SysError& e) {
            if (!first_error)
                first_error = e;
        }
    }
    throw *first_error;
}

}  // namespace netlab
