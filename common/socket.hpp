// common/socket.hpp — the socket calls every lesson makes, each checked, traced and EINTR-safe.
//
// In the spirit of Stevens's wrappers (Socket, Bind, Accept...): each call here either succeeds
// or throws netlab::SysError naming the call and errno, so programs read as the plain sequence
// socket → bind → listen → accept → recv → send. With --trace each call is narrated on stderr:
//   socket(AF_INET, SOCK_STREAM) = 3
//   bind(3, 127.0.0.1:5000) = 0
//   accept(3) = 4 from 127.0.0.1:53422
//
// The "blocking" calls (accept_from, connect_to, recv_some, send_some...) do not block inside the
// call itself: each first waits in poll() (wait_ready) until the socket is ready, then makes the
// call (recv/send with MSG_DONTWAIT), which then has nothing to wait for. That is how Python's settimeout() works too, and it is where timeouts
// and Ctrl-C are handled: a server that called install_stop_handlers() gets netlab::Stopped thrown
// out of any wait when SIGINT/SIGTERM arrives, and RAII closes its sockets on the way out. So
// `strace` shows ppoll() before each such call; --trace shows the waits that really wait:
//   poll(3, POLLIN, no timeout) = 1
//   accept(3) = 4 from 127.0.0.1:53422
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

namespace netlab {

// ---- tracing -------------------------------------------------------------------------------
void set_trace(bool on);
bool tracing();
void trace_line(const std::string& line);  // one line on stderr, unconditionally
// One line on stderr, only with --trace, built from its parts only then:
//   netlab::trace("recv(", fd, ", ", size, ") = ", n);
// so a program without --trace (a benchmark, say) never pays for the text.
template <class... Parts>
void trace(const Parts&... parts)
{
    if (!tracing())
        return;
    std::ostringstream line;
    (line << ... << parts);
    trace_line(line.str());
}

// ---- an owned descriptor ---------------------------------------------------------------------
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept;
    void reset(int fd = -1) noexcept;  // closes the old descriptor (traced)

private:
    int fd_ = -1;
};

// ---- addresses -------------------------------------------------------------------------------
struct Endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;

    const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&addr); }
    sockaddr* sa() { return reinterpret_cast<sockaddr*>(&addr); }
    int family() const { return addr.ss_family; }
    std::string ip() const;
    std::uint16_t port() const;
    std::string str() const;     // 127.0.0.1:5000 or [::1]:5000
    std::string python() const;  // ('127.0.0.1', 5000) or ('::1', 5000, 0, 0), as Python prints addr
};

std::ostream& operator<<(std::ostream& out, const Endpoint& ep);  // as str(): for trace()

struct AddrInfo {
    int family;
    int socktype;
    int protocol;
    Endpoint endpoint;
};

// getaddrinfo for host/port. An empty host means "every interface" for passive (server) use,
// as '' does in the lectures' bind(('', port)). Throws ResolveError.
std::vector<AddrInfo> resolve(const std::string& host, const std::string& port, int socktype, bool passive = false,
                              int family = AF_UNSPEC);

std::string family_name(int family);  // AF_INET
std::string socktype_name(int type);  // SOCK_STREAM

// ---- stop signals and waiting ------------------------------------------------------------------
// Servers call this once: SIGINT/SIGTERM then make the next (or current) wait throw Stopped.
void install_stop_handlers();
bool stop_requested();
// Wait until fd has `events` (POLLIN/POLLOUT). false on timeout; timeout_ms < 0 waits forever.
// With --trace a wait that does wait is narrated ("poll(4, POLLIN, 30000 ms) = 1").
bool wait_ready(int fd, short events, int timeout_ms = -1);
// The signal mask for a program's own wait (ppoll, pselect, epoll_pwait): this thread's mask with
// SIGINT and SIGTERM let through, so Ctrl-C interrupts that wait and nothing else.
// install_stop_handlers() keeps them blocked everywhere else, so a signal can never slip in
// between the check of stop_requested() and the start of the wait.
sigset_t stop_wait_mask();

// ---- traced, checked socket calls --------------------------------------------------------------
Fd open_socket(int family, int type, int protocol = 0);
void set_option(int fd, int level, int option, int value, const char* option_name);
void bind_to(int fd, const Endpoint& ep);
void listen_on(int fd, int backlog);
Fd accept_from(int listener, Endpoint* peer = nullptr, int timeout_ms = -1);
// TCP keepalive after `idle_s` seconds of silence (SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT). A client
// that vanished without FIN or RST — its machine died, or its kernel gave up retransmitting the
// FIN of a socket its program had already closed (seen after a burst of connections overflows a
// backlog of 5) — is then answered for by its kernel with RST, or by silence: either way the
// server's recv() fails within seconds instead of waiting out --timeout. A live client that is
// merely quiet answers the probes and is never disturbed.
void keep_alive(int fd, int idle_s = 5);
void connect_to(int fd, const Endpoint& ep, int timeout_ms = -1);
// Python's setblocking(False): O_NONBLOCK, so recv/send/accept fail with EAGAIN instead of waiting.
void set_nonblocking(int fd);

Endpoint local_endpoint(int fd);

// send() once; returns bytes accepted by the kernel (may be fewer than asked: a partial send).
std::size_t send_some(int fd, const void* data, std::size_t size, int timeout_ms = -1);
// Loop over partial sends until every byte is queued.
void send_all(int fd, std::string_view data, int timeout_ms = -1);
// recv() once; 0 means the peer closed its side (EOF).
std::size_t recv_some(int fd, void* buf, std::size_t size, int timeout_ms = -1);
// Exactly n bytes, or fewer if the peer closes first (callers check the size).
std::string recv_exact(int fd, std::size_t n, int timeout_ms = -1);
// Everything until the peer closes, failing with EMSGSIZE past `limit` bytes.
std::string recv_until_eof(int fd, std::size_t limit, int timeout_ms = -1);

// sendto(): one datagram to `to`, whole or not at all (lesson02's UDP, lesson06's raw sockets).
std::size_t send_to(int fd, std::string_view data, const Endpoint& to);

// ---- the two common set-ups --------------------------------------------------------------------
// socket + SO_REUSEADDR (optional) + bind + listen on the first address of host:port that works.
Fd tcp_listen(const std::string& host, std::uint16_t port, int backlog, bool reuse_addr = true);
// socket + connect to each address of host:port in turn, as Python's create_connection does.
Fd tcp_connect(const std::string& host, std::uint16_t port, int timeout_ms = -1);

}  // namespace netlab
