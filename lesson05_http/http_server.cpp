#include "http_server.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace http {

using Clock = std::chrono::steady_clock;

// ---- options and replies -------------------------------------------------------------------------
void add_server_options(netlab::Cli& cli)
{
    cli.add()  //
        ("header-timeout", "seconds a client may take to send a request's head",
         cxxopts::value<std::string>()->default_value("10"))  //
        ("idle-timeout", "seconds an idle keep-alive connection is kept open",
         cxxopts::value<std::string>()->default_value("15"))                                                  //
        ("max-clients", "connections served at once", cxxopts::value<std::string>()->default_value("10000"))  //
        ("max-body", "largest request body accepted, in bytes (413 above)",
         cxxopts::value<std::string>()->default_value("1048576"))  //
        ("quiet", "no access-log line per request");
}

namespace {
int seconds_option(const cxxopts::ParseResult& args, const std::string& name)
{
    const std::string text = args[name].as<std::string>();
    std::size_t used = 0;
    double seconds = -1;
    try {
        seconds = std::stod(text, &used);
    } catch (const std::exception&) {
    }
    if (used != text.size() || !(seconds > 0 && seconds <= 3600))
        throw netlab::UsageError("--" + name + " must be a number of seconds above 0 and at most 3600, not '" + text + "'");
    return static_cast<int>(seconds * 1000);
}
}  // namespace

void read_server_options(const cxxopts::ParseResult& args, ServerConfig& config)
{
    config.header_timeout_ms = seconds_option(args, "header-timeout");
    config.idle_timeout_ms = seconds_option(args, "idle-timeout");
    config.max_clients = static_cast<std::size_t>(
        netlab::parse_number("max-clients", args["max-clients"].as<std::string>(), 1, 1'000'000));
    config.limits.max_body = static_cast<std::size_t>(
        netlab::parse_number("max-body", args["max-body"].as<std::string>(), 0, 1L << 40));
    config.access_log = args.count("quiet") == 0;
}

Reply error_reply(int status, const std::string& message)
{
    const std::string code = std::to_string(status);
    const std::string reason(reason_phrase(status));
    return text_reply(status, "text/html;charset=utf-8",
                      "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error response</title>\n"
                      "</head>\n<body>\n<h1>Error response</h1>\n<p>Error code: " +
                          code + "</p>\n<p>Message: " + html_escape(reason) + ".</p>\n<p>Error code explanation: " + code +
                          " - " + html_escape(message) + ".</p>\n</body>\n</html>\n");
}

