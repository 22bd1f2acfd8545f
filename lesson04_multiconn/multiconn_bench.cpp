// multiconn_bench — load tool for the six server models of this lesson (lectures 000–003):
// `multiconn_bench --connections N --duration S <host> <port>` opens N connections at once, and
// on each one sends a request, waits for the whole (uppercased) answer, and sends the next, for
// S seconds. Then it prints what the server managed:
//
//   multiconn_bench: 127.0.0.1:65432, 1000 connections, 3 s, 32-byte requests
//   connections  1000 held, 1000 served, 0 not held
//   requests     552633 (184088/s)
//   latency      p50 5.33 ms, p99 8.38 ms, max 17.66 ms
//   errors       0
//
// "held": connections open at the end; "served": connections that got at least one answer (a
// starved client is held but never served); latency is request sent → whole answer received.
// --idle M adds M connections that connect and stay silent (many idle clients are where poll and
// epoll part ways); every connection is made before the clock starts, so the handshakes of
// thousands of idle clients are not counted as the busy ones' latency. --row LABEL prints the
// numbers as one Markdown table row (README.md's table), --csv LABEL as one CSV line
// (label,clients,idle,held,served,requests_per_s,p50_ms,p99_ms,errors) for bench_chart.sh.
//
// --app speaks lecture 002's application protocol instead, for app_server: each connection sends
// one search request, reads the whole response (app::MessageReader), checks its result, and, since
// app_server answers one request per connection, connects again; its latency includes the connect.
//
// One source address has only the ephemeral port range (about 28,000 ports) to connect from, so
// against a 127.x.x.x server the connections are spread over --sources addresses 127.0.0.1,
// 127.0.0.2, ... (all of 127/8 is loopback), one per 20,000 connections unless told otherwise.
//
// Watch for: the bench itself is a single-threaded epoll client — the model that holds thousands
// of connections — so it can hold as many as any server. On one machine it shares the CPU with the
// server: such numbers compare the models with each other, nothing more.
//
// Run:   ./epoll_server --quiet                 ./multiconn_bench --connections 1000 --duration 3 127.0.0.1 65432
#include "app_message.hpp"
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
    netlab::Fd sock;
    bool connected = false;
    bool idle = false;  // --idle: connects, then only holds the connection
    bool served = false;
    std::size_t sent = 0, received = 0;  // of the current request / answer
    Clock::time_point started;           // when the current request went out (--app: when connect() began)
    app::MessageReader reply;            // --app: the response so far
};

struct Stats {
    std::size_t requested = 0, idle = 0, held = 0, served = 0;
    std::map<std::string, int> errors;  // "connect: ECONNREFUSED" → count
    std::vector<double> latency_ms;
    double seconds = 0;
    int error_count() const
    {
        int n = 0;
        for (const auto& [what, count] : errors)
            n += count;
        return n;
    }
};

class Bench {
public:
    Bench(const netlab::AddrInfo& server, std::size_t size, int sources, bool app) : server_(server), sources_(sources), app_(app)
    {
        if (app) {  // app-client.py's search for morpheus, and what libserver.py answers
            request_ = app::create_message(app::json_dumps({{"action", "search"}, {"value", "morpheus"}}), "text/json", "utf-8");
            answer_ = app::json_dumps({{"result", "Follow the white rabbit. \U0001F430"}});
        } else {  // lowercase ASCII, so the expected answer is simply the uppercase of it
            for (std::size_t i = 0; i < size; ++i)
                request_ += static_cast<char>('a' + i % 26);
            answer_ = netlab::utf8_upper(request_);
        }
        const int fd = ::epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0)
            netlab::throw_sys("epoll_create1");
        epoll_ = netlab::Fd(fd);
    }

    Stats run(std::size_t connections, std::size_t idle, std::chrono::milliseconds duration)
    {
        Stats stats;
        stats.requested = connections + idle;
        stats.idle = idle;
        conns_.resize(connections + idle);
        std::size_t connecting = 0;
        for (std::size_t i = 0; i < conns_.size(); ++i) {
            conns_[i].idle = i >= connections;
            if (!open(i, stats))
                break;  // out of descriptors or ports: the errors say so
            connecting += conns_[i].sock ? 1 : 0;
        }
        finish_connecting(connecting, stats);

        // The clock starts now: every busy connection sends its first request at once.
        measuring_ = true;
        const auto start = Clock::now();
        const auto deadline = start + duration;
        for (auto& c : conns_)
            if (c.sock && c.connected && !c.idle)
                serve(c, 0, stats);

        std::array<epoll_event, 512> ready{};
        for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
            const int n = ::epoll_wait(epoll_.get(), ready.data(), ready.size(), static_cast<int>(left) + 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                netlab::throw_sys("epoll_wait");
            for (int k = 0; k < n; ++k) {
                const std::size_t i = ready[k].data.u64;
                handle(conns_[i], ready[k].events, stats);
            }
        }
        stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        for (const auto& c : conns_) {
            // (--app: a client between two requests is connecting again; it is still held)
            stats.held += c.sock && (c.connected || app_);
            stats.served += c.served;
        }
        say_goodbye();
        conns_.clear();  // closes every socket
        return stats;
    }

