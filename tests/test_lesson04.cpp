// Integration tests for lesson04_multiconn: serving many clients at once.
//
// Part 1 — the server models and their clients:
//
// One uppercase-echo service, six servers. For each model: 50 concurrent clients (python3's
// socket module, a UTF-8 letter cut across two sends) all answered exactly while a stalled
// client — connected, sending, never reading — sits on the server; its descriptor count back
// where it started after 10,000 connections (2,000 for fork_server); SIGTERM → exit 0 with no
// children left behind. blocking_server is the exception the lecture describes: the test asserts
// that it starves the second client. Readiness comes from output or /proc, never from a fixed
// sleep; the only timed wait asserts that something does NOT happen (the starved client), briefly.
//
// Part 2 — the lecture 002 application protocol (app_server / app_client), and the lecture 001
// practice tasks (decrypt_server / decrypt_client, users_server / user_client).
//
// Misbehaving clients are raw sockets driven from here, so each malformed-input case sends
// exactly the bytes it means to. The lecture's own Python programs (tests/lesson04_app_client.py,
// tests/lesson04_app_server.py) are the real peers of the [interop] cases.
#include "support/catch.hpp"
#include "support/harness.hpp"
#include "support/rules.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <condition_variable>
#include <bit>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

// ==== Part 1: the six server models, their clients, the bench ====

using namespace netlab::test;

namespace models {

// The python peers live next to this file.
std::string script(const std::string& name)
{
    std::string here = __FILE__;
    return here.substr(0, here.find_last_of('/') + 1) + name;
}

// A plain blocking TCP connection made by the test itself.
struct Conn {
    int fd = -1;
    explicit Conn(std::uint16_t port, int rcvbuf = 0)
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        if (rcvbuf > 0)  // before connect: a small window, and no autotuning to grow it
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    }
    ~Conn() { close(); }
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;
    void close()
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
    void send(std::string_view data)
    {
        while (!data.empty()) {
            const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            REQUIRE(n > 0);
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // Waits up to `deadline` for something to read: false if nothing came.
    bool readable(Ms deadline)
    {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, static_cast<int>(deadline.count())) == 1;
    }
    // Exactly n bytes (fewer only if the server closes), each wait bounded by kDeadline.
    std::string recv(std::size_t n)
    {
        std::string out;
        char buf[4096];
        while (out.size() < n && readable(kDeadline)) {
            const ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
            if (got <= 0)
                break;
            out.append(buf, static_cast<std::size_t>(got));
        }
        return out;
    }
};

// Connected, sending, never reading: what it sends comes back uppercased and piles up in the
// server, because nobody takes it. A thread pushes up to `bytes`; close() (or the server
// dropping it) ends the push.
struct Staller {
    Conn conn;
    std::mutex mutex;
    std::condition_variable changed;  // the pusher reports progress, so waits need no polling
    std::size_t sent = 0;
    bool done = false, failed = false;
    std::thread pusher;
    Staller(std::uint16_t port, std::size_t bytes) : conn(port, 4096)
    {
        pusher = std::thread([this, bytes] {
            const std::string chunk(64 * 1024, 'z');
            for (;;) {
                const ssize_t n = ::send(conn.fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
                std::lock_guard lock(mutex);
                if (n <= 0)
                    failed = true;
                else
                    sent += static_cast<std::size_t>(n);
                done = failed || sent >= bytes;
                changed.notify_all();
                if (done)
                    break;
            }
        });
    }
    ~Staller() { close(); }
    void close()
    {
        if (conn.fd >= 0)
            ::shutdown(conn.fd, SHUT_RDWR);  // wakes a send() blocked on the full window
        if (pusher.joinable())
            pusher.join();
        conn.close();
    }
    // Waits until at least `bytes` went out (the server has taken them and is stuck on us).
    void wait_sent(std::size_t bytes)
    {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, kDeadline, [&] { return sent >= bytes || done; });
        REQUIRE(sent >= bytes);
    }
    bool has_failed()
    {
        std::lock_guard lock(mutex);
        return failed;
    }
    void wait_failed()
    {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, kDeadline, [&] { return done; });
        REQUIRE(done);
        CHECK(failed);
    }
};

// The processes below `pid` (none for a server that was exec'd; the program itself when a
// student's wrapper script started it without exec): what "no child left behind" compares with.
std::set<pid_t> pids_below(pid_t pid)
{
    std::set<pid_t> out;
    for (const auto& [below, state] : descendants(pid))
        out.insert(below);
    return out;
}

bool process_exists(pid_t pid) { return ::access(("/proc/" + std::to_string(pid)).c_str(), F_OK) == 0; }

// 50 python clients at once, each with a letter cut across two sends; all must be answered.
void fifty_clients(std::uint16_t port)
{
    auto r = run({tool("python3"), script("lesson04_models_clients.py"), "127.0.0.1", P(port), "50"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out == "ok 50\n");
}

// `count` connections one after another: send, read the answer, close. Returns when done.
void many_connections(std::uint16_t port, int count)
{
    for (int i = 0; i < count; ++i) {
        Conn c(port);
        c.send("ab");
        REQUIRE(c.recv(2) == "AB");
    }
}

// Extra arguments that let a model take a burst of connections: thread_server and fork_server
// keep the lecture's listen(5) by default, and a burst of 50 connects would overflow it.
std::vector<std::string> burst_args(const std::string& program)
{
    if (program == "thread_server" || program == "fork_server")
        return {"--backlog", "128"};
    return {};
}

const std::vector<std::string> kConcurrentModels{"select_server", "poll_server", "epoll_server", "thread_server", "fork_server"};

}  // namespace models

// ---- every concurrent model -------------------------------------------------------------------------

TEST_CASE("models: 50 concurrent clients answered while a stalled client sits on the server, SIGTERM exits 0",
          "[models][interop]")
{
    for (const auto& program : models::kConcurrentModels) {
        DYNAMIC_SECTION(program)
        {
            auto args = models::burst_args(program);
            args.push_back("--quiet");  // a 16 MB stream of log lines would fill the test's pipe
            if (program != "thread_server" && program != "fork_server")
                args.insert(args.end(), {"--max-buffer", "67108864"});  // keep the staller: it must be there
            Server server(program, args);
            models::Staller staller(server.port, 16 << 20);
            staller.wait_sent(2 << 20);  // the server has its hands full of a client that never reads
            models::fifty_clients(server.port);
            CHECK_FALSE(staller.has_failed());                     // ...and that client is still connected, its answers unread
            const auto children = descendants(server.proc.pid());  // fork_server's children (their own are none)
            server.stop(SIGTERM);
            for (const auto& [pid, state] : children)  // fork_server stopped and collected every child
                CHECK_FALSE(models::process_exists(pid));
        }
    }
}

// One test case per model, so that ctest -j runs them side by side.
#define MODELS_FD_TEST(program, count)                                                                     \
    TEST_CASE(program ": descriptor count back where it started after " #count " connections", "[models]") \
    {                                                                                                      \
        Server server(program, {"--quiet"});                                                               \
        const int before = open_fd_count(server.proc.pid());                                               \
        const auto tree = models::pids_below(server.proc.pid());                                           \
        models::many_connections(server.port, count);                                                      \
        CHECK(eventually([&] { return open_fd_count(server.proc.pid()) == before; }));                     \
        CHECK(eventually([&] { return models::pids_below(server.proc.pid()) == tree; }));                  \
        server.stop();                                                                                     \
    }
MODELS_FD_TEST("blocking_server", 10000)
MODELS_FD_TEST("select_server", 10000)
MODELS_FD_TEST("poll_server", 10000)
MODELS_FD_TEST("epoll_server", 10000)
MODELS_FD_TEST("thread_server", 10000)
MODELS_FD_TEST("fork_server", 2000)  // a fork per connection, about 0.5 ms each: 2,000 keeps it short

TEST_CASE("models: non-blocking servers drop a client that never reads, past --max-buffer", "[models]")
{
    for (const std::string program : {"select_server", "poll_server", "epoll_server"}) {
        DYNAMIC_SECTION(program)
        {
            Server server(program, {"--max-buffer", "65536", "--quiet"});
            models::Staller staller(server.port, 256u << 20);  // far more than any kernel buffers hold
            staller.wait_failed();                             // dropped: its send() failed with EPIPE / ECONNRESET
            CHECK_FALSE(server.proc.expect_err_line("does not read: over 65536 bytes queued, dropped").empty());
            models::Conn other(server.port);  // and the server goes on serving
            other.send("still here\n");
            CHECK(other.recv(11) == "STILL HERE\n");
            server.stop(SIGINT);
        }
    }
}

TEST_CASE("models: past --max-clients a newcomer is closed with a log line, the others go on", "[models]")
{
    for (const auto& program : models::kConcurrentModels) {
        DYNAMIC_SECTION(program)
        {
            Server server(program, {"--max-clients", "2", "--quiet"});
            models::Conn a(server.port), b(server.port);
            a.send("a");  // answered: a is being served before c arrives (accepted in order a, b, c)
            CHECK(a.recv(1) == "A");
            b.send("b");
            CHECK(b.recv(1) == "B");
            models::Conn c(server.port);
            const std::string logged = server.proc.expect_err_line("too many clients");
            CHECK(logged.rfind(program + ": client ('127.0.0.1', ", 0) == 0);
            CHECK(logged.ends_with("): too many clients (--max-clients 2), closed"));
            CHECK(c.recv(1).empty());  // closed without a word
            a.send("still a");
            CHECK(a.recv(7) == "STILL A");
            a.close();
            b.close();
            server.stop();
        }
    }
}

TEST_CASE("select_server: a client whose descriptor would be FD_SETSIZE or more is turned away", "[models][select]")
{
    // select_server keeps the soft descriptor limit it inherits: give it room past 1024.
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 2048)
        NETLAB_SKIP("the hard limit on open files (" + std::to_string(saved.rlim_max) + ") leaves no room past FD_SETSIZE");
    rlimit roomy = saved;
    roomy.rlim_cur = 2048;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &roomy) == 0);
    {
        Server server("select_server", {"--quiet"});
        std::vector<std::unique_ptr<models::Conn>> conns;
        for (int i = 0; i < FD_SETSIZE + 8; ++i)  // more clients than descriptors below FD_SETSIZE
            conns.push_back(std::make_unique<models::Conn>(server.port));
        const std::string logged = server.proc.expect_err_line("FD_SETSIZE");
        CHECK(logged.rfind("select_server: client ('127.0.0.1', ", 0) == 0);
        CHECK(logged.ends_with("): descriptor 1024 is beyond select()'s FD_SETSIZE, closed"));
        CHECK(conns.back()->recv(1).empty());  // the last to connect got no descriptor below 1024
        conns.front()->send("first");
        CHECK(conns.front()->recv(5) == "FIRST");  // those that fit are served as ever
        conns.clear();
        server.stop();
    }
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

