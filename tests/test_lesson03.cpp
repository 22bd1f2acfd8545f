// Integration tests for lesson03_errors: every net_errors scenario is run as the student runs
// it, and its report asserted (errno number and name, the Python line); robust_client is run
// against peers this file builds on loopback, one per failure class. Every peer uses a port the
// kernel picks (bind port 0), so `ctest -j` never clashes and no fixed port is left in TIME_WAIT.
// Timeout scenarios get a short --timeout; one test keeps the lecture's 2 s to check the default.
#include "support/catch.hpp"
#include "support/harness.hpp"
#include "support/rules.hpp"

#include <algorithm>
#include <chrono>
#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

using namespace netlab::test;

namespace {

Result scenario(const std::string& name, std::vector<std::string> args = {})
{
    std::vector<std::string> argv{bin("net_errors"), name};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

bool has_line(const std::string& out, const std::string& line)
{
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
        if (l == line)
            return true;
    return false;
}

// The three lines every errno report has, e.g. (111, "ECONNREFUSED", "Connection refused",
// "ConnectionRefusedError").
void check_errno(const Result& r, int err, const std::string& name, const std::string& message, const std::string& python_class)
{
    INFO(r.out << r.err);
    CHECK(has_line(r.out, "errno:   " + std::to_string(err) + " " + name));
    CHECK(has_line(r.out, "message: " + message));
    CHECK(has_line(r.out, "python:  " + python_class + ": [Errno " + std::to_string(err) + "] " + message));
}

std::string line_starting(const std::string& out, const std::string& prefix)
{
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
        if (l.rfind(prefix, 0) == 0)
            return l;
    return {};
}

// A line of ss output (indented by net_errors) whose first two columns are Recv-Q and Send-Q.
bool has_row(const std::string& out, const std::string& recv_q, const std::string& send_q)
{
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) {
        std::istringstream cols(l);
        std::string a, b;
        if (l.rfind("   ", 0) == 0 && cols >> a >> b && a == recv_q && b == send_q)
            return true;
    }
    return false;
}

bool ipv6_loopback()
{
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

long number_after(const std::string& out, const std::string& prefix)
{
    const std::string line = line_starting(out, prefix);
    return line.empty() ? -1 : std::stol(line.substr(prefix.size()));
}

// ---- small loopback peers for robust_client, made with plain socket calls ---------------------
struct Sock {
    int fd = -1;
    explicit Sock(int f) : fd(f) {}
    Sock(Sock&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Sock(const Sock&) = delete;
    ~Sock()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

sockaddr_in loopback(std::uint16_t port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// Bound to 127.0.0.1 with a port the kernel picks; listening unless backlog < 0.
Sock bound(int backlog)
{
    Sock s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto a = loopback(0);
    REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    if (backlog >= 0)
        REQUIRE(::listen(s.fd, backlog) == 0);
    return s;
}

std::uint16_t port_of(const Sock& s)
{
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

Sock connect_to(std::uint16_t port)
{
    Sock s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto a = loopback(port);
    REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return s;
}

// Accepts one client (with a deadline) and reads what it sent, up to `expect` bytes.
Sock accept_and_read(const Sock& listener, std::size_t expect, std::string& got)
{
    pollfd p{listener.fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, static_cast<int>(kDeadline.count())) == 1);
    Sock conn(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
    REQUIRE(conn.fd >= 0);
    while (got.size() < expect) {
        pollfd q{conn.fd, POLLIN, 0};
        REQUIRE(::poll(&q, 1, static_cast<int>(kDeadline.count())) == 1);
        char buf[256];
        ssize_t n = ::recv(conn.fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return conn;
}

Result robust(std::uint16_t port, std::vector<std::string> args = {}, const std::string& host = "127.0.0.1")
{
    std::vector<std::string> argv{bin("robust_client"), "--host", host, "--port", std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

const std::string kMessage = "Привет!";  // robust_client's default message

}  // namespace

// ---- net_errors: the command line --------------------------------------------------------------

TEST_CASE("net_errors --list names every scenario with one line each", "[net_errors]")
{
    auto r = run({bin("net_errors"), "--list"});
    CHECK(r.code == 0);
    for (const char* name : {"bad-name", "in-use", "time-wait", "not-local", "refused", "connect-timeout", "connect-etimedout",
                             "recv-timeout", "accept-timeout", "select-timeout", "peer-closed", "reset", "reset-before-accept",
                             "aborted", "broken-pipe", "bad-fd", "would-block", "send-buffer"})
        CHECK_FALSE(line_starting(r.out, std::string(name) + " ").empty());
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 18);
    CHECK(run({bin("net_errors"), "--help"}).code == 0);
}

namespace {
const std::vector<std::vector<std::string>> kUsageErrors{{},
                                                         {"no-such-scenario"},
                                                         {"refused", "reset"},
                                                         {"recv-timeout", "--timeout", "x"},
                                                         {"recv-timeout", "--timeout", "0"},
                                                         {"connect-etimedout", "--syn-retries", "99"},
                                                         {"--bogus"}};

std::string joined(const std::vector<std::string>& args)
{
    std::string s = "net_errors";
    for (const auto& a : args)
        s += " " + a;
    return s;
}
}  // namespace

TEST_CASE("net_errors usage errors: one line on stderr, exit 2", "[net_errors]")
{
    const auto args = GENERATE(from_range(kUsageErrors));
    DYNAMIC_SECTION(joined(args))
    {
        std::vector<std::string> argv{bin("net_errors")};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = run(argv);
        INFO(r.err);
        CHECK(r.code == 2);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.out.empty());
    }
}

// ---- net_errors: each scenario's report ---------------------------------------------------------

namespace {
// The three lines of an errno report (check_errno).
struct Errno {
    int number;
    std::string name, message, python_class;
};

// What one run of a scenario must print, besides exit 0.
struct Report {
    std::string title;  // the scenario and what it shows: the row's section name
    std::string scenario;
    std::vector<std::string> args = {};
    std::vector<std::string> lines = {};                             // lines it prints, exactly
    std::vector<std::pair<std::string, std::string>> starting = {};  // its first line starting with .first contains .second
    std::vector<Errno> errnos = {};
    std::vector<std::string> has = {};    // text anywhere in it
    std::vector<std::string> lacks = {};  // text nowhere in it
};

void check_report(const Report& row)
{
    auto r = scenario(row.scenario, row.args);
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    for (const auto& line : row.lines)
        CHECK(has_line(r.out, line));
    for (const auto& [prefix, part] : row.starting) {
        const std::string line = line_starting(r.out, prefix);
        INFO("the line starting '" << prefix << "'");
        CHECK_FALSE(line.empty());
        CHECK(contains(line, part));
    }
    for (const auto& e : row.errnos)
        check_errno(r, e.number, e.name, e.message, e.python_class);
    for (const auto& text : row.has)
        CHECK(contains(r.out, text));
    for (const auto& text : row.lacks)
        CHECK_FALSE(contains(r.out, text));
}

const Errno kEaddrinuse{98, "EADDRINUSE", "Address already in use", "OSError"};
const Errno kEconnrefused{111, "ECONNREFUSED", "Connection refused", "ConnectionRefusedError"};
const Errno kEconnreset{104, "ECONNRESET", "Connection reset by peer", "ConnectionResetError"};
const Errno kEagain{11, "EAGAIN", "Resource temporarily unavailable", "BlockingIOError"};

// The scenarios whose report is all there is to check; the others have TEST_CASEs of their own below.
const std::vector<Report> kReports{
    {.title = "bad-name: getaddrinfo EAI_NONAME -2, socket.gaierror",
     .scenario = "bad-name",
     .lines = {"call:    getaddrinfo('bad adress', '0')", "errno:   -2 EAI_NONAME (a getaddrinfo code, not an errno)",
               "python:  socket.gaierror: [Errno -2] Name or service not known"}},
    {.title = "in-use: a second bind to a listening port, EADDRINUSE 98",
     .scenario = "in-use",
     .starting = {{"call:    bind(127.0.0.1:", ""}},
     .errnos = {kEaddrinuse}},
    {.title = "refused: ECONNREFUSED 111",
     .scenario = "refused",
     .starting = {{"call:    connect(127.0.0.1:", ""}},
     .errnos = {kEconnrefused}},
    {.title = "connect-timeout: SYNs dropped, our timeout ends it - reusing the socket gives EALREADY",
     .scenario = "connect-timeout",
     .args = {"--timeout", "0.5"},
     .lines = {"errno:   none: no system call failed; our own wait (poll) gave up after 500 ms",
               "python:  TimeoutError: timed out"},
     .starting = {{"call:    connect(127.0.0.1:", "with settimeout(0.5)"}},
     .errnos = {{114, "EALREADY", "Operation already in progress", "BlockingIOError"}}},
    {.title = "connect-etimedout: the kernel gives up after the SYN retries, ETIMEDOUT 110",
     .scenario = "connect-etimedout",
     .args = {"--syn-retries", "1"},
     .starting = {{"took:    ", ""}},
     .errnos = {{110, "ETIMEDOUT", "Connection timed out", "TimeoutError"}}},
    {.title = "recv-timeout: TimeoutError: timed out",
     .scenario = "recv-timeout",
     .args = {"--timeout", "0.3"},
     .lines = {"call:    recv(4096) with settimeout(0.3)", "python:  TimeoutError: timed out"}},
    {.title = "accept-timeout: TimeoutError: timed out",
     .scenario = "accept-timeout",
     .args = {"--timeout", "0.3"},
     .lines = {"call:    accept() with settimeout(0.3)",
               "errno:   none: no system call failed; our own wait (poll) gave up after 300 ms",
               "python:  TimeoutError: timed out"}},
    {.title = "select-timeout: the lecture's 2 s by default, then no response",
     .scenario = "select-timeout",
     .lines = {"errno:   none: select() succeeded and returned 0 ready descriptors", "python:  RuntimeError: no response",
               "lecture: Socket error: no response"},
     .starting = {{"-- ", "select([s], [], [], 2)"}, {"call:    select(", "2000 ms) = 0"}}},
    {.title = "select-timeout --timeout 0.2: select waits that long",
     .scenario = "select-timeout",
     .args = {"--timeout", "0.2"},
     .starting = {{"call:    select(", "200 ms) = 0"}}},
    {.title = "peer-closed: recv returns 0, socket connection broken",
     .scenario = "peer-closed",
     .lines = {"call:    recv(4096) = 0", "errno:   none: recv() succeeded with 0 bytes: the peer sent FIN",
               "python:  RuntimeError: socket connection broken", "lecture: Socket error: socket connection broken"}},
    {.title = "reset: RST from SO_LINGER 0, ECONNRESET 104",
     .scenario = "reset",
     .lines = {"call:    recv(4096)"},
     .errnos = {kEconnreset}},
    {.title = "reset-before-accept: Linux accepts the dead connection, then ECONNRESET (no ECONNABORTED)",
     .scenario = "reset-before-accept",
     .lines = {"accept() succeeded on Linux: it hands over the connection even though it is already reset"},
     .errnos = {kEconnreset},
     .has = {"ECONNABORTED 103"}},  // the explanation names what BSD says
    {.title = "broken-pipe: EPIPE 32 with SIGPIPE ignored - with the default action the child dies",
     .scenario = "broken-pipe",
     .lines = {"call:    send(b'second')"},
     .starting = {{"child ", ": killed by signal 13 (SIGPIPE: Broken pipe), exit status 141"}},
     .errnos = {{32, "EPIPE", "Broken pipe", "BrokenPipeError"}},
     .lacks = {"SIGPIPE did not kill us"}},
    {.title = "bad-fd: connect on a closed socket, EBADF 9",
     .scenario = "bad-fd",
     .errnos = {{9, "EBADF", "Bad file descriptor", "OSError"}}},
    {.title = "would-block: non-blocking recv with no data, EAGAIN 11 - data then comes at once",
     .scenario = "would-block",
     .lines = {"recv(1024) = 4 bytes"},
     .errnos = {kEagain}},
};
}  // namespace

TEST_CASE("net_errors: each scenario reports the failing call, its errno and Python's exception", "[net_errors]")
{
    const Report row = GENERATE(from_range(kReports));
    DYNAMIC_SECTION(row.title) { check_report(row); }
}

TEST_CASE("net_errors refused over IPv6 ::1", "[net_errors][ipv6]")
{
    if (!ipv6_loopback())
        NETLAB_SKIP("this machine has no IPv6 loopback (::1)");
    check_report({.title = "refused over IPv6",
                  .scenario = "refused",
                  .args = {"--host", "::1"},
                  .starting = {{"call:    connect([::1]:", ""}},
                  .errnos = {kEconnrefused}});
}

TEST_CASE("net_errors not-local: bind to an address this host lacks, EADDRNOTAVAIL 99 - '' binds all", "[net_errors]")
{
    if (std::ifstream("/proc/sys/net/ipv4/ip_nonlocal_bind").get() == '1')
        NETLAB_SKIP("net.ipv4.ip_nonlocal_bind is 1 here: binding any address succeeds");
    check_report({.title = "not-local",
                  .scenario = "not-local",
                  .lines = {"call:    bind(192.0.2.1:0)"},
                  .starting = {{"bind(('', 0)) works: listening on ('0.0.0.0', ", ""}},
                  .errnos = {{99, "EADDRNOTAVAIL", "Cannot assign requested address", "OSError"}}});
}

TEST_CASE("net_errors time-wait: restart fails with EADDRINUSE until the server uses SO_REUSEADDR from the start", "[net_errors]")
{
    auto r = scenario("time-wait");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    check_errno(r, 98, "EADDRINUSE", "Address already in use", "OSError");
    // Both restarts of the first server fail: without SO_REUSEADDR, and with it set only on restart.
    std::size_t failures = 0;
    for (std::size_t at = 0; (at = r.out.find("errno:   98 EADDRINUSE", at)) != std::string::npos; ++at)
        ++failures;
    CHECK(failures == 2);
    CHECK(line_starting(r.out, "listening again on ('127.0.0.1', ").size() > 0);
    CHECK(r.out.find("bind succeeded: SO_REUSEADDR") != std::string::npos);
    if (have_tool("ss"))  // the kernel's own view: the old connection in TIME_WAIT
        CHECK(r.out.find("$ ss -tan state time-wait") != std::string::npos);
}

TEST_CASE("net_errors aborted: ss -K destroys the connection, ECONNABORTED 103 (root)", "[net_errors][root]")
{
    if (::geteuid() != 0)
        NETLAB_SKIP("destroying a socket with ss -K needs root (CAP_NET_ADMIN)");
    if (!have_tool("ss"))
        NETLAB_SKIP("ss (iproute2) is not installed");
    auto r = scenario("aborted");
    if (r.code == 1 && r.err.find("CONFIG_INET_DIAG_DESTROY") != std::string::npos)
        NETLAB_SKIP("this kernel cannot destroy sockets (no CONFIG_INET_DIAG_DESTROY)");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(line_starting(r.out, "$ ss -K -tn src 127.0.0.1 sport = ").size() > 0);
    check_errno(r, 103, "ECONNABORTED", "Software caused connection abort", "ConnectionAbortedError");
    check_errno(r, 104, "ECONNRESET", "Connection reset by peer", "ConnectionResetError");
    if (ipv6_loopback()) {  // ss's filter wants [::1], not ::1
        auto v6 = scenario("aborted", {"--host", "::1"});
        INFO(v6.out << v6.err);
        CHECK(v6.code == 0);
        CHECK(line_starting(v6.out, "$ ss -K -tn src [::1] sport = ").size() > 0);
        check_errno(v6, 103, "ECONNABORTED", "Software caused connection abort", "ConnectionAbortedError");
    }
}

TEST_CASE("net_errors send-buffer: the peer never reads, EAGAIN 11 after megabytes - Recv-Q and Send-Q shown", "[net_errors]")
{
    auto r = scenario("send-buffer");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    check_errno(r, 11, "EAGAIN", "Resource temporarily unavailable", "BlockingIOError");
    CHECK(has_line(r.out, "lecture: BlockingIOError(11, 'Resource temporarily unavailable')"));
    const long queued = number_after(r.out, "queued:  ");
    const long recv_q = number_after(r.out, "Recv-Q:  ");
    const long send_q = number_after(r.out, "Send-Q:  ");
    CHECK(queued > 64 * 1024);  // the kernel buffers far more than one chunk before pushing back
    CHECK(recv_q > 0);
    CHECK(send_q > 0);
    CHECK(send_q <= queued);
    CHECK(has_line(r.out, "Recv-Q + Send-Q = " + std::to_string(queued) + ": every byte we sent waits in one of the two queues"));
    if (have_tool("ss")) {  // ss's rows show the same counters: client (0, Send-Q), server (Recv-Q, 0)
        CHECK(has_row(r.out, "0", std::to_string(send_q)));
        CHECK(has_row(r.out, std::to_string(recv_q), "0"));
    }
}

// Sockets in /proc/net/tcp{,6} that listen on `port` or are still connecting to it (SYN_SENT).
int listening_or_connecting(std::uint16_t port)
{
    char hex[8];
    std::snprintf(hex, sizeof hex, ":%04X", port);
    int found = 0;
    for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(file);
        std::string line, slot, local, remote, state;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream(line) >> slot >> local >> remote >> state;
            if ((state == "0A" && local.ends_with(hex)) || (state == "02" && remote.ends_with(hex)))
                ++found;
        }
    }
    return found;
}

TEST_CASE("net_errors interrupted in a long wait ends at once and leaves no socket behind", "[net_errors]")
{
    // SIGTERM, as Ctrl-C's SIGINT may be ignored by a test runner in the background; both keep
    // their default action in net_errors: the kernel closes every socket of the process.
    Process p({bin("net_errors"), "connect-timeout", "--timeout", "60"});
    const std::string line = p.expect_line("-- the accept queue of ('127.0.0.1', ");
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.find(", ") + 2)));
    // The full listener, and (once net_errors has made its connect call, just after that line)
    // our SYN waiting for an answer: watched in /proc, with a deadline.
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    while (listening_or_connecting(port) < 2 && std::chrono::steady_clock::now() < until)
        ::poll(nullptr, 0, 10);
    CHECK(listening_or_connecting(port) == 2);
    p.signal(SIGTERM);
    CHECK(p.wait() == 128 + SIGTERM);
    CHECK(listening_or_connecting(port) == 0);
}

TEST_CASE("net_errors --trace narrates the failing call strace-style", "[net_errors]")
{
    auto r = scenario("refused", {"--trace"});
    CHECK(r.code == 0);
    CHECK(r.err.find("socket(AF_INET, SOCK_STREAM) = 3\n") != std::string::npos);
    CHECK(r.err.find("bind(3, 127.0.0.1:0) = 0\n") != std::string::npos);
    CHECK(r.err.find("= -1 ECONNREFUSED (Connection refused)\n") != std::string::npos);
}

TEST_CASE("net_errors' python lines are what Python itself prints", "[net_errors][interop]")
{
    // The lecture's calls, run by the real Python against the same kinds of loopback peers; each
    // exception is printed as the last line of its traceback. No sleeps: poll() waits for the RST.
    auto py = python(
        "import select, socket, struct, traceback\n"
        "def show(name, f):\n"
        "    try: f()\n"
        "    except OSError as e: print(name + '\\t' + traceback.format_exception_only(type(e), e)[-1].strip())\n"
        "    else: print(name + '\\tno exception')\n"
        "lo = '127.0.0.1'\n"
        "show('bad-name', lambda: socket.socket().connect(('bad adress', 0)))\n"
        "srv = socket.socket(); srv.bind((lo, 0)); srv.listen(5)\n"
        "show('in-use', lambda: socket.socket().bind(srv.getsockname()))\n"
        "show('not-local', lambda: socket.socket().bind(('192.0.2.1', 0)))\n"
        "b = socket.socket(); b.bind((lo, 0))\n"
        "show('refused', lambda: socket.socket().connect(b.getsockname()))\n"
        "full = socket.socket(); full.bind((lo, 0)); full.listen(0)\n"
        "filler = socket.create_connection(full.getsockname())\n"
        "s = socket.socket(); s.settimeout(0.3)\n"
        "show('connect-timeout', lambda: s.connect(full.getsockname()))\n"
        "show('connect-timeout', lambda: s.connect((lo, full.getsockname()[1] ^ 1)))\n"
        "k = socket.socket(); k.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, 1)\n"
        "show('connect-etimedout', lambda: k.connect(full.getsockname()))\n"
        "def pair():\n"
        "    c = socket.create_connection(srv.getsockname()); a, _ = srv.accept(); return c, a\n"
        "c, a = pair(); c.settimeout(0.3); c.sendall(b'GET / HTTP/1.1')\n"
        "show('recv-timeout', lambda: c.recv(4096))\n"
        "srv.settimeout(0.3)\n"
        "show('accept-timeout', lambda: srv.accept())\n"
        "srv.settimeout(None)\n"
        "c, a = pair(); a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); a.close()\n"
        "c.settimeout(5)\n"
        "show('reset', lambda: c.recv(4096))\n"
        "c, a = pair(); a.close(); c.send(b'first')\n"
        "p = select.poll(); p.register(c, 0); p.poll(5000)\n"
        "show('broken-pipe', lambda: c.send(b'second'))\n"
        "d = socket.socket(); d.close()\n"
        "show('bad-fd', lambda: d.connect(srv.getsockname()))\n"
        "c, a = pair(); c.setblocking(False)\n"
        "show('would-block', lambda: c.recv(1024))\n"
        "def fill():\n"
        "    while True: c.send(b'x' * 65536)\n"
        "show('send-buffer', fill)\n");
    INFO(py.out << py.err);
    REQUIRE(py.code == 0);
    std::map<std::string, std::string> python;  // scenario -> its exception lines, in order
    std::istringstream lines(py.out);
    for (std::string line; std::getline(lines, line);) {
        const auto tab = line.find('\t');
        REQUIRE(tab != std::string::npos);
        python[line.substr(0, tab)] += line.substr(tab + 1) + "\n";
    }
    const std::vector<std::pair<std::string, std::vector<std::string>>> runs{{"bad-name", {}},
                                                                             {"in-use", {}},
                                                                             {"not-local", {}},
                                                                             {"refused", {}},
                                                                             {"connect-timeout", {"--timeout", "0.3"}},
                                                                             {"connect-etimedout", {"--syn-retries", "1"}},
                                                                             {"recv-timeout", {"--timeout", "0.3"}},
                                                                             {"accept-timeout", {"--timeout", "0.3"}},
                                                                             {"reset", {}},
                                                                             {"broken-pipe", {}},
                                                                             {"bad-fd", {}},
                                                                             {"would-block", {}},
                                                                             {"send-buffer", {}}};
    REQUIRE(python.size() == runs.size());
    for (const auto& [name, args] : runs) {
        if (name == "not-local" && std::ifstream("/proc/sys/net/ipv4/ip_nonlocal_bind").get() == '1')
            continue;
        auto r = scenario(name, args);
        std::string ours;
        std::istringstream out(r.out);
        for (std::string l; std::getline(out, l);)
            if (l.rfind("python:  ", 0) == 0)
                ours += l.substr(9) + "\n";
        INFO(name << "\n" << r.out << r.err);
        CHECK(ours == python[name]);
    }
}

// ---- robust_client: each failure class, its message and exit status --------------------------

namespace {
// robust_client's request and the answer it gets: the lecture's default message, or --message's.
struct Exchange {
    std::vector<std::string> args;
    std::string request, answer;
};
const std::vector<Exchange> kExchanges{{{}, kMessage, "ПРИВЕТ!"}, {{"--message", "hello"}, "hello", "HELLO"}};
}  // namespace

TEST_CASE("robust_client: an answer is printed, exit 0 - --message sends that instead of the lecture's Привет!",
          "[robust_client]")
{
    const Exchange row = GENERATE(from_range(kExchanges));
    DYNAMIC_SECTION(row.request)
    {
        Sock server = bound(1);
        std::vector<std::string> argv{bin("robust_client"), "--port", std::to_string(port_of(server))};
        argv.insert(argv.end(), row.args.begin(), row.args.end());
        Process client(argv);
        std::string got;
        Sock conn = accept_and_read(server, row.request.size(), got);
        CHECK(got == row.request);
        REQUIRE(::send(conn.fd, row.answer.data(), row.answer.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(row.answer.size()));
        CHECK(client.wait() == 0);
        CHECK(client.out() == row.answer + "\n");
    }
}

TEST_CASE("robust_client: name error -> Wrong adress, exit 3", "[robust_client]")
{
    auto r = robust(5000, {}, "bad adress");
    CHECK(r.code == 3);
    CHECK(r.out == "Wrong adress\n");
}

TEST_CASE("robust_client: timeouts -> Connection timed out, exit 4", "[robust_client]")
{
    SECTION("connect: SYNs dropped by a full accept queue")
    {
        Sock full = bound(0);
        Sock filler = connect_to(port_of(full));
        auto r = robust(port_of(full), {"--timeout", "0.3"});
        CHECK(r.code == 4);
        CHECK(r.out == "Connection timed out\n");
    }
    SECTION("recv: the server never answers")
    {
        Sock silent = bound(1);
        auto r = robust(port_of(silent), {"--timeout", "0.3"});
        CHECK(r.code == 4);
        CHECK(r.out == "Connection timed out\n");
    }
}

TEST_CASE("robust_client: other errors -> Connection error: <errno>, exit 1", "[robust_client]")
{
    SECTION("refused")
    {
        Sock not_listening = bound(-1);
        auto r = robust(port_of(not_listening));
        CHECK(r.code == 1);
        CHECK(r.out == "Connection error: 111\n");
    }
    SECTION("reset after the request")
    {
        Sock server = bound(1);
        Process client({bin("robust_client"), "--port", std::to_string(port_of(server))});
        std::string got;
        {
            Sock conn = accept_and_read(server, kMessage.size(), got);
            linger abort_on_close{1, 0};
            ::setsockopt(conn.fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
        }
        CHECK(client.wait() == 1);
        CHECK(client.out() == "Connection error: 104\n");
    }
    SECTION("closed without an answer")
    {
        Sock server = bound(1);
        Process client({bin("robust_client"), "--port", std::to_string(port_of(server))});
        std::string got;
        accept_and_read(server, kMessage.size(), got);  // the connection closes at once
        CHECK(client.wait() == 1);
        CHECK(client.out() == "Connection error: socket connection broken\n");
    }
}

TEST_CASE("robust_client: usage errors exit 2", "[robust_client]")
{
    CHECK(run({bin("robust_client"), "--timeout", "0"}).code == 2);
    CHECK(run({bin("robust_client"), "--port", "70000"}).code == 2);
    CHECK(run({bin("robust_client"), "--help"}).code == 0);
}

TEST_CASE("robust_client against the lecture's Python echo server, IPv4 and IPv6", "[robust_client][interop]")
{
    const std::string host = GENERATE(as<std::string>{}, "127.0.0.1", "::1");
    if (host == "::1" && !ipv6_loopback())
        return;  // this machine has no IPv6 loopback: the IPv4 row stands alone
    DYNAMIC_SECTION(host)
    {
        // Port 0 as everywhere in this lesson: the server prints the port the kernel chose.
        auto py = python_peer(
            "import socket, sys\n"
            "host = sys.argv[1]\n"
            "family = socket.AF_INET6 if ':' in host else socket.AF_INET\n"
            "with socket.create_server((host, 0), family=family) as server:\n"
            "    print(server.getsockname()[1], flush=True)\n"
            "    client, addr = server.accept()\n"
            "    client.sendall(client.recv(4096).upper())\n"
            "    client.close()\n",
            {host});
        const auto port = static_cast<std::uint16_t>(std::stoi(py.expect_line("")));
        auto r = robust(port, {"--message", "hello", "--trace"}, host);
        INFO(host << "\n" << r.out << r.err);
        CHECK(r.code == 0);
        CHECK(r.out == "HELLO\n");
        CHECK(r.err.find("connect(3, " + (host == "::1" ? "[::1]" : host) + ":" + std::to_string(port) + ") = 0\n") !=
              std::string::npos);
        CHECK(py.wait() == 0);
    }
}

// ---- the graders' rules (tests/support/rules.hpp, tests/README.md) ------------------------------
// lesson03 has no servers; each of its two programs has a runtime error of its own besides the
// failures it is there to show: net_errors cannot set up its peer on a port that is taken, and
// robust_client's "any other error" (refused) is exit 1, printed on stdout as the lecture does.
namespace {
using rules::Fault;
const std::vector<rules::RuntimeError> kRuntimeErrors{
    {"net_errors", {"recv-timeout"}, Fault::tcp_busy, "net_errors: bind(127.0.0.1:"},
    {"robust_client", {}, Fault::nobody, "Connection error: 111", 1, true},
};
}  // namespace

TEST_CASE("rules: every lesson03 program's runtime error exits 1, also with --trace", "[rules]")
{
    for (const auto& row : kRuntimeErrors)
        DYNAMIC_SECTION(row.program) { rules::check(row); }
}