private:
    // Waits (at most 30 s) until every connection has finished its handshake, or failed (counted
    // in the errors). A server's listen backlog holds only so many handshakes at once; the rest
    // are retried by the kernel, which can take seconds with tens of thousands of clients.
    void finish_connecting(std::size_t connecting, Stats& stats)
    {
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        std::array<epoll_event, 512> ready{};
        while (connecting > 0 && Clock::now() < deadline) {
            const int n = ::epoll_wait(epoll_.get(), ready.data(), ready.size(), 100);
            if (n < 0 && errno != EINTR)
                netlab::throw_sys("epoll_wait");
            for (int k = 0; k < n; ++k) {
                Connection& c = conns_[ready[k].data.u64];
                const bool was_connecting = c.sock && !c.connected;
                handle(c, ready[k].events, stats);
                connecting -= was_connecting ? 1 : 0;
            }
        }
    }

    // One event, with a failure counted ("connect: ECONNREFUSED") and that connection closed.
    void handle(Connection& c, std::uint32_t events, Stats& stats)
    {
        try {
            on_event(c, events, stats);
        } catch (const netlab::SysError& e) {
            ++stats.errors[e.call() + ": " + netlab::errno_name(e.code())];
            c.sock.reset();
        }
    }

    // Closing a socket while an answer is on its way makes the kernel answer that answer with a
    // reset, and the server would log "Connection reset by peer" for every client. So: send EOF
    // (shutdown SHUT_WR), let each server close its side, and only then close — for at most a
    // second, since a starved client (blocking_server) never hears back.
    void say_goodbye()
    {
        std::size_t open = 0;
        for (auto& c : conns_) {
            if (!c.sock || !c.connected)
                continue;
            ::shutdown(c.sock.get(), SHUT_WR);
            want(c, EPOLLIN);
            ++open;
        }
        const auto deadline = Clock::now() + std::chrono::seconds(1);
        std::array<epoll_event, 512> ready{};
        char buf[4096];
        while (open > 0 && Clock::now() < deadline) {
            const int n = ::epoll_wait(epoll_.get(), ready.data(), ready.size(), 100);
            for (int k = 0; k < n; ++k) {
                Connection& c = conns_[ready[k].data.u64];
                if (c.sock && closed_by_peer(c.sock.get(), buf, sizeof buf)) {
                    c.sock.reset();  // EOF (or an error): the server has closed its side
                    --open;
                }
            }
        }
    }

    // One recv() that only looks for the end: true at EOF or on an error. (errno is looked at only
    // when recv() failed: after an EOF it still holds whatever an earlier call left there.)
    static bool closed_by_peer(int fd, char* buf, std::size_t size)
    {
        const ssize_t n = ::recv(fd, buf, size, 0);
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
    }

    bool open(std::size_t i, Stats& stats)
    {
        Connection& c = conns_[i];
        const int fd = ::socket(server_.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            ++stats.errors["socket: " + netlab::errno_name(errno)];
            return false;
        }
        c.sock = netlab::Fd(fd);
        if (sources_ > 1)
            bind_source(fd, i);
        const int rc = ::connect(fd, server_.endpoint.sa(), server_.endpoint.len);
        if (netlab::tracing())  // set-up only: tracing every request would be all there is to see
            netlab::trace("socket() = ", fd, ", connect(", fd, ", ", server_.endpoint,
                          ") = ", (rc < 0 ? "-1 " + netlab::errno_name(errno) : "0"));
        if (rc < 0 && errno != EINPROGRESS) {
            ++stats.errors["connect: " + netlab::errno_name(errno)];
            c.sock.reset();
            return errno != EADDRNOTAVAIL;  // out of local ports: opening more is pointless
        }
        c.started = Clock::now();
        epoll_event ev{};
        ev.events = EPOLLOUT;  // writable = the handshake is over
        ev.data.u64 = i;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0)
            netlab::throw_sys("epoll_ctl");
        return true;
    }

    // Connection i comes from 127.0.0.(1 + i % sources). IP_BIND_ADDRESS_NO_PORT leaves the port
    // to connect(), which then needs it free only for this one destination.
    void bind_source(int fd, std::size_t i)
    {
        const int on = 1;
        ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + static_cast<std::uint32_t>(i % static_cast<std::size_t>(sources_)));
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) < 0)
            netlab::throw_sys("bind (source address)");
        if (netlab::tracing() && i < static_cast<std::size_t>(sources_)) {
            char ip[INET_ADDRSTRLEN];
            ::inet_ntop(AF_INET, &source.sin_addr, ip, sizeof ip);
            netlab::trace("bind(", fd, ", ", ip, ":0) = 0 (IP_BIND_ADDRESS_NO_PORT: connect() picks the port)");
        }
    }

    void want(Connection& c, std::uint32_t events)
    {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.sock.get(), &ev) < 0)
            netlab::throw_sys("epoll_ctl");
    }

    void on_event(Connection& c, std::uint32_t events, Stats& stats)
    {
        if (!c.sock)
            return;
        if (!c.connected) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(c.sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err)
                netlab::throw_sys("connect", err);
            c.connected = true;
            // idle: EPOLLIN only to notice if the server drops it; busy: nothing until run() starts the clock
            if (c.idle || !measuring_)
                return want(c, c.idle ? std::uint32_t{EPOLLIN} : 0u);
        }
        if (c.idle) {
            char buf[256];
            if (closed_by_peer(c.sock.get(), buf, sizeof buf))
                netlab::throw_sys("recv (idle, closed by the server)", ECONNRESET);
            return;
        }
        serve(c, events, stats);
    }

    // A busy connection: send (the rest of) the request, or take (more of) the answer.
    void serve(Connection& c, std::uint32_t events, Stats& stats)
    {
        if (c.sent == 0 && c.received == 0 && !app_)
            c.started = Clock::now();
        if (c.sent < request_.size()) {  // (the rest of) the request
            const ssize_t n = ::send(c.sock.get(), request_.data() + c.sent, request_.size() - c.sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                netlab::throw_sys("send");
            c.sent += n > 0 ? static_cast<std::size_t>(n) : 0;
            if (c.sent < request_.size())
                return want(c, EPOLLOUT);  // a partial send: the rest when writable
            return want(c, EPOLLIN);
        }
        if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            return;
        if (app_)
            return receive_app(c, stats);
        char buf[4096];
        const ssize_t n = ::recv(c.sock.get(), buf, std::min(sizeof buf, answer_.size() - c.received), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0)
            netlab::throw_sys("recv");
        if (n == 0)
            netlab::throw_sys("recv (closed by the server)", ECONNRESET);
        if (std::string_view(buf, static_cast<std::size_t>(n)) !=
            std::string_view(answer_).substr(c.received, static_cast<std::size_t>(n)))
            netlab::throw_sys("recv (wrong answer)", EBADMSG);
        c.received += static_cast<std::size_t>(n);
        if (c.received < answer_.size())
            return;
        stats.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
        c.served = true;
        c.sent = c.received = 0;  // and at once the next request
        serve(c, 0, stats);
    }

    // --app: (more of) the response; once it is whole and right, the next connection.
    void receive_app(Connection& c, Stats& stats)
    {
        char buf[4096];
        const ssize_t n = ::recv(c.sock.get(), buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0)
            netlab::throw_sys("recv");
        if (n == 0)
            netlab::throw_sys("recv (closed before the whole response)", ECONNRESET);
        try {
            if (!c.reply.feed(std::string_view(buf, static_cast<std::size_t>(n))))
                return;
        } catch (const app::ProtocolError&) {
            netlab::throw_sys("recv (not the application protocol)", EBADMSG);
        }
        if (c.reply.message().content != answer_)
            netlab::throw_sys("recv (wrong answer)", EBADMSG);
        stats.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
        c.served = true;
        const auto i = static_cast<std::size_t>(&c - conns_.data());
        c.sock.reset();  // app_server has closed its side already
        c.connected = false;
        c.sent = c.received = 0;
        c.reply = app::MessageReader();
        open(i, stats);
    }

    netlab::AddrInfo server_;
    int sources_;
    bool app_;
    bool measuring_ = false;
    std::string request_, answer_;
    netlab::Fd epoll_;
    std::vector<Connection> conns_;
};