// ---- blocking_server: the problem ---------------------------------------------------------------------

TEST_CASE("blocking_server: transcript of one client, UTF-8 letter split across two reads", "[models][blocking]")
{
    Server server("blocking_server");
    {
        models::Conn c(server.port);
        const std::string name = server.proc.expect_line("Connection from ('127.0.0.1', ");
        const std::string addr = name.substr(std::strlen("Connection from "), name.size() - std::strlen("Connection from ") - 1);
        CHECK(name.back() == '.');
        c.send("hello\n");
        CHECK(c.recv(6) == "HELLO\n");
        CHECK(server.proc.expect_line(addr + ": hello") == addr + ": hello");
        c.send("\xd0\xbf\xd1");          // "п" and half of "р"
        CHECK(c.recv(2) == "\xd0\x9f");  // "П": the half letter waits for the rest
        c.send("\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n");
        CHECK(c.recv(11) == "\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2\n");  // "РИВЕТ\n"
        c.close();
        CHECK(server.proc.expect_line(" left us") == addr + " left us");
    }
    server.stop(SIGINT);
}

TEST_CASE("blocking_server: a stalled first client starves the second (the lecture's problem)", "[models][blocking]")
{
    Server server("blocking_server", {"--quiet"});   // 16 MB of log lines would fill our pipe
    models::Staller staller(server.port, 16 << 20);  // first in the backlog: accepted first
    staller.wait_sent(2 << 20);                      // the server is busy with it, soon stuck sending answers nobody reads

    models::Conn second(server.port);  // connected: the kernel completed the handshake...
    second.send("second\n");
    CHECK_FALSE(second.readable(500ms));  // ...but nobody answers while the first one is there

    staller.close();  // the first client leaves: only now is the second one served
    CHECK(second.recv(7) == "SECOND\n");
    CHECK(server.proc.expect_err_line("blocking_server: client ('127.0.0.1', ").find(": send: ") != std::string::npos);
    server.stop();
}

// ---- the log lines of each model (the lectures' strings) -----------------------------------------------

TEST_CASE("select_server: lecture 000's log lines", "[models][select]")
{
    Server server("select_server");
    models::Conn a(server.port), b(server.port);
    server.proc.expect_line("Connection from ('127.0.0.1', ");
    server.proc.expect_line("Connection from ('127.0.0.1', ");
    b.send("from b\n");
    CHECK(b.recv(7) == "FROM B\n");
    a.send("from a\n");
    CHECK(a.recv(7) == "FROM A\n");
    CHECK(server.proc.expect_line(": from b").find("('127.0.0.1', ") == 0);
    CHECK(server.proc.expect_line(": from a").find("('127.0.0.1', ") == 0);
    a.close();
    CHECK(server.proc.expect_line(" left us").find("('127.0.0.1', ") == 0);
    server.stop(SIGINT);
}

TEST_CASE("poll_server and epoll_server: lecture 002's log lines, positional <host> <port>", "[models][poll][epoll]")
{
    for (const std::string program : {"poll_server", "epoll_server"}) {
        DYNAMIC_SECTION(program)
        {
            const auto port = free_port();
            Process server({bin(program), "127.0.0.1", P(port)});
            CHECK(server.expect_line("Listening on") == "Listening on ('127.0.0.1', " + P(port) + ")");
            {
                models::Conn c(port);
                const std::string accepted = server.expect_line("Accepted connection from ");
                const std::string addr = accepted.substr(std::strlen("Accepted connection from "));
                c.send("Message 1 from client.");
                CHECK(c.recv(22) == "MESSAGE 1 FROM CLIENT.");
                CHECK(server.expect_line("Echoing ") == "Echoing b'MESSAGE 1 FROM CLIENT.' to " + addr);
                c.close();
                CHECK(server.expect_line("Closing connection to ") == "Closing connection to " + addr);
            }
            server.signal(SIGINT);
            CHECK(server.expect_line("Caught keyboard interrupt") == "Caught keyboard interrupt, exiting");
            CHECK(server.wait() == 0);
        }
    }
}

TEST_CASE("thread_server / thread_client: lecture 001's transcript, Ctrl-C joins every thread", "[models][thread]")
{
    Server server("thread_server");
    CHECK(server.proc.expect_line("Server is up") == "Server is up");
    auto c = run({bin("thread_client"), "--port", P(server.port)});
    CHECK(c.code == 0);
    INFO(c.out);
    CHECK(c.out.rfind("Received: PYTHON CLIENT ", 0) == 0);
    const int n = std::atoi(c.out.c_str() + std::strlen("Received: PYTHON CLIENT "));
    CHECK((n >= 1 && n <= 1000));
    CHECK(c.out == "Received: PYTHON CLIENT " + std::to_string(n) + "\n");
    CHECK(server.proc.expect_line("Connection from address ('127.0.0.1', ").size() > 0);
    CHECK(server.proc.expect_line("Received ") == "Received Python client " + std::to_string(n));
    CHECK(server.proc.expect_line("Closed connection from ('127.0.0.1', ").size() > 0);

    auto named = run({bin("thread_client"), "--port", P(server.port), "--name", "привет"});
    CHECK(named.out == "Received: ПРИВЕТ\n");

    models::Conn idle(server.port);  // a client still connected when Ctrl-C comes
    server.proc.expect_line("Connection from address");
    server.proc.signal(SIGINT);
    CHECK(server.proc.expect_line("Server is down") == "Server is down");
    CHECK(server.proc.wait() == 0);
    CHECK(idle.recv(1).empty());  // its thread closed the connection on the way out
}

TEST_CASE("thread_server: a client that vanished without FIN or RST is shed in seconds, not at --timeout (root)",
          "[models][thread][root]")
{
    // The descriptor seen "held for minutes" after a burst of 300 connections: a half-open
    // connection waiting out --timeout (300 s). Keepalive probes end it in about 5 s.
    Server server("thread_server");
    server.proc.expect_line("Server is up");
    const int baseline = open_fd_count(server.proc.pid());
    if (!vanish_without_a_trace(server.port))
        NETLAB_SKIP("a half-open connection is made with TCP_REPAIR, which needs root (CAP_NET_ADMIN)");
    CHECK(server.proc.expect_line("Connection from address").size() > 0);
    CHECK(server.proc.expect_err_line("thread_server: client ")
              .ends_with("recv: Connection reset by peer (errno 104, ECONNRESET)"));
    CHECK(eventually([&] { return open_fd_count(server.proc.pid()) == baseline; }, 5s));
    server.stop();
}

TEST_CASE("fork_server: lecture 003's transcript, each child collected on SIGCHLD", "[models][fork]")
{
    Server server("fork_server");
    CHECK(server.proc.expect_line("Starting up echo server on 127.0.0.1 port") ==
          "Starting up echo server on 127.0.0.1 port " + P(server.port));
    server.proc.expect_line("Waiting to receive message from client");
    const auto tree = models::pids_below(server.proc.pid());
    std::set<std::string> children;
    for (int i = 0; i < 3; ++i) {
        models::Conn c(server.port);
        // The parent goes back to "Waiting to receive message from client" before the child
        // prints, so lines of parent and child interleave: expect only what is ordered.
        server.proc.expect_line("Client connected from ('127.0.0.1', ");
        c.send("hello\n");
        CHECK(c.recv(6) == "HELLO\n");
        CHECK(server.proc.expect_line("Data: ") == "Data: b'hello\\n'");
        CHECK(server.proc.expect_line("sent ") == "sent 6 bytes back");
        c.close();
        const std::string reaped = server.proc.expect_line("Child pid ");
        CHECK(reaped.find(" exiting with code 0") != std::string::npos);
        children.insert(reaped);
    }
    CHECK(children.size() == 3);
    CHECK(eventually([&] { return models::pids_below(server.proc.pid()) == tree; }));
    server.stop();
}

TEST_CASE("fork_server --no-reap: the children stay zombies until the server exits", "[models][fork]")
{
    Server server("fork_server", {"--no-reap"});
    for (int i = 0; i < 3; ++i) {
        models::Conn c(server.port);
        c.send("hi\n");
        CHECK(c.recv(3) == "HI\n");
    }
    std::map<pid_t, char> zombies;
    CHECK(eventually([&] {
        zombies.clear();
        for (const auto& [pid, state] : descendants(server.proc.pid()))
            if (state == 'Z')
                zombies[pid] = state;
        return zombies.size() == 3;
    }));
    CHECK(server.proc.out().find("Child pid") == std::string::npos);  // nobody collected them
    server.stop();
    for (const auto& [pid, state] : zombies)
        CHECK_FALSE(models::process_exists(pid));  // collected on the way out
}

// ---- clients ------------------------------------------------------------------------------------------