Reply text_reply(int status, std::string content_type, std::string body)
{
    Reply r;
    r.status = status;
    r.headers.add("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

std::string python_address(const std::string& host, std::uint16_t port)
{
    return "('" + host + "', " + std::to_string(port) + ")";
}

// ---- the loop ------------------------------------------------------------------------------------
namespace {

bool known_method(std::string_view m)
{
    for (const char* k : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"})
        if (m == k)
            return true;
    return false;
}

// The request line as python's log shows it: control bytes escaped.
std::string printable(std::string_view s)
{
    if (s.size() <= 200 &&
        std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        return std::string(s);
    std::string out;
    for (char c : s.substr(0, 200)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

struct Connection {
    netlab::Fd fd;
    netlab::Endpoint peer;
    std::string ip;
    RequestParser parser;
    std::string out;  // bytes of answers not yet taken by the kernel
    std::size_t out_pos = 0;
    netlab::Fd file;  // a body still to sendfile() after `out`
    off_t file_pos = 0;
    std::uint64_t file_left = 0;
    bool more_after_head = false;  // MSG_MORE on the head: the file's first bytes join its packet
    bool close_after = false;      // close once everything queued is sent
    bool lingering = false;        // our side is shut down; reading what the client still sends
    bool continue_sent = false;
    bool request_started = false;
    Clock::time_point request_start;  // first byte of the request in progress
    Clock::time_point last_activity;
    Clock::time_point linger_start;  // the lingering close lasts 2 s however much the client still sends
    std::uint32_t events = 0;

    Connection(Limits limits) : parser(limits) {}
    bool sending() const { return out_pos < out.size() || file_left > 0; }
};

}  // namespace

struct Server::Impl {
    ServerConfig config;
    Handler handler;
    netlab::Fd epoll;
    netlab::Fd listener;
    std::unordered_map<int, std::unique_ptr<Connection>> conns;
    bool accept_paused = false;
    std::string log_buf;
    std::time_t date_second = 0;
    std::string date_field, log_date;

    void watch(int op, int fd, std::uint32_t events)
    {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        if (::epoll_ctl(epoll.get(), op, fd, &ev) < 0)
            netlab::throw_sys("epoll_ctl");
    }

    void refresh_dates()
    {
        const std::time_t now = std::time(nullptr);
        if (now == date_second)
            return;
        date_second = now;
        date_field = format_http_date(now);
        std::tm tm{};
        ::localtime_r(&now, &tm);
        static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        char buf[40];
        std::snprintf(buf, sizeof buf, "%02d/%s/%04d %02d:%02d:%02d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
        log_date = buf;
    }

    // Log lines are collected and written once per loop turn: one write() for many requests.
    void log(const Connection& c, const std::string& message)
    {
        if (!config.access_log)
            return;
        refresh_dates();
        log_buf += c.ip + " - - [" + log_date + "] " + message + "\n";
    }

    // The log is written with one write() per 100 ms (or per 64 KiB): a write per request would
    // cost as much as serving a small file.
    void flush_log(bool now)
    {
        if (log_buf.empty() || (!now && log_buf.size() < 64 * 1024))
            return;
        std::size_t done = 0;
        while (done < log_buf.size()) {
            const ssize_t n = ::write(STDERR_FILENO, log_buf.data() + done, log_buf.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;  // stderr is gone: the log is lost, the serving goes on
            done += static_cast<std::size_t>(n);
        }
        log_buf.clear();
    }

    // ---- answering ----
    void queue(Connection& c, const Request* req, Reply reply, const std::string& request_line)
    {
        refresh_dates();
        const bool head = req && req->method == "HEAD";
        const bool keep = req && req->keep_alive() && !reply.close;
        // The head is written straight into the output buffer: no message object per answer.
        const bool bodiless = reply.status < 200 || reply.status == 204 || reply.status == 304;
        const std::uint64_t length = reply.file ? reply.file_length : reply.body.size();
        std::string& o = c.out;
        o += "HTTP/1.1 ";
        o += std::to_string(reply.status);
        o += ' ';
        o += reason_phrase(reply.status);
        o += "\r\nServer: ";
        o += config.server;
        o += "\r\nDate: ";
        o += date_field;
        o += "\r\n";
        for (const Field& f : reply.headers.fields()) {
            o += f.name;
            o += ": ";
            o += f.value;
            o += "\r\n";
        }
        if (!bodiless && !reply.headers.has("Content-Length")) {
            o += "Content-Length: ";
            o += std::to_string(length);
            o += "\r\n";
        }
        if (!keep)
            o += "Connection: close\r\n";
        else if (req->version == 10)
            o += "Connection: keep-alive\r\n";
        o += "\r\n";
        if (!head && !bodiless) {
            if (reply.file && reply.file_length > 0) {
                c.file = std::move(reply.file);
                c.file_pos = static_cast<off_t>(reply.file_offset);
                c.file_left = reply.file_length;
                c.more_after_head = true;
            } else {
                c.out += reply.body;
            }
        }
        if (config.access_log) {  // appended piece by piece: this runs for every request
            refresh_dates();
            log_buf += c.ip;
            log_buf += " - - [";
            log_buf += log_date;
            log_buf += "] \"";
            log_buf += printable(request_line);
            log_buf += "\" ";
            log_buf += std::to_string(reply.status);
            log_buf += " -\n";
        }
        if (!keep)
            c.close_after = true;
    }

    void answer_error(Connection& c, const ParseError& e)
    {
        log(c, "code " + std::to_string(e.status()) + ", message " + printable(e.what()));
        const Request& partial = c.parser.current();
        Reply reply = error_reply(e.status(), e.what());
        reply.close = true;
        queue(c, nullptr, std::move(reply), partial.method.empty() ? "-" : partial.request_line());
    }

    // Answers every complete request the parser holds, in order, while nothing blocks the order.
    // true if it stopped because answers wait to be sent (more requests may be complete).
    bool process(Connection& c)
    {
        for (;;) {
            if (c.close_after)
                return false;
            if (c.file_left > 0 || c.out.size() - c.out_pos >= 1024 * 1024)
                return true;
            std::optional<Request> req;
            try {
                req = c.parser.next();
            } catch (const ParseError& e) {
                answer_error(c, e);
                return false;
            }
            if (!req) {
                if (c.parser.in_body() && c.parser.current().expects_continue() && !c.continue_sent) {
                    c.out += "HTTP/1.1 100 Continue\r\n\r\n";
                    c.continue_sent = true;
                }
                if (c.parser.partial() && !c.request_started) {
                    c.request_started = true;
                    c.request_start = Clock::now();
                }
                return false;
            }
            c.continue_sent = false;
            c.request_started = c.parser.partial();  // a pipelined request is already under way
            c.request_start = Clock::now();
            if (!known_method(req->method)) {
                queue(c, &*req, error_reply(501, "Unsupported method ('" + req->method + "')"), req->request_line());
                continue;
            }
            Reply reply;
            try {
                reply = handler(*req, c.peer);
            } catch (const std::exception& e) {  // a handler's failure is this request's 500, not the server's end
                std::cerr << config.program << ": " << e.what() << std::endl;
                reply = error_reply(500, "the server failed to answer");
            }
            queue(c, &*req, std::move(reply), req->request_line());
        }
    }

    // Sends what the kernel takes; false if the connection failed.
    bool flush(Connection& c)
    {
        while (c.out_pos < c.out.size()) {
            const int flags = MSG_NOSIGNAL | (c.more_after_head ? MSG_MORE : 0);
            const ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_pos, c.out.size() - c.out_pos, flags);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return errno == EAGAIN || errno == EWOULDBLOCK;
            }
            c.out_pos += static_cast<std::size_t>(n);
            c.last_activity = Clock::now();
        }
        c.out.clear();
        c.out_pos = 0;
        c.more_after_head = false;
        while (c.file_left > 0) {
            const ssize_t n = ::sendfile(c.fd.get(), c.file.get(), &c.file_pos,
                                         static_cast<std::size_t>(std::min<std::uint64_t>(c.file_left, 1 << 20)));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return errno == EAGAIN || errno == EWOULDBLOCK;
            }
            if (n == 0)
                return false;  // the file shrank under us: the length we promised cannot be kept
            c.file_left -= static_cast<std::uint64_t>(n);
            c.last_activity = Clock::now();
        }
        c.file.reset();
        return true;
    }

    void start_lingering(Connection& c)
    {
        ::shutdown(c.fd.get(), SHUT_WR);
        c.lingering = true;
        c.linger_start = Clock::now();
        if (c.events != EPOLLIN) {
            watch(EPOLL_CTL_MOD, c.fd.get(), EPOLLIN);
            c.events = EPOLLIN;
        }
    }

    // One readiness event; false when the connection is finished.
    bool service(Connection& c, std::uint32_t revents)
    {
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
            std::array<char, 64 * 1024> buf;
            for (int i = 0; i < 4; ++i) {
                const ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), 0);
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    if (errno == EAGAIN || errno == EWOULDBLOCK)
                        break;
                    return false;  // reset by the peer
                }
                if (n == 0)
                    return false;  // the client closed (in the middle of a request or not): nothing to answer
                c.last_activity = Clock::now();
                if (c.lingering)
                    continue;  // discarded: we answered and are closing
                c.parser.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
                if (static_cast<std::size_t>(n) < buf.size())
                    break;
            }
        }
        if (c.lingering)
            return true;
        for (;;) {
            const bool more = process(c);  // true: it stopped for queued output, requests may remain
            if (!flush(c))
                return false;
            if (c.sending())
                break;  // the kernel's buffer is full: EPOLLOUT tells when to go on
            if (c.close_after) {
                start_lingering(c);
                return true;
            }
            if (!more)
                break;
        }
        const std::uint32_t wanted = c.sending() ? EPOLLOUT : EPOLLIN;
        if (wanted != c.events) {
            watch(EPOLL_CTL_MOD, c.fd.get(), wanted);
            c.events = wanted;
        }
        return true;
    }

    void accept_clients()
    {
        for (int i = 0; i < 64; ++i) {
            netlab::Endpoint peer;
            peer.len = sizeof peer.addr;
            const int fd = ::accept4(listener.get(), peer.sa(), &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                if (errno == EMFILE || errno == ENFILE) {
                    std::cerr << config.program << ": accept: " << netlab::describe_errno(errno)
                              << "; not accepting until a client leaves" << std::endl;
                    watch(EPOLL_CTL_MOD, listener.get(), 0);
                    accept_paused = true;
                }
                return;
            }
            netlab::Fd owned(fd);
            if (conns.size() >= config.max_clients) {
                std::cerr << config.program << ": " << peer.str() << ": more than " << config.max_clients
                          << " clients, closing it" << std::endl;
                continue;
            }
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            netlab::trace("accept(" + std::to_string(listener.get()) + ") = " + std::to_string(fd) + " from " + peer.str());
            auto c = std::make_unique<Connection>(config.limits);
            c->fd = std::move(owned);
            c->peer = peer;
            c->ip = peer.ip();
            c->last_activity = Clock::now();
            c->events = EPOLLIN;
            watch(EPOLL_CTL_ADD, fd, EPOLLIN);
            conns.emplace(fd, std::move(c));
        }
    }

    void close_connection(int fd)
    {
        conns.erase(fd);  // close() also leaves the epoll set
        if (accept_paused) {
            watch(EPOLL_CTL_MOD, listener.get(), EPOLLIN);
            accept_paused = false;
        }
    }

    // Header timeout (408), idle keep-alive timeout, stalled sends and the end of a lingering close.
    void sweep()
    {
        const auto now = Clock::now();
        const auto header = std::chrono::milliseconds(config.header_timeout_ms);
        const auto idle = std::chrono::milliseconds(config.idle_timeout_ms);
        std::vector<int> expired;
        for (auto& [fd, c] : conns) {
            if (c->lingering) {
                if (now - c->linger_start > std::chrono::seconds(2))
                    expired.push_back(fd);
            } else if (c->sending()) {
                if (now - c->last_activity > header)
                    expired.push_back(fd);  // it does not read its answer
            } else if (c->request_started || c->parser.partial()) {
                if (!c->request_started) {
                    c->request_started = true;
                    c->request_start = now;
                }
                if (now - c->request_start > header) {
                    log(*c, "code 408, message the request took longer than " +
                                std::to_string(config.header_timeout_ms / 1000.0).substr(0, 4) + " s");
                    Reply r = error_reply(408, "the request took too long to arrive");
                    r.close = true;
                    queue(*c, nullptr, std::move(r), "");
                    if (!flush(*c))
                        expired.push_back(fd);
                    else
                        start_lingering(*c);  // an answer too big for the socket buffer is cut: it is an error page
                }
            } else if (now - c->last_activity > idle) {
                expired.push_back(fd);
            }
        }
        for (int fd : expired)
            close_connection(fd);
    }

    void run()
    {
        const sigset_t wait_mask = netlab::stop_wait_mask();  // SIGINT/SIGTERM get in only inside epoll_pwait
        std::array<epoll_event, 256> ready{};
        auto last_sweep = Clock::now();
        while (!netlab::stop_requested()) {
            const int n = ::epoll_pwait(epoll.get(), ready.data(), ready.size(), 100, &wait_mask);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                netlab::throw_sys("epoll_wait");
            for (int i = 0; i < n; ++i) {
                const int fd = ready[i].data.fd;
                if (fd == listener.get()) {
                    accept_clients();
                    continue;
                }
                auto it = conns.find(fd);
                if (it != conns.end() && !service(*it->second, ready[i].events))
                    close_connection(fd);
            }
            if (Clock::now() - last_sweep >= std::chrono::milliseconds(100)) {
                sweep();
                last_sweep = Clock::now();
                flush_log(true);
            }
            flush_log(false);
        }
        flush_log(true);
    }
};

Server::Server(ServerConfig config, Handler handler) : impl_(std::make_unique<Impl>())
{
    impl_->config = std::move(config);
    impl_->handler = std::move(handler);
}

Server::~Server() = default;

void Server::listen(const std::string& host, std::uint16_t port)
{
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
    // The epoll instance first: once the port listens, the server's descriptors are all there.
    const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        netlab::throw_sys("epoll_create1");
    impl_->epoll = netlab::Fd(epfd);
    impl_->listener = netlab::tcp_listen(host, port, SOMAXCONN);
    const int flags = ::fcntl(impl_->listener.get(), F_GETFL);
    if (flags < 0 || ::fcntl(impl_->listener.get(), F_SETFL, flags | O_NONBLOCK) < 0)
        netlab::throw_sys("fcntl(O_NONBLOCK)");
    impl_->watch(EPOLL_CTL_ADD, impl_->listener.get(), EPOLLIN);
}

void Server::run() { impl_->run(); }

}  // namespace http