double percentile(std::vector<double>& v, double p)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

std::string fixed(double value, int digits)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("multiconn_bench", "N concurrent request/response clients against one of the lesson04 servers",
                        "127.0.0.1", 65432);
        cli.add()("connections", "connections to hold at once", cxxopts::value<std::string>()->default_value("100"))  //
            ("duration", "seconds to run", cxxopts::value<std::string>()->default_value("3"))                         //
            ("idle", "more connections that only connect and stay silent (how each model copes with many idle clients)",
             cxxopts::value<std::string>()->default_value("0"))                                //
            ("size", "bytes per request", cxxopts::value<std::string>()->default_value("32"))  //
            ("sources", "connect from this many loopback addresses 127.0.0.1, .2, ... (default: one per 20,000 connections)",
             cxxopts::value<std::string>())                                                            //
            ("app", "speak lecture 002's application protocol (app_server): a search per connection")  //
            ("row", "print one Markdown table row, labelled LABEL", cxxopts::value<std::string>())     //
            ("csv", "print one CSV line, labelled LABEL", cxxopts::value<std::string>());
        cli.positional({"host", "port"}, "<host> <port>");
        auto args = cli.parse(argc, argv);
        const auto connections = static_cast<std::size_t>(
            netlab::parse_number("connections", args["connections"].as<std::string>(), 1, 100'000));
        const auto idle = static_cast<std::size_t>(netlab::parse_number("idle", args["idle"].as<std::string>(), 0, 100'000));
        const auto seconds = netlab::parse_number("duration", args["duration"].as<std::string>(), 1, 3600);
        const auto size = static_cast<std::size_t>(netlab::parse_number("size", args["size"].as<std::string>(), 1, 65536));
        upper::raise_fd_limit();

        const auto server = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM).front();
        const bool loopback4 = server.family == AF_INET && server.endpoint.ip().rfind("127.", 0) == 0;
        int sources = static_cast<int>((connections + idle) / 20'000 + 1);
        if (args.count("sources"))
            sources = static_cast<int>(netlab::parse_number("sources", args["sources"].as<std::string>(), 1, 254));
        if (!loopback4)
            sources = 1;  // other addresses than 127/8 are not ours to use
        Bench bench(server, size, sources, args.count("app") > 0);
        Stats s = bench.run(connections, idle, std::chrono::seconds(seconds));

        const double rate = static_cast<double>(s.latency_ms.size()) / s.seconds;
        const double p50 = percentile(s.latency_ms, 50), p99 = percentile(s.latency_ms, 99);
        const double max = s.latency_ms.empty() ? 0 : *std::max_element(s.latency_ms.begin(), s.latency_ms.end());
        std::string errors = std::to_string(s.error_count());
        for (const auto& [what, count] : s.errors)
            errors += (what == s.errors.begin()->first ? " (" : ", ") + what + " x" + std::to_string(count);
        if (!s.errors.empty())
            errors += ")";

        const std::string asked = std::to_string(connections) + (idle ? " + " + std::to_string(idle) + " idle" : "");
        if (args.count("csv")) {
            std::string csv_errors = errors;  // a comma inside would start a new column
            std::replace(csv_errors.begin(), csv_errors.end(), ',', ';');
            std::cout << args["csv"].as<std::string>() << "," << connections << "," << idle << "," << s.held << "," << s.served
                      << "," << fixed(rate, 0) << "," << fixed(p50, 3) << "," << fixed(p99, 3) << ",\"" << csv_errors << "\"\n";
        } else if (args.count("row")) {
            std::cout << "| " << args["row"].as<std::string>() << " | " << asked << " | " << s.held << " | " << s.served << " | "
                      << fixed(rate, 0) << " | " << fixed(p50, 2) << " | " << fixed(p99, 2) << " | " << errors << " |\n";
        } else {
            std::cout << "multiconn_bench: " << server.endpoint.str() << ", " << asked << " connections, " << seconds << " s, "
                      << (args.count("app") ? "lecture 002 search" : std::to_string(size) + "-byte") << " requests\n"
                      << "connections  " << s.held << " held, " << s.served << " served, " << s.requested - s.held
                      << " not held\n"
                      << "requests     " << s.latency_ms.size() << " (" << fixed(rate, 0) << "/s)\n"
                      << "latency      p50 " << fixed(p50, 2) << " ms, p99 " << fixed(p99, 2) << " ms, max " << fixed(max, 2)
                      << " ms\n"
                      << "errors       " << errors << "\n";
        }
        return s.held == 0 && s.served == 0 ? 1 : 0;  // nothing worked at all: say so in the status too
    });
}