TEST_CASE("multiconn_client: lecture 002's transcript against epoll_server, positional arguments", "[models][multiconn]")
{
    Server server("epoll_server", {"--quiet"});
    auto r = run({bin("multiconn_client"), "127.0.0.1", P(server.port), "3"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    for (int id = 1; id <= 3; ++id) {
        const std::string n = std::to_string(id);
        CHECK(r.out.find("Starting connection " + n + " to ('127.0.0.1', " + P(server.port) + ")\n") != std::string::npos);
        CHECK(r.out.find("Sending b'Message 1 from client.' to connection " + n + "\n") != std::string::npos);
        CHECK(r.out.find("Sending b'Message 2 from client.' to connection " + n + "\n") != std::string::npos);
        CHECK(r.out.find("Closing connection " + n + "\n") != std::string::npos);
        // The answer may come in pieces: glue together what connection n received.
        std::string got;
        const std::string tail = "' from connection " + n + "\n";
        for (std::size_t at = 0; (at = r.out.find("Received b'", at)) != std::string::npos; ++at) {
            const auto end = r.out.find('\n', at);
            const std::string line = r.out.substr(at, end - at + 1);
            if (line.size() > tail.size() && line.compare(line.size() - tail.size(), tail.size(), tail) == 0)
                got += line.substr(std::strlen("Received b'"), line.size() - std::strlen("Received b'") - tail.size());
        }
        CHECK(got == "MESSAGE 1 FROM CLIENT.MESSAGE 2 FROM CLIENT.");
    }
    server.stop();
}

TEST_CASE("multiconn_client: refused connections are reported, exit 1", "[models][multiconn]")
{
    auto r = run({bin("multiconn_client"), "127.0.0.1", P(free_port()), "2"});
    CHECK(r.code == 1);
    CHECK(r.err.find("multiconn_client: connection 1: connect: Connection refused (errno 111, ECONNREFUSED)") !=
          std::string::npos);
    CHECK(r.err.find("multiconn_client: connection 2: connect: ") != std::string::npos);
}

TEST_CASE("multiconn_client against the lecture's own multiconn-server.py (echo)", "[models][multiconn][interop]")
{
    const auto port = free_port();
    Process py({tool("python3"), models::script("lesson04_models_multiconn_server.py"), "127.0.0.1", P(port)});
    py.expect_line("Listening on ('127.0.0.1', " + P(port) + ")");
    auto r = run({bin("multiconn_client"), "127.0.0.1", P(port), "2"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("Received b'Message 1 from client.") != std::string::npos);
    CHECK(r.out.find("Closing connection 2\n") != std::string::npos);
    py.expect_line("Closing connection to ('127.0.0.1', ");
    py.expect_line("Closing connection to ('127.0.0.1', ");
    py.signal(SIGINT);
    CHECK(py.expect_line("Caught keyboard interrupt") == "Caught keyboard interrupt, exiting");
    py.wait();
}

TEST_CASE("multiconn: the lecture's own multiconn-client.py against poll_server and epoll_server", "[models][multiconn][interop]")
{
    for (const std::string program : {"poll_server", "epoll_server"}) {
        DYNAMIC_SECTION(program)
        {
            Server server(program);
            auto r = run(
                {tool("python3"), models::script("lesson04_models_multiconn_client.py"), "127.0.0.1", P(server.port), "3"});
            INFO(r.out << r.err);
            CHECK(r.code == 0);
            for (const std::string n : {"1", "2", "3"})
                CHECK(r.out.find("Closing connection " + n + "\n") != std::string::npos);
            CHECK(r.out.find("Received b'MESSAGE 1 FROM CLIENT.") != std::string::npos);
            for (int i = 0; i < 3; ++i)
                server.proc.expect_line("Closing connection to ('127.0.0.1', ");
            server.stop();
        }
    }
}

TEST_CASE("keyboard_threads: prints the last key until the next one, q quits", "[models][keyboard]")
{
    Process kb({bin("keyboard_threads"), "--interval", "2"});
    kb.write("a");
    CHECK(kb.expect_line("aaaaaaaaaa").find("aaaaaaaaaa") != std::string::npos);
    kb.write("ж");  // a two-byte key
    CHECK(kb.expect_line("жжжжж").find("жжжжж") != std::string::npos);
    kb.write("q");
    CHECK(kb.wait() == 0);
}

TEST_CASE("keyboard_threads in a real (pseudo) terminal: keys at once, no echo, settings restored on q and on Ctrl-C",
          "[models][keyboard][interop]")
{
    for (const std::string ending : {"q", "sigint"}) {
        auto r = run({tool("python3"), models::script("lesson04_models_pty.py"), bin("keyboard_threads"), ending});
        if (r.code == 77)
            NETLAB_SKIP(r.out);
        INFO(ending << ": " << r.out << r.err);
        CHECK(r.code == 0);
        CHECK(r.out == "ok\n");
    }
}

TEST_CASE("keyboard_threads: nothing printed before the first key, end of input quits", "[models][keyboard]")
{
    auto r = run({bin("keyboard_threads"), "--interval", "1"}, "");
    CHECK(r.code == 0);
    CHECK(r.out.empty());
}

// ---- the bench --------------------------------------------------------------------------------------

TEST_CASE("multiconn_bench: reports held/served connections, requests, latency", "[models][bench]")
{
    Server server("epoll_server", {"--quiet"});
    auto r = run({bin("multiconn_bench"), "--connections", "20", "--idle", "5", "--duration", "1", "127.0.0.1", P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("multiconn_bench: 127.0.0.1:" + P(server.port) + ", 20 + 5 idle connections, 1 s, 32-byte requests\n", 0) ==
          0);
    CHECK(r.out.find("connections  25 held, 20 served, 0 not held\n") != std::string::npos);
    CHECK(r.out.find("errors       0\n") != std::string::npos);
    long requests = 0;
    CHECK(std::sscanf(r.out.c_str() + r.out.find("requests     "), "requests     %ld", &requests) == 1);
    CHECK(requests >= 20);  // every connection was answered at least once
    CHECK(r.out.find("latency      p50 ") != std::string::npos);
    server.stop();
}

TEST_CASE("multiconn_bench: blocking_server holds every connection but serves one", "[models][bench][blocking]")
{
    Server server("blocking_server", {"--quiet"});
    auto r = run(
        {bin("multiconn_bench"), "--connections", "5", "--duration", "1", "--row", "blocking", "127.0.0.1", P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("| blocking | 5 | 5 | 1 | ", 0) == 0);
    server.stop();
}

TEST_CASE("multiconn_bench --csv: one line, the columns bench_models.sh charts", "[models][bench]")
{
    Server server("epoll_server", {"--quiet"});
    auto r = run({bin("multiconn_bench"), "--connections", "20", "--idle", "5", "--duration", "1", "--csv", "epoll", "127.0.0.1",
                  P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    // label,clients,idle,held,served,requests_per_s,p50_ms,p99_ms,errors
    CHECK(std::regex_match(r.out, std::regex(R"(epoll,20,5,25,20,[0-9]+,[0-9]+\.[0-9]{3},[0-9]+\.[0-9]{3},"0"\n)")));
    server.stop();
}

TEST_CASE("multiconn_bench --sources: connections come from 127.0.0.1, .2, .3", "[models][bench]")
{
    Server server("epoll_server", {});
    auto r = run({bin("multiconn_bench"), "--connections", "6", "--sources", "3", "--duration", "1", "--trace", "127.0.0.1",
                  P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("connections  6 held, 6 served, 0 not held\n") != std::string::npos);
    CHECK(contains(r.err, ", 127.0.0.3:0) = 0 (IP_BIND_ADDRESS_NO_PORT: connect() picks the port)\n"));
    for (const std::string source : {"127.0.0.1", "127.0.0.2", "127.0.0.3"})
        CHECK_FALSE(server.proc.expect_line("Accepted connection from ('" + source + "', ").empty());
    server.stop();
}

TEST_CASE("multiconn_bench --app: lecture 002's protocol against app_server, a connection per request", "[models][bench][app]")
{
    Server server("app_server", {});
    auto r = run({bin("multiconn_bench"), "--app", "--connections", "4", "--duration", "1", "127.0.0.1", P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("multiconn_bench: 127.0.0.1:" + P(server.port) + ", 4 connections, 1 s, lecture 002 search requests\n",
                      0) == 0);
    CHECK(r.out.find("connections  4 held, 4 served, 0 not held\n") != std::string::npos);
    CHECK(r.out.find("errors       0\n") != std::string::npos);
    long requests = 0;
    CHECK(std::sscanf(r.out.c_str() + r.out.find("requests     "), "requests     %ld", &requests) == 1);
    CHECK(requests > 4);  // each connection made more than one request: it reconnected
    CHECK_FALSE(server.proc.expect_line("Received request {'action': 'search', 'value': 'morpheus'} from ").empty());
    server.stop();
}

TEST_CASE("multiconn_bench --app: a server that does not speak the protocol is an error per connection", "[models][bench][app]")
{
    // epoll_server uppercases the JSON header: {"BYTEORDER": ...} has no content-length.
    Server server("epoll_server", {"--quiet"});
    auto r = run({bin("multiconn_bench"), "--app", "--connections", "3", "--duration", "1", "127.0.0.1", P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.out.find("connections  0 held, 0 served, 3 not held\n") != std::string::npos);
    CHECK(r.out.find("errors       3 (recv (not the application protocol): EBADMSG x3)\n") != std::string::npos);
    server.stop();
}

TEST_CASE("multiconn_bench: nobody listening → every connection refused, exit 1", "[models][bench]")
{
    auto r = run({bin("multiconn_bench"), "--connections", "3", "--duration", "1", "127.0.0.1", P(free_port())});
    CHECK(r.code == 1);
    CHECK(r.out.find("connections  0 held, 0 served, 3 not held\n") != std::string::npos);
    CHECK(r.out.find("errors       3 (connect: ECONNREFUSED x3)\n") != std::string::npos);
}

// ---- the command line ---------------------------------------------------------------------------------

TEST_CASE("models: --help (exit 0) and usage errors (exit 2)", "[models][cli]")
{
    for (const std::string program :
         {"blocking_server", "select_server", "poll_server", "epoll_server", "thread_server", "fork_server", "thread_client",
          "multiconn_client", "keyboard_threads", "multiconn_bench", "app_server", "app_client"}) {
        // --host listed even where host and port may also come positionally ([host] [port]).
        DYNAMIC_SECTION(program) { CHECK(contains(check_common_cli(program), "--host")); }
    }
}

TEST_CASE("models: a busy port is a runtime error (exit 1), extra or bad positional arguments a usage error", "[models][cli]")
{
    Server first("epoll_server", {"--quiet"});
    for (const std::string program : {"blocking_server", "select_server", "poll_server", "thread_server", "fork_server"}) {
        auto busy = run({bin(program), "--host", "127.0.0.1", "--port", P(first.port)});
        CHECK(busy.code == 1);
        CHECK(busy.err.find("bind(127.0.0.1:" + P(first.port) + "): Address already in use (errno 98, EADDRINUSE)") !=
              std::string::npos);
    }
    auto extra = run({bin("multiconn_client"), "127.0.0.1", "1", "2", "3"});
    CHECK(extra.code == 2);
    auto zero = run({bin("multiconn_client"), "127.0.0.1", "1", "0"});
    CHECK(zero.code == 2);
    first.stop();
}

TEST_CASE("models over IPv6 ::1", "[models][ipv6]")
{
    const auto port = free_port();
    Process server({bin("epoll_server"), "::1", P(port)});
    CHECK(server.expect_line("Listening on") == "Listening on ('::1', " + P(port) + ")");
    auto r = run({bin("multiconn_client"), "::1", P(port), "2"});
    CHECK(r.code == 0);
    CHECK(server.expect_line("Accepted connection from ('::1', ").size() > 0);
    auto t = run({bin("thread_client"), "--host", "::1", "--port", P(port), "--name", "v6"});
    CHECK(t.out == "Received: V6\n");
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
}

// ==== Part 2: the application protocol (lecture 002) and the practice tasks (lecture 001) ====

namespace app_tests {

using namespace netlab::test;

std::string addr_of(std::uint16_t port) { return "('127.0.0.1', " + P(port) + ")"; }

// The lecture's Python programs live next to this file (found from the source tree, also in
// grader mode, where only the programs under test come from NETLAB_BIN_DIR).
std::string script(const std::string& name) { return (std::filesystem::path(__FILE__).parent_path() / name).string(); }

// Our transcripts print the header as Python would on this machine: "little" on x86 and ARM.
// On a big-endian machine the header is 3 bytes shorter ("big").
std::string native(std::string line)
{
    if constexpr (std::endian::native == std::endian::big) {
        for (auto [le, be] :
             {std::pair<std::string, std::string>{"\\x00g{\"byteorder\": \"little\"", "\\x00d{\"byteorder\": \"big\""},
              {"\\x00\\x7f{\"byteorder\": \"little\"", "\\x00|{\"byteorder\": \"big\""}})
            if (auto at = line.find(le); at != std::string::npos)
                line.replace(at, le.size(), be);
    }
    return line;
}

// Replaces every ('127.0.0.1', 12345) whose port is a client's with ADDR, to compare two servers'
// transcripts line by line.
std::string without_client_ports(const std::string& text, std::uint16_t server_port)
{
    static const std::regex addr(R"(\('127\.0\.0\.1', (\d+)\))");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), addr);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        out += text.substr(last, it->position() - last);
        out += (*it)[1] == P(server_port) ? it->str() : "ADDR";
        last = it->position() + it->length();
    }
    return out + text.substr(last);
}

// One message of the protocol, built here independently of the programs under test.
std::string frame(const std::string& jsonheader, const std::string& content)
{
    std::string m;
    m += static_cast<char>(jsonheader.size() >> 8);
    m += static_cast<char>(jsonheader.size() & 0xFF);
    return m + jsonheader + content;
}
std::string header(const std::string& type, const std::string& encoding, std::size_t length)
{
    return R"({"byteorder": "little", "content-type": ")" + type + R"(", "content-encoding": ")" + encoding +
           R"(", "content-length": )" + std::to_string(length) + "}";
}
std::string json_request(const std::string& content) { return frame(header("text/json", "utf-8", content.size()), content); }

// A raw TCP client: sends exactly what it is told, and can vanish in either way a peer can.
class Sock {
public:
    explicit Sock(std::uint16_t port, const std::string& host = "127.0.0.1")
    {
        const bool v6 = host.find(':') != std::string::npos;
        fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_storage ss{};
        socklen_t len;
        if (v6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(port);
            ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
            len = sizeof *a;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_port = htons(port);
            ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
            len = sizeof *a;
        }
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) == 0);
        sockaddr_in6 local{};
        socklen_t llen = sizeof local;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &llen);
        local_port_ = ntohs(local.sin6_port);  // sin_port sits at the same offset
    }
    Sock(const Sock&) = delete;
    Sock& operator=(const Sock&) = delete;
    ~Sock() { close(); }

    // How the server prints us.
    std::string addr() const { return addr_of(local_port_); }

    void send(std::string_view data)
    {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            REQUIRE(n > 0);
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    void shut_wr() { ::shutdown(fd_, SHUT_WR); }
    void close()
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    // Vanish abruptly: SO_LINGER 0 makes close() send a reset instead of a FIN.
    void reset()
    {
        linger lg{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close();
    }

    // Everything until the server closes (EOF or reset); fails if it does not close in time.
    std::string read_to_close(Ms deadline = kDeadline)
    {
        std::string data;
        while (read_some(data, deadline))
            ;
        return data;
    }
    // One '\n'-terminated line (without the '\n').
    std::string read_line(Ms deadline = kDeadline)
    {
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            if (!read_some(buffer_, deadline))
                FAIL("connection closed before a whole line; got: " << buffer_);
        }
    }

private:
    // false at EOF or reset
    bool read_some(std::string& into, Ms deadline)
    {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(deadline.count()));
        if (ready == 0)
            FAIL("the server neither answered nor closed within " << deadline.count() << " ms; got: " << into);
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        into.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::uint16_t local_port_ = 0;
    std::string buffer_;
};

// app_server started as the lecture starts it, `app_server <host> <port> [options]`; listening
// when the constructor returns.
struct AppServer {
    std::uint16_t port = free_port();
    Process proc;
    explicit AppServer(std::vector<std::string> args = {}, const std::string& host = "127.0.0.1")
        : proc(argv(std::move(args), host))
    {
        wait_listening(port);
    }
    std::vector<std::string> argv(std::vector<std::string> args, const std::string& host) const
    {
        args.insert(args.begin(), {bin("app_server"), host, P(port)});
        return args;
    }
    void stop(int sig = SIGTERM)
    {
        proc.signal(sig);
        CHECK(proc.wait() == 0);
    }
};

Result app_client(std::uint16_t port, const std::string& action, const std::string& value, const std::string& host = "127.0.0.1")
{
    return run({bin("app_client"), host, P(port), action, value});
}

// Lines with ADDR standing for the server's address, as one transcript.
// port 0: leave ADDR as it is (a server's transcript, its clients' ports made ADDR).
std::string lines(std::uint16_t port, const std::vector<std::string>& text)
{
    std::string out;
    for (std::string line : text) {
        for (std::size_t at; port && (at = line.find("ADDR")) != std::string::npos;)
            line.replace(at, 4, addr_of(port));
        out += native(line) + "\n";
    }
    return out;
}

// What the client prints, and what the server prints for the same request (ADDR: the client).
struct Exchange {
    std::string action, value;
    std::vector<std::string> client;
    std::vector<std::string> server;
};

const std::vector<Exchange>& lecture_exchanges()
{
    static const std::vector<Exchange> all = {
        {"search",
         "morpheus",
         {"Starting connection to ADDR",
          R"(Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 41}{"action": "search", "value": "morpheus"}' to ADDR)",
          "Received response {'result': 'Follow the white rabbit. \U0001F430'} from ADDR",
          "Got result: Follow the white rabbit. \U0001F430", "Closing connection to ADDR"},
         {"Accepted connection from ADDR", "Received request {'action': 'search', 'value': 'morpheus'} from ADDR",
          R"(Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 43}{"result": "Follow the white rabbit. \xf0\x9f\x90\xb0"}' to ADDR)",
          "Closing connection to ADDR"}},
        {"search",
         "\U0001F436",
         {"Starting connection to ADDR",
          R"(Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 37}{"action": "search", "value": "\xf0\x9f\x90\xb6"}' to ADDR)",
          "Received response {'result': '\U0001F43E Playing ball! \U0001F3D0'} from ADDR",
          "Got result: \U0001F43E Playing ball! \U0001F3D0", "Closing connection to ADDR"},
         {"Accepted connection from ADDR", "Received request {'action': 'search', 'value': '\U0001F436'} from ADDR",
          R"(Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 37}{"result": "\xf0\x9f\x90\xbe Playing ball! \xf0\x9f\x8f\x90"}' to ADDR)",
          "Closing connection to ADDR"}},
        {"search",
         "needle",
         {"Starting connection to ADDR",
          R"(Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 39}{"action": "search", "value": "needle"}' to ADDR)",
          R"(Received response {'result': 'No match for "needle".'} from ADDR)", R"(Got result: No match for "needle".)",
          "Closing connection to ADDR"},
         {"Accepted connection from ADDR", "Received request {'action': 'search', 'value': 'needle'} from ADDR",
          R"(Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 38}{"result": "No match for \\"needle\\"."}' to ADDR)",
          "Closing connection to ADDR"}},
        {"binary",
         "\U0001F603",
         {"Starting connection to ADDR",
          R"(Sending b'\x00\x7f{"byteorder": "little", "content-type": "binary/custom-client-binary-type", "content-encoding": "binary", "content-length": 10}binary\xf0\x9f\x98\x83' to ADDR)",
          "Received binary/custom-server-binary-type response from ADDR",
          R"(Got response: b'First 10 bytes of request: binary\xf0\x9f\x98\x83')", "Closing connection to ADDR"},
         {"Accepted connection from ADDR", "Received binary/custom-client-binary-type request from ADDR",
          R"(Sending b'\x00\x7f{"byteorder": "little", "content-type": "binary/custom-server-binary-type", "content-encoding": "binary", "content-length": 37}First 10 bytes of request: binary\xf0\x9f\x98\x83' to ADDR)",
          "Closing connection to ADDR"}},
    };
    return all;
}

}  // namespace app_tests

// ============================================================================ app_server / app_client
using namespace app_tests;

TEST_CASE("app: every lecture request, client and server transcripts exact", "[app]")
{
    AppServer server;
    CHECK(server.proc.expect_line("Listening on") == "Listening on ('127.0.0.1', " + P(server.port) + ")");
    std::string expected_server = "Listening on ('127.0.0.1', " + P(server.port) + ")\n";
    for (const auto& x : lecture_exchanges()) {
        INFO(x.action << " " << x.value);
        auto c = app_client(server.port, x.action, x.value);
        CHECK(c.code == 0);
        CHECK(c.out == lines(server.port, x.client));
        CHECK(c.err.empty());
        server.proc.expect_line("Closing connection to");
        expected_server += lines(0, x.server);
    }
    CHECK(without_client_ports(server.proc.out(), server.port) == expected_server);
    server.stop(SIGINT);
    CHECK(server.proc.out().find("Caught keyboard interrupt, exiting\n") != std::string::npos);
}

TEST_CASE("app: a JSON request with another action gets the lecture's error result", "[app]")
{
    AppServer server;
    Sock s(server.port);
    s.send(json_request(R"({"action": "find", "value": "x"})"));
    const std::string reply = s.read_to_close();
    const std::string content = R"({"result": "Error: invalid action 'find'."})";
    CHECK(reply.substr(reply.size() - content.size()) == content);
    CHECK(server.proc.expect_line("Received request") == "Received request {'action': 'find', 'value': 'x'} from " + s.addr());
}

TEST_CASE("app: a message split into single bytes, and a client that half-closes after it", "[app]")
{
    AppServer server;
    Sock s(server.port);
    const std::string msg = json_request(R"({"action": "search", "value": "morpheus"})");
    for (char byte : msg)
        s.send(std::string(1, byte));  // many recv()s on the server side, however they batch
    s.shut_wr();                       // as `nc -N` does: EOF after a whole request is fine
    const std::string reply = s.read_to_close();
    CHECK(reply.find(R"({"result": "Follow the white rabbit. )") != std::string::npos);
    CHECK(server.proc.expect_line("Received request") ==
          "Received request {'action': 'search', 'value': 'morpheus'} from " + s.addr());
    CHECK(server.proc.expect_line("Closing") == "Closing connection to " + s.addr());
}

namespace app_tests {
enum class Then { nothing, half_close, close, reset };
struct BadCase {
    const char* what;
    std::string bytes;
    Then then;
    std::string reason;  // the logged reason: exactly, or its beginning when it ends in "..."
};
}  // namespace app_tests

TEST_CASE("app: malformed input closes only that connection, with a logged reason, while the others go on", "[app]")
{
    AppServer server({"--max-content", "1000"});
    const std::string search = json_request(R"({"action": "search", "value": "morpheus"})");  // 41 content bytes
    const std::vector<BadCase> cases = {
        {"header length over the limit", std::string("\xff\xff", 2), Then::nothing,
         "JSON header length 65535 is over the limit of 4096 bytes"},
        {"invalid JSON header", frame("{nope", ""), Then::nothing, "invalid JSON header: parse error at line 1, column 3: ..."},
        {"header not an object", frame("[1, 2]", ""), Then::nothing, "JSON header is not an object: [1, 2]"},
        {"missing field", frame(R"({"byteorder": "little", "content-type": "text/json", "content-length": 2})", "{}"),
         Then::nothing, "Missing required header 'content-encoding'."},
        {"content-length not a number",
         frame(R"({"byteorder": "big", "content-type": "text/json", "content-encoding": "utf-8", "content-length": "2"})", "{}"),
         Then::nothing, R"(header 'content-length' must be a whole number of bytes, not "2")"},
        {"negative content-length",
         frame(R"({"byteorder": "little", "content-type": "binary/x", "content-encoding": "binary", "content-length": -1})", ""),
         Then::nothing, "header 'content-length' must be a whole number of bytes, not -1"},
        {"content-length over the limit", frame(header("binary/x", "binary", 5000), "abc"), Then::nothing,
         "content-length 5000 is over the limit of 1000 bytes"},
        {"content-length larger than sent, then EOF", frame(header("text/json", "utf-8", 41), R"({"act)"), Then::half_close,
         "Peer closed mid-message after 5 of 41 content bytes."},
        {"content-length smaller than sent", frame(header("binary/x", "binary", 3), "0123456789"), Then::nothing,
         "7 bytes after the end of the message (content-length 3 is shorter than what was sent)"},
        {"content-length smaller than the JSON sent", frame(header("text/json", "utf-8", 10), R"({"action": "search"})"),
         Then::nothing, "10 bytes after the end of the message (content-length 10 is shorter than what was sent)"},
        {"invalid JSON content", json_request(R"({"action": "search", "value": })"), Then::nothing,
         "invalid JSON: parse error at line 1, column 31: ..."},
        {"request not an object", json_request("[1]"), Then::nothing, "request is not a JSON object: [1]"},
        {"JSON in an encoding we cannot read", frame(header("text/json", "latin-1", 2), "{}"), Then::nothing,
         "unsupported content-encoding 'latin-1' for JSON"},
        {"vanishing mid-header (FIN)", search.substr(0, 30), Then::close,
         "Peer closed mid-message after 28 of 103 JSON header bytes."},
        {"vanishing mid-content (reset)", search.substr(0, 110), Then::reset,
         "recv: Connection reset by peer (errno 104, ECONNRESET)"},
        {"connecting and leaving without a word", "", Then::close, "Peer closed before sending a request."},
    };
    for (const auto& bad : cases) {
        INFO(bad.what);
        // A well-behaved client is in the middle of its own request the whole time.
        Sock bystander(server.port);
        bystander.send(search.substr(0, 50));
        server.proc.expect_line("Accepted connection from " + bystander.addr());

        Sock s(server.port);
        const std::string who = s.addr();
        s.send(bad.bytes);
        switch (bad.then) {
        case Then::nothing: break;
        case Then::half_close: s.shut_wr(); break;
        case Then::close: s.close(); break;
        case Then::reset: s.reset(); break;
        }
        // nlohmann-json's own wording after "column N: " differs between its versions.
        const std::string logged = server.proc.expect_line("Main: Error: Exception for " + who);
        const std::string expected = "Main: Error: Exception for " + who + ": " + bad.reason;
        if (expected.ends_with("..."))
            CHECK(logged.substr(0, expected.size() - 3) == expected.substr(0, expected.size() - 3));
        else
            CHECK(logged == expected);
        CHECK(server.proc.expect_line("Closing connection to ") == "Closing connection to " + who);
        if (bad.then == Then::nothing || bad.then == Then::half_close)
            CHECK(s.read_to_close().empty());  // closed by the server, and nothing was answered

        bystander.send(search.substr(50));
        const std::string reply = bystander.read_to_close();
        CHECK(reply.find("Follow the white rabbit.") != std::string::npos);
        server.proc.expect_line("Closing connection to " + bystander.addr());
    }
    CHECK(server.proc.running());
    server.stop();
}

// `[[[...]]]` n deep, and `{"a": {"a": ... 1}}` n deep: a few bytes a level, far inside the size limits.
std::string nested_arrays(std::size_t n) { return std::string(n, '[') + std::string(n, ']'); }
std::string nested_objects(std::size_t n)
{
    std::string text;
    for (std::size_t i = 0; i < n; ++i)
        text += R"({"a": )";
    return text + "1" + std::string(n, '}');
}

TEST_CASE("app: JSON nested 30,000 or 50,000 deep is refused like any malformed request, the server goes on", "[app]")
{
    // Before the depth limit, logging "Received request" recursed once a level and overflowed the stack.
    AppServer server;
    const std::string search = json_request(R"({"action": "search", "value": "morpheus"})");
    for (const std::string& value : {nested_arrays(30'000), nested_objects(50'000)}) {
        INFO(value.size() << " bytes of nested JSON");
        Sock s(server.port);
        const std::string who = s.addr();
        s.send(json_request(R"({"action": "search", "value": )" + value + "}"));
        CHECK(server.proc.expect_line("Main: Error: Exception for " + who) ==
              "Main: Error: Exception for " + who + ": invalid JSON: nested deeper than 64 levels");
        CHECK(s.read_to_close().empty());
        Sock next(server.port);  // and the next client is served as usual
        next.send(search);
        CHECK(next.read_to_close().find("Follow the white rabbit.") != std::string::npos);
    }
    CHECK(server.proc.running());
    // 64 levels are still fine: the limit refuses only what no real request needs.
    Sock deep_enough(server.port);
    deep_enough.send(json_request(R"({"action": "search", "value": )" + nested_arrays(63) + "}"));
    CHECK(deep_enough.read_to_close().find("No match for") != std::string::npos);
    server.stop();
}

TEST_CASE("app: --quiet prints no line per request, and still logs a broken one", "[app]")
{
    AppServer server({"--quiet"});
    Sock good(server.port);
    good.send(json_request(R"({"action": "search", "value": "morpheus"})"));
    CHECK(good.read_to_close().find("Follow the white rabbit.") != std::string::npos);
    Sock bad(server.port);
    const std::string who = bad.addr();
    bad.send(json_request("not json"));
    CHECK(server.proc.expect_line("Main: Error: Exception for ").rfind("Main: Error: Exception for " + who + ": ", 0) == 0);
    CHECK(bad.read_to_close().empty());
    server.stop();
    // The first line, the error, and the last: nothing about the request that went well.
    CHECK(server.proc.out().find("Accepted connection") == std::string::npos);
    CHECK(server.proc.out().find("Received request") == std::string::npos);
    CHECK(server.proc.out().find("Sending ") == std::string::npos);
    CHECK(server.proc.out().find("Closing connection") == std::string::npos);
}

TEST_CASE("app: a client stalled mid-message is timed out, and others are served meanwhile", "[app]")
{
    AppServer server({"--timeout", "0.5"});
    Sock stalled(server.port);
    stalled.send(frame(header("text/json", "utf-8", 41), R"({"act)"));  // and then nothing, never closing
    for (int i = 0; i < 3; ++i) {
        auto c = app_client(server.port, "search", "morpheus");
        CHECK(c.code == 0);
        CHECK(c.out.find("Got result: Follow the white rabbit.") != std::string::npos);
    }
    CHECK(server.proc.expect_line("Main: Error: Exception for " + stalled.addr()) ==
          "Main: Error: Exception for " + stalled.addr() + ": timed out after 0.5 s: stalled after 5 of 41 content bytes");
    CHECK(stalled.read_to_close().empty());
    server.stop();
}

TEST_CASE("app: 50 clients at once, each message in three pieces, interleaved, no descriptor left behind", "[app]")
{
    AppServer server;
    const int fds_before = open_fd_count(server.proc.pid());
    const std::string msg = json_request(R"({"action": "search", "value": "morpheus"})");
    std::vector<std::unique_ptr<Sock>> clients;
    for (int i = 0; i < 50; ++i)
        clients.push_back(std::make_unique<Sock>(server.port));
    for (auto [from, to] : {std::pair{0, 10}, std::pair{10, 60}, std::pair{60, 200}})
        for (auto& c : clients)
            c->send(msg.substr(from, to - from));
    for (auto& c : clients)
        CHECK(c->read_to_close().find(R"({"result": "Follow the white rabbit. )") != std::string::npos);
    CHECK(open_fd_count(server.proc.pid()) == fds_before);
    server.stop();
    const std::string& out = server.proc.out();
    CHECK(std::count(out.begin(), out.end(), '\n') == 1 + 50 * 4 + 1);  // Listening, 4 lines each, Caught...
    CHECK(out.find("Main: Error") == std::string::npos);
}

TEST_CASE("app: past --max-clients new connections wait in the backlog until one closes", "[app]")
{
    AppServer server({"--max-clients", "2"});
    const std::string msg = json_request(R"({"action": "search", "value": "morpheus"})");
    Sock a(server.port), b(server.port);
    server.proc.expect_line("Accepted connection from " + a.addr());
    server.proc.expect_line("Accepted connection from " + b.addr());
    Sock waiting(server.port);  // the kernel completes the handshake; the server does not accept yet
    waiting.send(msg);
    a.send(msg);
    CHECK(a.read_to_close().find("Follow the white rabbit.") != std::string::npos);
    CHECK(server.proc.expect_line("Closing connection to ") == "Closing connection to " + a.addr());
    // Only now is there room: the waiting client is accepted and served.
    CHECK(server.proc.expect_line("Accepted connection from ") == "Accepted connection from " + waiting.addr());
    CHECK(waiting.read_to_close().find("Follow the white rabbit.") != std::string::npos);
    b.send(msg);
    CHECK(b.read_to_close().find("Follow the white rabbit.") != std::string::npos);
    server.stop();
}

TEST_CASE("app: IPv6, --trace, usage and runtime errors", "[app]")
{
    {
        AppServer server({"--trace"}, "::1");
        CHECK(server.proc.expect_line("Listening on") == "Listening on ('::1', " + P(server.port) + ")");
        CHECK_FALSE(server.proc.expect_err_line("epoll_create1(EPOLL_CLOEXEC) = ").empty());
        CHECK_FALSE(server.proc.expect_err_line("epoll_ctl(").empty());
        auto c = app_client(server.port, "search", "morpheus", "::1");
        CHECK(c.code == 0);
        CHECK(c.out.find("Got result: Follow the white rabbit.") != std::string::npos);
        CHECK(server.proc.expect_line("Accepted connection from ('::1', ").find(", 0, 0)") != std::string::npos);
        CHECK(server.proc.expect_err_line("accept(").find(" from [::1]:") != std::string::npos);
        CHECK_FALSE(server.proc.expect_err_line("recv(").empty());
        CHECK_FALSE(server.proc.expect_err_line("send(").empty());
        server.stop();
    }
    auto missing = run({bin("app_client"), "127.0.0.1", "65432", "search"});
    CHECK(missing.code == 2);
    CHECK(missing.err == "app_client: usage: app_client <host> <port> <action> <value> (try --help)\n");
    auto bad_port = run({bin("app_server"), "127.0.0.1", "70000"});
    CHECK(bad_port.code == 2);
    CHECK(bad_port.err.find("--port must be a whole number from 0 to 65535") != std::string::npos);
    auto help = run({bin("app_client"), "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("<host> <port> <action> <value>") != std::string::npos);
    const auto port = free_port();
    auto refused = app_client(port, "search", "morpheus");
    CHECK(refused.code == 1);
    CHECK(refused.err == "app_client: connect(127.0.0.1:" + P(port) + "): Connection refused (errno 111, ECONNREFUSED)\n");
    AppServer first;
    auto in_use = run({bin("app_server"), "127.0.0.1", P(first.port)});
    CHECK(in_use.code == 1);
    CHECK(in_use.err == "app_server: bind(127.0.0.1:" + P(first.port) + "): Address already in use (errno 98, EADDRINUSE)\n");
}

TEST_CASE("app: a server that breaks the protocol is reported by app_client, exit 1", "[app]")
{
    const auto port = free_port();
    Process fake({tool("python3"), "-c",
                  "import socket,sys\n"
                  "deep = b'{\"result\": ' + b'[' * 30000 + b']' * 30000 + b'}'\n"
                  "head = ('{\"byteorder\": \"little\", \"content-type\": \"text/json\", \"content-encoding\": \"utf-8\", '\n"
                  "        '\"content-length\": %d}' % len(deep)).encode()\n"
                  "framed = len(head).to_bytes(2, 'big') + head + deep\n"
                  "with socket.create_server(('127.0.0.1', int(sys.argv[1]))) as s:\n"
                  "    for reply in (b'\\x00\\x05{nope', b'\\x00', framed):\n"
                  "        c, _ = s.accept()\n"
                  "        c.recv(4096)\n"
                  "        c.sendall(reply)\n"
                  "        c.close()\n",
                  P(port)});
    wait_listening(port);
    auto c = app_client(port, "search", "morpheus");
    CHECK(c.code == 1);
    CHECK(c.err.find("app_client: invalid JSON header: ") == 0);
    auto cut = app_client(port, "search", "morpheus");
    CHECK(cut.code == 1);
    CHECK(cut.err == "app_client: server closed the connection after 1 of 2 header-length bytes of the response\n");
    // {"result": [[[...]]]} nested 30,000 deep: refused, one line - it used to overflow the stack.
    auto deep = app_client(port, "search", "morpheus");
    CHECK(deep.code == 1);
    CHECK(deep.err == "app_client: invalid JSON: nested deeper than 64 levels\n");
    CHECK(fake.wait() == 0);
}

TEST_CASE("app: the lecture's Python client against app_server prints what app_client prints", "[app][interop]")
{
    AppServer server;
    for (const auto& x : lecture_exchanges()) {
        INFO(x.action << " " << x.value);
        auto py = run({tool("python3"), script("lesson04_app_client.py"), "127.0.0.1", P(server.port), x.action, x.value});
        CHECK(py.code == 0);
        CHECK(py.err.empty());
        CHECK(py.out == lines(server.port, x.client));
        server.proc.expect_line("Closing connection to");
    }
    server.stop();
}

TEST_CASE("app: app_client against the lecture's Python server, and both servers print the same transcript", "[app][interop]")
{
    const auto port = free_port();
    Process pyserver({tool("python3"), script("lesson04_app_server.py"), "127.0.0.1", P(port)});
    wait_listening(port);
    AppServer ours;
    for (const auto& x : lecture_exchanges()) {
        INFO(x.action << " " << x.value);
        auto c = app_client(port, x.action, x.value);
        CHECK(c.code == 0);
        CHECK(c.out == lines(port, x.client));
        pyserver.expect_line("Closing connection to");
        CHECK(app_client(ours.port, x.action, x.value).code == 0);
        ours.proc.expect_line("Closing connection to");
    }
    // Apart from the client ports and the first line's port, line for line the same.
    std::string py_out = without_client_ports(pyserver.out(), port);
    std::string our_out = without_client_ports(ours.proc.out(), ours.port);
    py_out.replace(py_out.find(P(port)), P(port).size(), "PORT");
    our_out.replace(our_out.find(P(ours.port)), P(ours.port).size(), "PORT");
    CHECK(our_out == py_out);
    pyserver.signal(SIGINT);  // KeyboardInterrupt, as in the lecture
    CHECK(pyserver.wait() == 0);
    CHECK(pyserver.out().find("Caught keyboard interrupt, exiting") != std::string::npos);
    ours.stop(SIGINT);
}

// ============================================================================ decrypt_server / decrypt_client
TEST_CASE("decrypt: client and server transcripts, the dictionary and the cipher", "[decrypt]")
{
    Server server("decrypt_server", {});
    CHECK(server.proc.expect_line("Server is up") == "Server is up");
    struct Case {
        std::vector<std::string> args;
        std::string sent, received;
    };
    const std::vector<Case> cases = {
        {{}, "['khoor', 'zruog']", "['hello', 'world']"},
        {{"тулеих", "плу", "фсних"}, "['тулеих', 'плу', 'фсних']", "['привет', 'мир', 'сокет']"},
        {{"--encrypt", "hello", "мир", "nonsense", "it's"},
         R"(['khoor', 'плу', 'qrqvhqvh', "lw'v"])",
         "['hello', 'мир', '?\?\?', '?\?\?']"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> argv{bin("decrypt_client"), "--port", P(server.port)};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        auto r = run(argv);
        CHECK(r.code == 0);
        CHECK(r.out == "Sending " + c.sent + "\nReceived " + c.received + "\n");
        const std::string who = server.proc.expect_line("Connection from address ").substr(24);
        CHECK(server.proc.expect_line("Received ") == "Received " + c.sent + " from " + who);
        CHECK(server.proc.expect_line("Sending ") == "Sending " + c.received + " to " + who);
        CHECK(server.proc.expect_line("Closed connection from ") == "Closed connection from " + who);
    }
    server.stop(SIGINT);
    CHECK(server.proc.expect_line("Server is down") == "Server is down");
}

TEST_CASE("decrypt: five clients connected at once are all served, a thread each", "[decrypt]")
{
    Server server("decrypt_server", {});
    const int fds_before = open_fd_count(server.proc.pid());
    std::vector<std::unique_ptr<Sock>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<Sock>(server.port));
        server.proc.expect_line("Connection from address " + clients.back()->addr());
    }
    // The last to connect asks first: nobody waits for the ones before it.
    for (int i = 4; i >= 0; --i) {
        clients[i]->send("[\"khoor\", \"" + std::string(i % 2 ? "zruog" : "тулеих") + "\"]\n");
        CHECK(clients[i]->read_line() == (i % 2 ? R"(["hello", "world"])" : R"(["hello", "привет"])"));
    }
    clients[0]->send("[\"vhfuhw\"]\n[]\n");  // one connection, several requests
    CHECK(clients[0]->read_line() == R"(["secret"])");
    CHECK(clients[0]->read_line() == "[]");
    for (auto& c : clients) {
        const std::string who = c->addr();
        c->close();
        server.proc.expect_line("Closed connection from " + who);
    }
    CHECK(server.proc.running());
    // Each finished thread is joined and its socket closed within half a second.
    CHECK(eventually([&] { return open_fd_count(server.proc.pid()) == fds_before; }));
    server.stop();
}

TEST_CASE("decrypt: a malformed or oversized line is answered or dropped alone", "[decrypt]")
{
    Server server("decrypt_server", {});
    struct Bad {
        std::string line, reply, logged;
    };
    const std::vector<Bad> cases = {
        {"garbage\n", R"({"error": "not JSON: expected a list of words such as [\"khoor\", \"zruog\"]"})",
         R"(not JSON: expected a list of words such as ["khoor", "zruog"])"},
        {"{\"words\": 1}\n", R"({"error": "not a list: {\"words\": 1}"})", R"(not a list: {"words": 1})"},
        {"[\"khoor\", 5]\n", R"({"error": "not a word: 5"})", "not a word: 5"},
        // 64,000 bytes, inside the line limit: printing it used to overflow the thread's stack.
        {nested_arrays(32'000) + "\n", R"({"error": "not a list of words: nested deeper than 64 levels"})",
         "not a list of words: nested deeper than 64 levels"},
        {std::string(70000, 'x'), "", "recv (line over 65536 bytes): Message too long (errno 90, EMSGSIZE)"},
    };
    for (const auto& bad : cases) {
        INFO(bad.logged);
        Sock bystander(server.port);
        bystander.send("[\"khoor\"]\n");
        CHECK(bystander.read_line() == R"(["hello"])");
        Sock s(server.port);
        const std::string who = s.addr();
        s.send(bad.line);
        CHECK(server.proc.expect_line("Error from " + who) == "Error from " + who + ": " + bad.logged);
        const std::string reply = s.read_to_close();
        CHECK(reply == (bad.reply.empty() ? "" : bad.reply + "\n"));
        bystander.send("[\"zruog\"]\n");  // still served, on the same connection
        CHECK(bystander.read_line() == R"(["world"])");
    }
    server.stop();
}

TEST_CASE("decrypt: a silent client is dropped after --timeout, others are served meanwhile", "[decrypt]")
{
    Server server("decrypt_server", {"--timeout", "0.5"});
    Sock silent(server.port);
    for (int i = 0; i < 3; ++i) {
        auto r = run({bin("decrypt_client"), "--port", P(server.port)});
        CHECK(r.code == 0);
        CHECK(r.out == "Sending ['khoor', 'zruog']\nReceived ['hello', 'world']\n");
    }
    CHECK(server.proc.expect_line("Error from " + silent.addr()) == "Error from " + silent.addr() + ": recv: timed out");
    CHECK(silent.read_to_close().empty());
    server.stop();
}

TEST_CASE("decrypt: Ctrl-C with clients connected joins every thread and exits 0", "[decrypt]")
{
    Server server("decrypt_server", {});
    std::vector<std::unique_ptr<Sock>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<Sock>(server.port));
        server.proc.expect_line("Connection from address " + clients.back()->addr());
    }
    server.stop(SIGINT);
    CHECK(server.proc.out().ends_with("Server is down\n"));
    for (auto& c : clients)
        CHECK(c->read_to_close().empty());
    auto usage = run({bin("decrypt_server"), "--max-clients", "0"});
    CHECK(usage.code == 2);
    CHECK(usage.err == "decrypt_server: --max-clients must be a whole number from 1 to 1000, not '0' (try --help)\n");
}

TEST_CASE("decrypt: a Python client speaks the same JSON lines", "[decrypt][interop]")
{
    Server server("decrypt_server", {});
    auto py = run({tool("python3"), "-c",
                   "import json,socket,sys\n"
                   "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as s:\n"
                   "    s.sendall((json.dumps(['khoor', 'тулеих', 'zzz']) + '\\n').encode())\n"
                   "    print(json.loads(s.makefile(encoding='utf-8').readline()))\n",
                   P(server.port)});
    CHECK(py.code == 0);
    CHECK(py.out == "['hello', 'привет', '?\?\?']\n");
    server.stop();
}

// ============================================================================ users_server / user_client
TEST_CASE("users: the server prints the list whenever a user comes or goes", "[users]")
{
    Server server("users_server", {});
    CHECK(server.proc.expect_line("Server is up") == "Server is up");
    auto user = [&](const std::string& name, const std::string& age) {
        return std::make_unique<Process>(std::vector<std::string>{bin("user_client"), "--port", P(server.port), name, age});
    };
    auto alice = user("Alice", "30");
    CHECK(alice->expect_line("Welcome") == "Welcome, Alice! Users online: 1");
    CHECK(server.proc.expect_line("User connected: ")
              .starts_with("User connected: User(name='Alice', age=30) from ('127.0.0.1', "));
    CHECK(server.proc.expect_line("Connected users: ") == "Connected users: [User(name='Alice', age=30)]");
    auto bob = user("Bob", "25");
    CHECK(bob->expect_line("Welcome") == "Welcome, Bob! Users online: 2");
    server.proc.expect_line("User connected: User(name='Bob', age=25)");
    CHECK(server.proc.expect_line("Connected users: ") ==
          "Connected users: [User(name='Alice', age=30), User(name='Bob', age=25)]");
    auto maria = user("Мария", "41");
    CHECK(maria->expect_line("Welcome") == "Welcome, Мария! Users online: 3");
    CHECK(server.proc.expect_line("Connected users: ") ==
          "Connected users: [User(name='Alice', age=30), User(name='Bob', age=25), User(name='Мария', age=41)]");

    alice->close_stdin();  // end of input: Alice leaves
    CHECK(alice->wait() == 0);
    CHECK(alice->out() == "Connected as User(name='Alice', age=30)\nWelcome, Alice! Users online: 1\n");
    CHECK(server.proc.expect_line("User disconnected: ") == "User disconnected: User(name='Alice', age=30)");
    CHECK(server.proc.expect_line("Connected users: ") ==
          "Connected users: [User(name='Bob', age=25), User(name='Мария', age=41)]");
    bob->write("\n");  // Enter: Bob leaves
    CHECK(bob->wait() == 0);
    CHECK(server.proc.expect_line("Connected users: ") == "Connected users: [User(name='Мария', age=41)]");
    CHECK(bob->out() == "Connected as User(name='Bob', age=25)\nWelcome, Bob! Users online: 2\n");

    server.stop();  // Мария is still connected: she is told, the server ends cleanly
    CHECK(server.proc.out().ends_with("Server is down\n"));
    CHECK(maria->wait() == 1);
    CHECK(maria->err() == "user_client: the server closed the connection\n");
}

TEST_CASE("users: bad user information is rejected and the list stays as it was", "[users]")
{
    Server server("users_server", {});
    Sock eve(server.port);
    eve.send("{\"name\": \"Eve\", \"age\": 20}\n");
    CHECK(eve.read_line() == "Welcome, Eve! Users online: 1");
    server.proc.expect_line("Connected users: [User(name='Eve', age=20)]");
    struct Bad {
        std::string line, reason;
    };
    const std::vector<Bad> cases = {
        {"hello\n", R"(not JSON: expected {"name": ..., "age": ...})"},
        {"{\"name\": \"X\"}\n", R"(expected {"name": ..., "age": ...}, got {"name": "X"})"},
        {"{\"name\": \"X\", \"age\": 200}\n", "age must be a whole number from 0 to 150"},
        {"{\"name\": \"X\", \"age\": \"30\"}\n", "age must be a whole number from 0 to 150"},
        {"{\"name\": \"\", \"age\": 3}\n", "name must be 1 to 64 bytes"},
        {"{\"name\": \"X\", \"age\": 3}\n{\"name\": \"Y\", \"age\": 4}\n", "unexpected data after the user information"},
        {std::string(2000, 'x'), "no end of line within 1024 bytes"},
        {nested_arrays(500) + "\n", R"(expected {"name": ..., "age": ...}: nested deeper than 64 levels)"},
    };
    for (const auto& bad : cases) {
        INFO(bad.reason);
        Sock s(server.port);
        s.send(bad.line);
        CHECK(s.read_line() == "Error: " + bad.reason);
        CHECK(s.read_to_close().empty());
        CHECK(server.proc.expect_line("Rejected " + s.addr()) == "Rejected " + s.addr() + ": " + bad.reason);
    }
    // Eve saw none of it; then she vanishes with a reset and is taken off the list.
    eve.reset();
    CHECK(server.proc.expect_line("User disconnected: ") ==
          "User disconnected: User(name='Eve', age=20) (recv: Connection reset by peer (errno 104, ECONNRESET))");
    CHECK(server.proc.expect_line("Connected users: ") == "Connected users: []");
    const std::string& out = server.proc.out();
    CHECK(out.find("Connected users: [User(name='X'") == std::string::npos);
    server.stop();

    auto too_old = run({bin("user_client"), "X", "200"});
    CHECK(too_old.code == 2);
    CHECK(too_old.err == "user_client: --age must be a whole number from 0 to 150, not '200' (try --help)\n");
    auto no_age = run({bin("user_client"), "X"});
    CHECK(no_age.code == 2);
}

TEST_CASE("users: a newcomer silent past --timeout is told why and dropped", "[users]")
{
    Server server("users_server", {"--timeout", "0.5"});
    Sock slow(server.port);
    slow.send("{\"name\": \"Slow\"");  // and nothing more
    Process quick({bin("user_client"), "--port", P(server.port), "Quick", "7"});
    CHECK(quick.expect_line("Welcome") == "Welcome, Quick! Users online: 1");
    CHECK(slow.read_line() == "Error: no user information within 0.5 s");
    CHECK(slow.read_to_close().empty());
    CHECK(server.proc.expect_line("Rejected " + slow.addr()) == "Rejected " + slow.addr() + ": no user information within 0.5 s");
    quick.close_stdin();
    CHECK(quick.wait() == 0);
    CHECK(server.proc.expect_line("Connected users: []") == "Connected users: []");
    server.stop();
}

TEST_CASE("users: a Python client can join too", "[users][interop]")
{
    Server server("users_server", {});
    Process py({tool("python3"), "-c",
                "import json,socket,sys\n"
                "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as s:\n"
                "    s.sendall((json.dumps({'name': 'Гвидо', 'age': 69}) + '\\n').encode())\n"
                "    print(s.makefile(encoding='utf-8').readline(), end='', flush=True)\n"
                "    sys.stdin.read()\n",
                P(server.port)});
    CHECK(py.expect_line("Welcome") == "Welcome, Гвидо! Users online: 1");
    CHECK(server.proc.expect_line("Connected users: ") == "Connected users: [User(name='Гвидо', age=69)]");
    py.close_stdin();
    CHECK(py.wait() == 0);
    CHECK(server.proc.expect_line("Connected users: ") == "Connected users: []");
    server.stop();
}

// ============================================================================ the graders' rules
// tests/support/rules.hpp, tests/README.md: every runtime error's exit status, every server's
// stop, and the options no other test above gives a value that changes the outcome.
namespace rules_tables {
using rules::Fault;

const std::string kBusy = "Address already in use (errno 98, EADDRINUSE)";
const std::string kRefused = "Connection refused (errno 111, ECONNREFUSED)";

const std::vector<rules::RuntimeError> kRuntimeErrors{
    {"blocking_server", {}, Fault::tcp_busy, kBusy},
    {"select_server", {}, Fault::tcp_busy, kBusy},
    {"poll_server", {}, Fault::tcp_busy, kBusy},
    {"epoll_server", {}, Fault::tcp_busy, kBusy},
    {"thread_server", {}, Fault::tcp_busy, kBusy},
    {"fork_server", {}, Fault::tcp_busy, kBusy},
    {"app_server", {}, Fault::tcp_busy, kBusy},
    {"decrypt_server", {}, Fault::tcp_busy, kBusy},
    {"users_server", {}, Fault::tcp_busy, kBusy},
    {"thread_client", {}, Fault::nobody, kRefused},
    {"multiconn_client", {"127.0.0.1", "{port}", "2"}, Fault::nobody, kRefused},
    // The bench reports its errors in its table, on stdout.
    {"multiconn_bench",
     {"--connections", "2", "--duration", "1", "127.0.0.1", "{port}"},
     Fault::nobody,
     "errors       2 (connect: ECONNREFUSED x2)",
     1,
     true},
    {"app_client", {"127.0.0.1", "{port}", "search", "morpheus"}, Fault::nobody, kRefused},
    {"decrypt_client", {}, Fault::nobody, kRefused},
    {"user_client", {"Alice", "30"}, Fault::nobody, kRefused},
};

// Each client's --timeout: a server that accepts nothing and says nothing.
const std::vector<rules::RuntimeError> kClientTimeouts{
    {"thread_client", {"--timeout", "0.3"}, Fault::tcp_busy, "timed out"},
    {"multiconn_client", {"--timeout", "0.3", "127.0.0.1", "{port}", "1"}, Fault::tcp_busy, "timed out"},
    {"app_client", {"--timeout", "0.3", "127.0.0.1", "{port}", "search", "morpheus"}, Fault::tcp_busy, "timed out"},
    {"decrypt_client", {"--timeout", "0.3"}, Fault::tcp_busy, "timed out"},
    {"user_client", {"--timeout", "0.3", "Alice", "30"}, Fault::tcp_busy, "timed out"},
};

const std::vector<rules::Served> kServers{
    {"blocking_server"},
    {"select_server"},
    {"poll_server"},
    {"epoll_server"},
    {"thread_server"},
    {"fork_server"},
    {"fork_server", {"--no-reap"}},
    {"app_server"},
    {"decrypt_server"},
    {"users_server"},
};
}  // namespace rules_tables

TEST_CASE("rules: every lesson04 program's runtime error exits 1 with one line naming the call, also with --trace", "[rules]")
{
    for (const auto& row : rules_tables::kRuntimeErrors)
        DYNAMIC_SECTION(row.program) { rules::check(row); }
}

TEST_CASE("rules: every lesson04 client's --timeout ends a wait for a silent server, exit 1", "[rules]")
{
    for (const auto& row : rules_tables::kClientTimeouts)
        DYNAMIC_SECTION(row.program) { rules::check(row); }
}

TEST_CASE("rules: every lesson04 server stops within 2 s of SIGINT and SIGTERM with status 0, idle and with a client", "[rules]")
{
    for (const auto& row : rules_tables::kServers)
        DYNAMIC_SECTION(rules::name(row)) { rules::check(row); }
}

TEST_CASE("models: --timeout drops a silent client (default 300 s), and the server goes on", "[models]")
{
    for (const std::string program :
         {"blocking_server", "select_server", "poll_server", "epoll_server", "thread_server", "fork_server"}) {
        DYNAMIC_SECTION(program)
        {
            Server server(program, {"--timeout", "1"});
            Sock silent(server.port);
            CHECK(silent.read_to_close().empty());  // closed by the server, long before 300 s
            models::Conn next(server.port);
            next.send("next\n");
            CHECK(next.recv(5) == "NEXT\n");
            server.stop();
        }
    }
}

TEST_CASE("models: --backlog is the listen() backlog (the lecture's 5 by default), as ss shows it", "[models]")
{
    // For a listening socket ss prints the backlog in the Send-Q column.
    auto backlog_of = [](std::uint16_t port) {
        auto ss = run({tool("ss"), "-Hltn", "sport = :" + P(port)});
        std::istringstream cols(ss.out);
        std::string state, recv_q, send_q;
        cols >> state >> recv_q >> send_q;
        INFO(ss.out << ss.err);
        return send_q;
    };
    for (const std::string program : {"thread_server", "fork_server"}) {
        DYNAMIC_SECTION(program)
        {
            Server lecture(program);
            CHECK(backlog_of(lecture.port) == "5");
            Server roomy(program, {"--backlog", "17"});
            CHECK(backlog_of(roomy.port) == "17");
            lecture.stop();
            roomy.stop();
        }
    }
}

TEST_CASE("app: --max-header refuses a JSON header longer than it (the default 4096 takes it)", "[app]")
{
    const std::string request = json_request(R"({"action": "search", "value": "morpheus"})");
    const std::size_t header_length = request.size() - 2 - 41;  // 2 length bytes, 41 content bytes
    {
        AppServer roomy({"--max-header", std::to_string(header_length)});
        Sock s(roomy.port);
        s.send(request);
        CHECK(s.read_to_close().find("Follow the white rabbit.") != std::string::npos);
        roomy.stop();
    }
    AppServer tight({"--max-header", std::to_string(header_length - 1)});
    Sock s(tight.port);
    s.send(request);
    CHECK(tight.proc.expect_line("Main: Error: Exception for " + s.addr()) ==
          "Main: Error: Exception for " + s.addr() + ": JSON header length " + std::to_string(header_length) +
              " is over the limit of " + std::to_string(header_length - 1) + " bytes");
    CHECK(s.read_to_close().empty());
    tight.stop();
}

TEST_CASE("models: --quiet drops the line per connection and message", "[models]")
{
    for (const std::string program :
         {"blocking_server", "select_server", "poll_server", "epoll_server", "thread_server", "fork_server"}) {
        DYNAMIC_SECTION(program)
        {
            std::size_t lines[2] = {0, 0};
            for (const bool quiet : {false, true}) {
                Server server(program, quiet ? std::vector<std::string>{"--quiet"} : std::vector<std::string>{});
                {
                    models::Conn c(server.port);
                    c.send("hi\n");
                    REQUIRE(c.recv(3) == "HI\n");
                }
                models::Conn last(server.port);  // served once the first one is done with
                last.send("x");
                REQUIRE(last.recv(1) == "X");
                last.close();
                server.stop();
                const std::string& out = server.proc.out();
                lines[quiet] = static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
            }
            CHECK(lines[1] + 4 <= lines[0]);  // two connections, each at least connect and message
        }
    }
}

TEST_CASE("multiconn_bench --size: the bytes of each request", "[models][bench]")
{
    Server server("epoll_server", {"--quiet"});
    auto r = run(
        {bin("multiconn_bench"), "--connections", "2", "--duration", "1", "--size", "1000", "127.0.0.1", P(server.port)});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("multiconn_bench: 127.0.0.1:" + P(server.port) + ", 2 connections, 1 s, 1000-byte requests\n", 0) == 0);
    CHECK(r.out.find("errors       0\n") != std::string::npos);
    server.stop();
}

TEST_CASE("decrypt: past --max-clients a newcomer is closed with a log line, the others go on", "[decrypt]")
{
    Server server("decrypt_server", {"--max-clients", "1"});
    Sock first(server.port);
    server.proc.expect_line("Connection from address " + first.addr());
    Sock second(server.port);
    CHECK(server.proc.expect_line("Error from " + second.addr()) ==
          "Error from " + second.addr() + ": too many clients (--max-clients 1), closed");
    CHECK(second.read_to_close().empty());
    first.send("[\"khoor\"]\n");
    CHECK(first.read_line() == R"(["hello"])");
    server.stop();
}

TEST_CASE("users: past --max-clients a newcomer waits in the backlog until someone leaves", "[users]")
{
    Server server("users_server", {"--max-clients", "1"});
    Sock alice(server.port);
    alice.send("{\"name\": \"Alice\", \"age\": 30}\n");
    CHECK(alice.read_line() == "Welcome, Alice! Users online: 1");
    Sock bob(server.port);  // connected by the kernel, not accepted while Alice is there
    bob.send("{\"name\": \"Bob\", \"age\": 25}\n");
    alice.close();
    // Only once Alice has gone is Bob taken in: he is the only one online (2 without the limit).
    CHECK(bob.read_line() == "Welcome, Bob! Users online: 1");
    server.stop();
}

TEST_CASE("users: user_client --seconds leaves after that long, with its input still open", "[users]")
{
    Server server("users_server", {});
    Process user({bin("user_client"), "--port", P(server.port), "--seconds", "1", "Carol", "40"});
    CHECK(user.expect_line("Welcome") == "Welcome, Carol! Users online: 1");
    CHECK(user.wait() == 0);  // stdin never closed: without --seconds it would stay
    CHECK(server.proc.expect_line("User disconnected: ") == "User disconnected: User(name='Carol', age=40)");
    server.stop();
}
