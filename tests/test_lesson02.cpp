// Integration tests for lesson02_udp: real UDP servers and clients on loopback, plus real peers
// (python3's socket module, nc -u, chrony's chronyd, ntpsec's sntp/ntpdate). Every test picks its
// own free port; readiness comes from /proc (wait_listening(port, udp)) or from a server's first
// line, never from a fixed sleep. All traffic stays on 127.0.0.0/8 and ::1, or inside a network
// namespace the test creates and deletes.
#include "support/catch.hpp"
#include "support/harness.hpp"
#include "support/rules.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

using namespace netlab::test;

namespace {
// Our UDP servers: ready once their port is bound.
struct UdpServer : Server {
    UdpServer(const std::string& program, std::vector<std::string> args, const std::string& host = "127.0.0.1")
        : Server(program, std::move(args), host, /*udp=*/true)
    {
    }
};

std::size_t count(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

// sntp_client's "\toffset +0.000012 s, ..." as a number.
double offset_of(const std::string& out)
{
    const auto at = out.find("\toffset ");
    REQUIRE(at != std::string::npos);
    return std::strtod(out.c_str() + at + 8, nullptr);
}

// A scripted SNTP peer for the client's checks: it answers each request according to `mode`.
//   good     a correct reply from the system clock     fixed   a correct reply, transmit 2024-10-16 17:50:43.25 UTC
//   short    only 20 bytes                              mode    mode 3 (client) instead of 4 (server)
//   origin   an originate timestamp that is not ours    kod     a kiss-o'-death (stratum 0, "RATE")
//   stranger a correct reply, but from another port     silent  never answers
//   alarm    leap indicator 3 (clock not synchronized)  unsync  stratum 16 (unsynchronized)
//   flood    30 junk datagrams of 0-29 bytes, no reply
//   short+good  first a short reply, then a correct one
const char* kFakeSntp = R"(
import socket, struct, sys, time
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
family = socket.AF_INET6 if ':' in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.bind((host, port))
print('ready', flush=True)
def ntp(t): return int((t + 2208988800) * 2**32)
def reply(request, li_vn_mode=0x24, stratum=2, refid=b'\x7f\x7f\x01\x01', origin=None):
    now = 1729101043.25 if mode == 'fixed' else time.time()
    origin = request[40:48] if origin is None else origin
    return (struct.pack('!BBbbII', li_vn_mode, stratum, 6, -20, 0, 0) + refid +
            struct.pack('!Q', ntp(now) - 2**32) + origin + struct.pack('!QQ', ntp(now), ntp(now)))
while True:
    request, addr = s.recvfrom(1024)
    if mode == 'silent':
        continue
    good = reply(request)
    if mode in ('good', 'fixed'): s.sendto(good, addr)
    elif mode == 'short': s.sendto(good[:20], addr)
    elif mode == 'mode': s.sendto(reply(request, li_vn_mode=0x23), addr)
    elif mode == 'origin': s.sendto(reply(request, origin=bytes.fromhex('0123456789abcdef')), addr)
    elif mode == 'kod': s.sendto(reply(request, stratum=0, refid=b'RATE'), addr)
    elif mode == 'alarm': s.sendto(reply(request, li_vn_mode=0xe4), addr)
    elif mode == 'unsync': s.sendto(reply(request, stratum=16), addr)
    elif mode == 'vn0': s.sendto(reply(request, li_vn_mode=0x04), addr)
    elif mode == 'flood':
        for n in range(30): s.sendto(bytes(n), addr)
    elif mode == 'stranger': socket.socket(family, socket.SOCK_DGRAM).sendto(good, addr)
    elif mode == 'short+good': s.sendto(good[:20], addr); s.sendto(good, addr)
    print('answered', flush=True)
)";

struct FakeSntp {
    Process proc;
    FakeSntp(const std::string& host, std::uint16_t port, const std::string& mode)
        : proc(python_peer(kFakeSntp, {host, P(port), mode}))
    {
        proc.expect_line("ready");  // printed after bind(): from here on no request is lost
    }
};

// The SNTP client with a fixed time zone, so the printed local time is predictable.
Result sntp_client(std::vector<std::string> args)
{
    std::vector<std::string> argv{tool("env"), "TZ=UTC", bin("sntp_client")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

bool is_root() { return ::geteuid() == 0; }

// A temporary directory, removed with everything in it.
struct TempDir {
    std::string path;
    TempDir()
    {
        std::string tmpl = "/tmp/netlab-l02-XXXXXX";
        path = ::mkdtemp(tmpl.data()) ? tmpl : "";
        REQUIRE(!path.empty());
    }
    ~TempDir()
    {
        try {
            run({tool("rm"), "-rf", path});
        } catch (...) {
        }
    }
};

// A network namespace of our own: only its loopback, so port 123 is free and nothing leaves it.
// `error` says why it could not be made (a container without CAP_SYS_ADMIN, say).
struct NetNs {
    std::string name = "netlab-l02-" + std::to_string(::getpid());
    std::string error;
    NetNs()
    {
        run({tool("ip"), "netns", "del", name});  // a leftover of a killed run, if any
        auto add = run({tool("ip"), "netns", "add", name});
        if (add.code != 0) {
            error = add.err;
            return;
        }
        // Not REQUIRE: a constructor that throws never runs the destructor, and the namespace would stay.
        if (auto up = run({tool("ip"), "-n", name, "link", "set", "lo", "up"}); up.code != 0)
            error = "ip link set lo up: " + up.err;
    }
    ~NetNs()
    {
        try {
            run({tool("ip"), "netns", "del", name});
        } catch (...) {
        }
    }
    std::vector<std::string> exec(std::vector<std::string> argv) const
    {
        argv.insert(argv.begin(), {tool("ip"), "netns", "exec", name});
        return argv;
    }
};
}  // namespace

// ---- udp_thanks (lecture 001) -------------------------------------------------------------------

namespace {
// The same exchange over IPv4 and IPv6, and a server stopped by Ctrl-C or by kill.
struct Thanks {
    std::string host;
    int stop_signal;
};
const std::vector<Thanks> kThanks{{"127.0.0.1", SIGINT}, {"::1", SIGTERM}};
}  // namespace

TEST_CASE("thanks (lecture 001): the server logs each datagram, the client prints the answer, over IPv4 and IPv6 ::1",
          "[thanks][ipv6]")
{
    const Thanks row = GENERATE(from_range(kThanks));
    DYNAMIC_SECTION(row.host)
    {
        UdpServer server("udp_thanks_server", {}, row.host);
        auto c = client("udp_thanks_client", server.port, {}, {}, row.host);
        CHECK(c.code == 0);
        CHECK(c.out == "Thank you for the data\n");
        CHECK(server.proc.expect_line("Server got data") == "Server got data from client: client data");
        auto c2 = client("udp_thanks_client", server.port, {"--message", "привет, сервер"}, {}, row.host);
        CHECK(c2.out == "Thank you for the data\n");
        CHECK(server.proc.expect_line("Server got data") == "Server got data from client: привет, сервер");
        server.stop(row.stop_signal);
    }
}

TEST_CASE("thanks --trace: socket, bind and recvfrom/sendto - no listen, no accept, no connect", "[thanks][trace]")
{
    const auto port = free_port();
    Process server({bin("udp_thanks_server"), "--port", P(port), "--trace"});
    CHECK(server.expect_err_line("socket(") == "socket(AF_INET, SOCK_DGRAM) = 3");
    CHECK(server.expect_err_line("bind(") == "bind(3, 127.0.0.1:" + P(port) + ") = 0");
    auto c = run({bin("udp_thanks_client"), "--port", P(port), "--trace"});
    CHECK(c.code == 0);
    CHECK(c.err.find("socket(AF_INET, SOCK_DGRAM) = 3\nsendto(3, 11, 127.0.0.1:" + P(port) + ") = 11\n") == 0);
    CHECK(contains(c.err, "recvfrom(3, 1024) = 22 from 127.0.0.1:" + P(port) + "\n"));
    CHECK_FALSE(contains(c.err, "connect("));
    CHECK(server.expect_err_line("recvfrom(3, 1024) = 11 from 127.0.0.1:").size() > 0);
    CHECK(server.expect_err_line("sendto(3, 22, 127.0.0.1:").ends_with(") = 22"));
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
    CHECK_FALSE(contains(server.err(), "listen("));
    CHECK_FALSE(contains(server.err(), "accept("));
}

TEST_CASE("thanks_client with no server: sendto succeeds, the answer never comes, timeout exit 1", "[thanks]")
{
    const auto port = free_port();
    auto c = client("udp_thanks_client", port, {"--timeout", "0.3"});
    CHECK(c.code == 1);
    CHECK(c.out.empty());
    CHECK(c.err == "udp_thanks_client: recvfrom: timed out\n");
}

TEST_CASE("thanks: the lecture's Python client against our server, ours against the lecture's Python server", "[thanks][interop]")
{
    UdpServer server("udp_thanks_server", {});
    auto py = python(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.sendto('client data'.encode(), ('127.0.0.1', int(sys.argv[1])))\n"
        "data, addr = s.recvfrom(1024)\n"
        "print(data.decode())\n",
        {P(server.port)});
    CHECK(py.code == 0);
    CHECK(py.out == "Thank you for the data\n");
    CHECK(server.proc.expect_line("Server got data") == "Server got data from client: client data");
    server.stop();

    PythonServer pyserver(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
        "data, addr = s.recvfrom(1024)\n"
        "print('Server got data from client: {}'.format(data.decode()), flush=True)\n"
        "s.sendto('Thank you for the data'.encode(), addr)\n",
        /*udp=*/true);
    auto c = client("udp_thanks_client", pyserver.port);
    CHECK(c.code == 0);
    CHECK(c.out == "Thank you for the data\n");
    CHECK(pyserver.proc.wait() == 0);
    CHECK(pyserver.proc.out() == "Server got data from client: client data\n");
}

// ---- udp_echo_server (lecture 003) -------------------------------------------------------------

TEST_CASE("udp_echo (lecture 003): nc -4u as the client, every step logged", "[echo][interop]")
{
    UdpServer server("udp_echo_server", {});
    CHECK(server.proc.expect_line("Starting up") == "Starting up UDP echo server on 127.0.0.1 port " + P(server.port));
    CHECK(server.proc.expect_line("Waiting") == "Waiting to receive message from client");
    // -W 1: nc quits after receiving one datagram, the echo.
    auto nc = run({tool("nc"), "-4u", "-W", "1", "127.0.0.1", P(server.port)}, "Hello, UDP server!\n");
    CHECK(nc.code == 0);
    CHECK(nc.out == "Hello, UDP server!\n");
    CHECK(server.proc.expect_line("Received ").rfind("Received 19 bytes from ('127.0.0.1', ", 0) == 0);
    CHECK(server.proc.expect_line("Sent ") == "Sent 19 bytes back");
    CHECK(server.proc.expect_line("Waiting") == "Waiting to receive message from client");
    server.stop(SIGINT);
}

TEST_CASE("udp_echo: default bind is every interface, as the lecture's HOST = ''", "[echo]")
{
    const auto port = free_port();
    Process server({bin("udp_echo_server"), "--port", P(port)});
    CHECK(server.expect_line("Starting up") == "Starting up UDP echo server on port " + P(port));
    wait_listening(port, true);
    auto c = client("udp_prompt_client", port, {}, "via localhost\n", "localhost");
    CHECK(c.out == "Enter message to send : Server reply : via localhost\nEnter message to send : \n");
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
}

TEST_CASE("udp_echo: message boundaries kept: N sends are N recvs of the same sizes, one socket for two peers", "[echo][interop]")
{
    UdpServer server("udp_echo_server", {});
    // Everything is sent before anything is read: with TCP the pieces would run together.
    auto py = python(
        "import socket,sys\n"
        "port = int(sys.argv[1])\n"
        "a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "sizes = [1, 100, 1000, 3000, 7]\n"
        "for i, n in enumerate(sizes):\n"
        "    (a if i % 2 == 0 else b).sendto(bytes([65 + i]) * n, ('127.0.0.1', port))\n"
        "a.settimeout(10); b.settimeout(10)\n"
        "got_a = [a.recv(65535) for _ in range(3)]\n"
        "got_b = [b.recv(65535) for _ in range(2)]\n"
        "print([len(d) for d in got_a], [len(d) for d in got_b])\n"
        "print(got_a == [b'A', b'C' * 1000, b'E' * 7], got_b == [b'B' * 100, b'D' * 3000])\n",
        {P(server.port)});
    CHECK(py.code == 0);
    CHECK(py.out == "[1, 1000, 7] [100, 3000]\nTrue True\n");
    for (int size : {1, 100, 1000, 3000, 7}) {
        CHECK(server.proc.expect_line("Received ").rfind("Received " + std::to_string(size) + " bytes from ", 0) == 0);
        CHECK(server.proc.expect_line("Sent ") == "Sent " + std::to_string(size) + " bytes back");
    }
    server.stop();
}

TEST_CASE("udp_echo: the largest datagram, 65507 bytes, comes back whole - 65508 cannot be sent", "[echo][interop]")
{
    UdpServer server("udp_echo_server", {});
    auto py = python(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)\n"
        "s.settimeout(10)\n"
        "data = bytes(i % 251 for i in range(65507))\n"
        "s.sendto(data, ('127.0.0.1', int(sys.argv[1])))\n"
        "back = s.recv(70000)\n"
        "print(len(back), back == data)\n"
        "try:\n"
        "    s.sendto(b'x' * 65508, ('127.0.0.1', int(sys.argv[1])))\n"
        "except OSError as e:\n"
        "    print(e.errno, e.strerror)\n",
        {P(server.port)});
    CHECK(py.code == 0);
    CHECK(py.out == "65507 True\n90 Message too long\n");
    CHECK(server.proc.expect_line("Received ").rfind("Received 65507 bytes from ('127.0.0.1', ", 0) == 0);
    CHECK(server.proc.expect_line("Sent ") == "Sent 65507 bytes back");
    server.stop();
}

TEST_CASE("udp_echo --buffer 2048 (the lecture's size): a longer datagram is cut, and the log says so", "[echo][interop]")
{
    UdpServer server("udp_echo_server", {"--buffer", "2048"});
    auto py = python(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.settimeout(10)\n"
        "s.sendto(b'x' * 3000, ('127.0.0.1', int(sys.argv[1])))\n"
        "print(len(s.recv(65535)))\n",
        {P(server.port)});
    CHECK(py.out == "2048\n");
    CHECK(server.proc.expect_line("Received ").rfind("Received 2048 bytes from ", 0) == 0);
    CHECK(server.proc.expect_line("(the datagram") == "(the datagram had 3000 bytes: 952 did not fit the buffer and are lost)");
    CHECK(server.proc.expect_line("Sent ") == "Sent 2048 bytes back");
    server.stop();
}

TEST_CASE("udp_echo over IPv6, and an empty datagram is skipped as in the lecture", "[echo][ipv6][interop]")
{
    UdpServer server("udp_echo_server", {}, "::1");
    auto py = python(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
        "s.settimeout(10)\n"
        "s.sendto(b'', ('::1', int(sys.argv[1])))\n"
        "s.sendto(b'v6', ('::1', int(sys.argv[1])))\n"
        "print(s.recv(100))\n",
        {P(server.port)});
    CHECK(py.out == "b'v6'\n");  // the empty one got no echo, or it would have come first
    CHECK(server.proc.expect_line("Received ").rfind("Received 2 bytes from ('::1', ", 0) == 0);
    server.stop();
}

// ---- udp_print_server / udp_prompt_client (lecture 004) -------------------------------------------

TEST_CASE("print server (lecture 004): prints each datagram from nc -u - never answers", "[print][interop]")
{
    UdpServer server("udp_print_server", {});
    CHECK(server.proc.expect_line("waiting on port:") == "waiting on port: " + P(server.port));
    // -q 0: nc sends what it read and quits at the end of its input.
    auto nc = run({tool("nc"), "-u", "-q", "0", "127.0.0.1", P(server.port)}, "hello from nc");
    CHECK(nc.code == 0);
    CHECK(server.proc.expect_line("hello") == "hello from nc");
    auto nc2 = run({tool("nc"), "-u", "-q", "0", "127.0.0.1", P(server.port)}, "привет");
    CHECK(nc2.code == 0);
    CHECK(server.proc.expect_line("привет") == "привет");
    server.stop();
}

namespace {
// The lecture's prompt loop over IPv4 and IPv6: what the user types, what the client prints, and
// the lines the server prints (each found by its first word).
struct Prompt {
    std::string host;
    std::vector<std::string> args;
    std::string input, out;
    std::vector<std::pair<std::string, std::string>> printed;
};
const std::vector<Prompt> kPrompts{
    {"127.0.0.1",
     {},
     "hello\n\nпривет\n",
     "Enter message to send : Server reply : hello\n"
     "Enter message to send : "  // the empty line is not sent
     "Enter message to send : Server reply : привет\n"
     "Enter message to send : \n",
     {{"hello", "hello"}, {"привет", "привет"}}},
    {"::1",
     {"--timeout", "5"},
     "over IPv6\n",
     "Enter message to send : Server reply : over IPv6\nEnter message to send : \n",
     {{"over", "over IPv6"}}},
};
}  // namespace

TEST_CASE("prompt client + print server --echo: the lecture's prompt loop", "[print][prompt]")
{
    const Prompt row = GENERATE(from_range(kPrompts));
    DYNAMIC_SECTION(row.host)
    {
        UdpServer server("udp_print_server", {"--echo"}, row.host);
        auto c = client("udp_prompt_client", server.port, row.args, row.input, row.host);
        CHECK(c.code == 0);
        CHECK(c.out == row.out);
        for (const auto& [first_word, line] : row.printed)
            CHECK(server.proc.expect_line(first_word) == line);
        server.stop();
    }
}

TEST_CASE("prompt client: no answer or a socket error is reported as 'Error Code : N Message ...', exit 1", "[prompt]")
{
    UdpServer server("udp_print_server", {});  // prints but never answers
    auto c = client("udp_prompt_client", server.port, {"--timeout", "0.3"}, "anyone there?\n");
    CHECK(c.code == 1);
    CHECK(c.out == "Enter message to send : Error Code : 110 Message Connection timed out\n");
    CHECK(server.proc.expect_line("anyone") == "anyone there?");

    // One byte more than the largest datagram: sendto() refuses it (EMSGSIZE). (The client stops
    // reading a line there; the input stays below a pipe's 64 KiB so the harness can write it all.)
    auto big = client("udp_prompt_client", server.port, {}, std::string(65508, 'x') + "\n");
    CHECK(big.code == 1);
    CHECK(big.out == "Enter message to send : Error Code : 90 Message Message too long\n");
    server.stop();
}

// ---- sntp_client / sntp_server (lecture 003) -----------------------------------------------------

TEST_CASE("sntp: our client against our server, offset and delay from the four timestamps", "[sntp]")
{
    UdpServer server("sntp_server", {"--stratum", "3"});
    CHECK(server.proc.expect_line("SNTP server on") == "SNTP server on ('127.0.0.1', " + P(server.port) + "), stratum 3");
    auto c = sntp_client({"--host", "127.0.0.1", "--port", P(server.port), "--timeout", "5"});
    CHECK(c.code == 0);
    CHECK(c.out.rfind("Response received from: ('127.0.0.1', " + P(server.port) + ")\n\tTime=", 0) == 0);
    CHECK(contains(c.out, "\n\tleap 0 (no warning), version 3, mode 4 (server), stratum 3\n\toffset "));
    CHECK(contains(c.out, " s, round-trip delay "));
    CHECK(std::abs(offset_of(c.out)) < 1.0);  // same clock on both sides
    CHECK(c.err.empty());
    CHECK(server.proc.expect_line("Answered").rfind("Answered ('127.0.0.1', ", 0) == 0);
    server.stop();
}

TEST_CASE("sntp over IPv6, and the request is 48 bytes starting 0x1b", "[sntp][ipv6]")
{
    UdpServer server("sntp_server", {}, "::1");
    auto c = sntp_client({"--host", "::1", "--port", P(server.port), "--trace", "--timeout", "5"});
    CHECK(c.code == 0);
    CHECK(c.out.rfind("Response received from: ('::1', " + P(server.port) + ", 0, 0)\n", 0) == 0);
    CHECK(contains(c.out, "stratum 10\n"));
    CHECK(contains(c.err, "sendto(3, 48, [::1]:" + P(server.port) + ") = 48\n"));
    server.stop();

    // What the request looks like on the wire: the lecture's first byte, 48 bytes in all.
    const auto port = free_port();
    auto capture = python_peer(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
        "print('ready', flush=True)\n"
        "d, a = s.recvfrom(1024)\n"
        "print(len(d), hex(d[0]), d[1:40] == bytes(39), d[40:48] != bytes(8))\n",
        {P(port)});
    capture.expect_line("ready");
    auto c2 = sntp_client({"--host", "127.0.0.1", "--port", P(port), "--timeout", "0.2"});
    CHECK(capture.expect_line("48") == "48 0x1b True True");  // and a transmit timestamp, for the originate check
    CHECK(capture.wait() == 0);
    CHECK(c2.code == 1);
}

TEST_CASE("sntp: NTP seconds since 1900 become the local time (TZ=UTC here)", "[sntp][interop]")
{
    const auto port = free_port();
    FakeSntp fake("127.0.0.1", port, "fixed");
    auto c = sntp_client({"--host", "127.0.0.1", "--port", P(port), "--timeout", "5"});
    CHECK(c.code == 0);
    CHECK(c.out.rfind("Response received from: ('127.0.0.1', " + P(port) +
                          ")\n"
                          "\tTime=Wed Oct 16 17:50:43 2024\n"
                          "\tleap 0 (no warning), version 4, mode 4 (server), stratum 2\n"
                          "\toffset -",
                      0) == 0);
}

namespace {
// A scripted peer's bad reply (kFakeSntp's modes) and why sntp_client rejects it.
struct Malformed {
    std::string mode;
    std::string reason;
};
const std::vector<Malformed> kMalformed{
    {"short", "20 bytes, shorter than the 48-byte SNTP header"},
    {"mode", "mode 3 (client), expected 4 (server)"},
    {"origin", "originate timestamp 01234567.89abcdef does not echo our transmit timestamp "},
    {"kod", "kiss-o'-death (stratum 0, code RATE)"},
    {"alarm", "leap indicator 3: the server's clock is not synchronized"},
    {"unsync", "stratum 16: the server's clock is not synchronized"},
    {"vn0", "version number 0"},  // RFC 4330 §5: discard a reply whose VN is 0
};
}  // namespace

TEST_CASE("sntp: malformed replies are rejected with a clear message, never a crash or a hang", "[sntp][interop]")
{
    const Malformed k = GENERATE(from_range(kMalformed));
    DYNAMIC_SECTION(k.mode)
    {
        const auto port = free_port();
        FakeSntp fake("127.0.0.1", port, k.mode);
        auto c = sntp_client({"--host", "127.0.0.1", "--port", P(port), "--timeout", "2"});
        const std::string from = "('127.0.0.1', " + P(port) + ")";
        CHECK(c.code == 1);
        CHECK(c.out.rfind("Reply from " + from + " rejected: " + k.reason, 0) == 0);
        CHECK(c.out.ends_with("\nNo valid reply from " + from + " within 2 s\n"));
        CHECK_FALSE(contains(c.out, "Response received"));
        CHECK(c.err == "sntp_client: 1 of 1 servers gave no valid reply\n");
        fake.proc.expect_line("answered");
    }
}

TEST_CASE("sntp: a peer flooding junk neither extends the wait nor floods the output", "[sntp][interop]")
{
    const auto port = free_port();
    FakeSntp flood("127.0.0.1", port, "flood");
    auto c = sntp_client({"--host", "127.0.0.1", "--port", P(port), "--timeout", "2"});
    CHECK(c.code == 1);
    std::string expected;
    for (int n = 0; n < 10; ++n)
        expected += "Reply from ('127.0.0.1', " + P(port) + ") rejected: " + std::to_string(n) +
                    " bytes, shorter than the 48-byte SNTP header\n";
    expected += "(20 more datagrams ignored or rejected)\nNo valid reply from ('127.0.0.1', " + P(port) + ") within 2 s\n";
    CHECK(c.out == expected);
    CHECK(c.err == "sntp_client: 1 of 1 servers gave no valid reply\n");
    flood.proc.expect_line("answered");
}

TEST_CASE("sntp_client: one server that cannot be asked is one runtime error line, exit 1", "[sntp]")
{
    auto c = sntp_client({"--host", "127.0.0.1", "--port", "0"});
    CHECK(c.code == 1);
    CHECK(c.out.empty());
    CHECK(c.err == "sntp_client: sendto(127.0.0.1:0): Invalid argument (errno 22, EINVAL)\n");
}

TEST_CASE("sntp: a bad reply does not hide a good one - a reply from the wrong port is ignored", "[sntp][interop]")
{
    const auto port = free_port();
    FakeSntp both("127.0.0.1", port, "short+good");
    auto c = sntp_client({"--host", "127.0.0.1", "--port", P(port), "--timeout", "5"});
    CHECK(c.code == 0);
    CHECK(c.out.rfind("Reply from ('127.0.0.1', " + P(port) + ") rejected: 20 bytes", 0) == 0);
    CHECK(contains(c.out, "\nResponse received from: ('127.0.0.1', " + P(port) + ")\n"));

    // Same host, another port: not the server we asked, so not its answer.
    const auto port2 = free_port();
    FakeSntp stranger("127.0.0.1", port2, "stranger");
    auto s = sntp_client({"--host", "127.0.0.1", "--port", P(port2), "--timeout", "2"});
    CHECK(s.code == 1);
    CHECK(s.out.rfind("Ignored 48 bytes from ('127.0.0.1', ", 0) == 0);
    CHECK(contains(s.out, "): not a server we are waiting for\nNo reply from ('127.0.0.1', " + P(port2) + ") within 2 s\n"));
}

TEST_CASE("sntp --servers: one socket, replies matched by source address - a silent server is reported", "[sntp][interop]")
{
    // Three servers on one port at three loopback addresses (all of 127/8 is loopback on Linux).
    const auto port = free_port();
    Process first({bin("sntp_server"), "--host", "127.0.0.2", "--port", P(port), "--stratum", "2"});
    Process third({bin("sntp_server"), "--host", "127.0.0.4", "--port", P(port), "--stratum", "4"});
    FakeSntp silent("127.0.0.3", port, "silent");
    first.expect_line("SNTP server on");
    third.expect_line("SNTP server on");

    auto c = sntp_client({"--servers", "127.0.0.2,127.0.0.3,127.0.0.4", "--port", P(port), "--trace", "--timeout", "4"});
    CHECK(c.code == 1);
    // Each reply is credited to the server it came from: the strata differ.
    CHECK(contains(c.out, "Response received from: ('127.0.0.2', " + P(port) + ")\n\tTime="));
    CHECK(contains(c.out, "Response received from: ('127.0.0.4', " + P(port) + ")\n\tTime="));
    const auto at2 = c.out.find("('127.0.0.2'");
    CHECK(c.out.find("stratum 2\n", at2) < c.out.find("Response received", at2 + 1));
    CHECK(contains(c.out.substr(c.out.find("('127.0.0.4'")), "stratum 4\n"));
    CHECK(c.out.ends_with("No reply from ('127.0.0.3', " + P(port) + ") within 4 s\n"));
    CHECK(c.err.ends_with("sntp_client: 1 of 3 servers gave no valid reply\nclose(3) = 0\n"));
    // ONE socket, three sendto() calls from it.
    CHECK(count(c.err, "socket(") == 1);
    CHECK(count(c.err, "sendto(3, 48, 127.0.0.") == 3);

    // host:port items: two servers on different ports of one address.
    const auto port2 = free_port();
    Process second({bin("sntp_server"), "--host", "127.0.0.1", "--port", P(port2)});
    second.expect_line("SNTP server on");
    auto c2 = sntp_client({"--servers", "127.0.0.2:" + P(port) + ",127.0.0.1:" + P(port2), "--timeout", "5"});
    CHECK(c2.code == 0);
    CHECK(count(c2.out, "Response received from: ") == 2);
    for (Process* p : {&first, &third, &second}) {
        p->signal(SIGTERM);
        CHECK(p->wait() == 0);
    }
}

TEST_CASE("sntp --servers: IPv4 and IPv6 servers through one dual-stack socket", "[sntp][ipv6]")
{
    UdpServer v4("sntp_server", {"--stratum", "4"});
    UdpServer v6("sntp_server", {"--stratum", "6"}, "::1");
    auto c = sntp_client({"--servers", "127.0.0.1:" + P(v4.port) + ",[::1]:" + P(v6.port), "--trace", "--timeout", "5"});
    CHECK(c.code == 0);
    // The IPv4 reply comes in as ::ffff:127.0.0.1 and is still credited to 127.0.0.1, stratum 4.
    const auto at4 = c.out.find("Response received from: ('127.0.0.1', " + P(v4.port) + ")\n");
    const auto at6 = c.out.find("Response received from: ('::1', " + P(v6.port) + ", 0, 0)\n");
    REQUIRE(at4 != std::string::npos);
    REQUIRE(at6 != std::string::npos);
    CHECK(c.out.find("stratum 4\n", at4) < (at6 > at4 ? at6 : std::string::npos));
    CHECK(c.out.find("stratum 6\n", at6) < (at4 > at6 ? at4 : std::string::npos));
    CHECK(count(c.err, "socket(") == 1);
    CHECK(contains(c.err, "socket(AF_INET6, SOCK_DGRAM) = 3\nsetsockopt(3, IPV6_V6ONLY, 0) = 0\n"));
    CHECK(contains(c.err, "sendto(3, 48, [::ffff:127.0.0.1]:" + P(v4.port) + ") = 48\n"));
    CHECK(contains(c.err, "sendto(3, 48, [::1]:" + P(v6.port) + ") = 48\n"));
    v4.stop();
    v6.stop();
}

TEST_CASE("sntp_server: junk and non-client packets are ignored, then the next request is answered", "[sntp][interop]")
{
    UdpServer server("sntp_server", {});
    const int fds = open_fd_count(server.proc.pid());
    auto py = python(
        "import socket,sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.sendto(b'junk!', ('127.0.0.1', int(sys.argv[1])))\n"
        "s.sendto(b'\\x24' + bytes(47), ('127.0.0.1', int(sys.argv[1])))\n",
        {P(server.port)});
    CHECK(server.proc.expect_line("Ignored 5").rfind("Ignored 5 bytes from ('127.0.0.1', ", 0) == 0);
    CHECK(server.proc.expect_line("Ignored a mode").rfind("Ignored a mode 4 (server) packet from ", 0) == 0);
    for (int i = 0; i < 10; ++i) {
        auto c = sntp_client({"--host", "127.0.0.1", "--port", P(server.port), "--timeout", "5"});
        CHECK(c.code == 0);
    }
    CHECK(open_fd_count(server.proc.pid()) == fds);  // one socket for every client, nothing per request
    server.stop();
}

TEST_CASE("sntp_server answers the lecture's own Python client", "[sntp][interop]")
{
    UdpServer server("sntp_server", {});
    auto py = python(
        "import socket, struct, time, select, sys\n"
        "TIME1970 = 2208988800\n"
        "client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "data = '\\x1b' + 47 * '\\0'\n"
        "client.sendto(data.encode('utf-8'), ('127.0.0.1', int(sys.argv[1])))\n"
        "rdy = select.select([client], [], [], 5)\n"
        "data, address = client.recvfrom(1024)\n"
        "print('Response received from:', address)\n"
        "t = struct.unpack('!12I', data)[10] - TIME1970\n"
        "print(abs(t - time.time()) < 5)\n",
        {P(server.port)});
    CHECK(py.code == 0);
    CHECK(py.out == "Response received from: ('127.0.0.1', " + P(server.port) + ")\nTrue\n");
    server.stop();
}

TEST_CASE("sntp: real NTP server: sntp_client against chronyd serving its local clock on a loopback port",
          "[sntp][interop][root]")
{
    if (!is_root())
        NETLAB_SKIP("chronyd needs root");
    TempDir dir;
    const auto port = free_port();
    {
        std::ofstream conf(dir.path + "/chrony.conf");
        conf << "port " << port << "\n"
             << "bindaddress 127.0.0.1\n"
             << "local stratum 8\n"  // serve our own clock: no upstream server, no foreign traffic
             << "allow 127.0.0.1\n"
             << "cmdport 0\n"         // no command port
             << "bindcmdaddress /\n"  // and no command socket in /run/chrony
             << "pidfile " << dir.path << "/chronyd.pid\n"
             << "driftfile " << dir.path << "/drift\n";
    }
    // -d: foreground, log to stderr; -x: never touch the system clock; -u root: keep access to our files.
    Process chronyd({tool("chronyd"), "-d", "-x", "-u", "root", "-f", dir.path + "/chrony.conf"});
    for (int tries = 0;; ++tries) {
        try {
            wait_listening(port, true, 200ms);
            break;
        } catch (const std::exception&) {
            if (!chronyd.running())
                NETLAB_SKIP("chronyd could not start: " + chronyd.transcript());
            REQUIRE(tries < 75);
        }
    }
    auto c = sntp_client({"--host", "127.0.0.1", "--port", P(port), "--timeout", "5"});
    CHECK(c.code == 0);
    CHECK(c.out.rfind("Response received from: ('127.0.0.1', " + P(port) + ")\n\tTime=", 0) == 0);
    CHECK(contains(c.out, "mode 4 (server), stratum 8\n"));
    CHECK(std::abs(offset_of(c.out)) < 1.0);
    chronyd.signal(SIGTERM);
    CHECK(chronyd.wait() == 0);
}

TEST_CASE("sntp: real NTP client: chronyd -Q measures its offset from sntp_server", "[sntp][interop]")
{
    // Unlike chronyd as a server, -Q runs without root: it opens no server port and sets nothing.
    UdpServer server("sntp_server", {"--stratum", "2"});
    // -Q: query the sources once, log the offset, exit; never sets the clock. -t bounds it.
    auto q = run({tool("chronyd"), "-Q", "-f", "/dev/null", "-t", "10",
                  "server 127.0.0.1 port " + P(server.port) + " iburst maxsamples 1"});
    if (q.code != 0 && contains(q.err, "Fatal error"))
        NETLAB_SKIP("chronyd could not start: " + q.err);
    CHECK(q.code == 0);
    CHECK(contains(q.err, "System clock wrong by "));
    CHECK(contains(q.err, " seconds (ignored)"));
    CHECK(server.proc.expect_line("Answered").rfind("Answered ('127.0.0.1', ", 0) == 0);
    server.stop();
}

TEST_CASE("sntp: real NTP client: ntpsec's ntpdig and ntpdate -q against sntp_server on port 123 in a private namespace",
          "[sntp][interop][root]")
{
    if (!is_root())
        NETLAB_SKIP("a network namespace needs root");
    // ntpdig/ntpdate cannot be told another port than 123; a namespace of our own has 123 free.
    // (ntpdig is ntpsec's SNTP client: Debian 12's `sntp` package was only a link to it, and
    // Debian 13 has no `sntp` at all; package ntpsec-ntpdig is in both.)
    NetNs ns;
    if (!ns.error.empty())
        NETLAB_SKIP("cannot set up a network namespace: " + ns.error);
    Process server(ns.exec({bin("sntp_server"), "--host", "127.0.0.1", "--port", "123", "--stratum", "5"}));
    CHECK(server.expect_line("SNTP server on") == "SNTP server on ('127.0.0.1', 123), stratum 5");
    auto ntpdig = run(ns.exec({tool("ntpdig"), "-t", "5", "127.0.0.1"}));
    CHECK(ntpdig.code == 0);
    CHECK(ntpdig.out.ends_with(" 127.0.0.1 s5 no-leap\n"));
    auto ntpdate = run(ns.exec({tool("ntpdate"), "-q", "-t", "5", "127.0.0.1"}));  // its own default is 1 s
    CHECK(ntpdate.code == 0);
    CHECK(ntpdate.out.ends_with(" 127.0.0.1 s5 no-leap\n"));
    CHECK(server.expect_line("Answered").rfind("Answered ('127.0.0.1', ", 0) == 0);
    CHECK(server.expect_line("Answered").rfind("Answered ('127.0.0.1', ", 0) == 0);
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
}

// ---- udp_connected_client (lecture 003) ----------------------------------------------------------

TEST_CASE("connected vs unconnected UDP to a closed port: silence vs ECONNREFUSED", "[connected]")
{
    const auto port = free_port();  // nothing is bound there
    auto c = client("udp_connected_client", port, {"--timeout", "2"});
    CHECK(c.code == 0);
    const std::string to = "127.0.0.1:" + P(port);
    CHECK(c.out.rfind("unconnected: local address before sendto: 0.0.0.0:0 (no port yet)\n"
                      "unconnected: sendto " +
                          to +
                          ": 48 bytes sent, no error\n"
                          "unconnected: local address after sendto: 0.0.0.0:",
                      0) == 0);
    CHECK(contains(c.out,
                   "\nunconnected: recvfrom: no reply within 2 s and no error: the datagram was lost silently\n"
                   "connected: connect " +
                       to + ": no packet sent, local address 127.0.0.1:"));
    CHECK(
        c.out.ends_with(" picked already\n"
                        "connected: send: 48 bytes sent, no error\n"
                        "connected: recv: Connection refused (errno 111, ECONNREFUSED): the ICMP port unreachable "
                        "reached this connected socket\n"
                        "Socket error: [Errno 111] Connection refused\n"));
}

TEST_CASE("connected vs unconnected over IPv6 (ICMPv6), one half at a time", "[connected][ipv6]")
{
    const auto port = free_port();
    auto u = client("udp_connected_client", port, {"--mode", "unconnected", "--timeout", "0.3"}, {}, "::1");
    CHECK(u.code == 0);
    CHECK(u.out.ends_with("unconnected: recvfrom: no reply within 0.3 s and no error: the datagram was lost silently\n"));
    CHECK_FALSE(contains(u.out, "connected: connect"));
    auto c = client("udp_connected_client", port, {"--mode", "connected", "--trace", "--timeout", "5"}, {}, "::1");
    CHECK(c.code == 0);
    CHECK(c.out.rfind("connected: connect [::1]:" + P(port) + ": no packet sent", 0) == 0);
    CHECK(c.out.ends_with("Socket error: [Errno 111] Connection refused\n"));
    CHECK(contains(c.err, "connect(3, [::1]:" + P(port) + ") = 0\nsend(3, 48) = 48\n"));
    CHECK(contains(c.err, "recv(3, 1024) = -1 ECONNREFUSED (Connection refused)\n"));
}

TEST_CASE("connected client against an open port: both sockets get the answer", "[connected]")
{
    UdpServer server("udp_thanks_server", {});
    auto c = client("udp_connected_client", server.port, {"--timeout", "5"});
    CHECK(c.code == 0);
    CHECK(
        contains(c.out, "unconnected: recvfrom: 22 bytes from ('127.0.0.1', " + P(server.port) + "): something listens there\n"));
    CHECK(c.out.ends_with("connected: recv: 22 bytes: something listens there\n"));
    server.stop();
}

TEST_CASE("connected client against an open port that never answers: both sockets just time out", "[connected]")
{
    UdpServer server("udp_print_server", {});
    auto c = client("udp_connected_client", server.port, {"--timeout", "0.3"});
    CHECK(c.code == 0);
    CHECK(contains(c.out, "\nunconnected: recvfrom: no reply within 0.3 s and no error: the datagram was lost silently\n"));
    CHECK(
        c.out.ends_with("\nconnected: recv: no reply and no error within 0.3 s (something listens but did not answer, "
                        "or the datagram, its answer or the ICMP error was lost)\n"));
    // Both datagrams did arrive: the 0x1b of the lecture's request starts each printed line.
    CHECK(server.proc.expect_line("\x1b").starts_with("\x1b"));
    CHECK(server.proc.expect_line("\x1b").starts_with("\x1b"));
    server.stop();
}

// ---- every program ----------------------------------------------------------------------------

namespace {
const std::vector<std::string> kPrograms{"udp_thanks_server", "udp_thanks_client", "udp_echo_server", "udp_print_server",
                                         "udp_prompt_client", "sntp_client",       "sntp_server",     "udp_connected_client"};
const std::vector<std::string> kServerPrograms{"udp_thanks_server", "udp_echo_server", "udp_print_server", "sntp_server"};

// An option's bad value: exit 2 and this one line.
const std::vector<BadValue> kBadValues{
    {{"udp_connected_client", "--mode", "sideways"},
     "udp_connected_client: --mode must be both, unconnected or connected, not 'sideways' (try --help)\n"},
    {{"sntp_server", "--stratum", "0"}, "sntp_server: --stratum must be a whole number from 1 to 15, not '0' (try --help)\n"},
    {{"udp_echo_server", "--buffer", "0"},
     "udp_echo_server: --buffer must be a whole number from 1 to 65535, not '0' (try --help)\n"},
    {{"sntp_client", "--servers", "127.0.0.1,,127.0.0.2"}, "sntp_client: --servers has an empty name in it (try --help)\n"},
    {{"sntp_client", "--servers", "127.0.0.1:x"},
     "sntp_client: --servers port must be a whole number from 1 to 65535, not 'x' (try --help)\n"},
    {{"sntp_client", "--servers", "[::1"}, "sntp_client: --servers: cannot read '[::1' (write [ipv6]:port) (try --help)\n"},
    {{"sntp_client", "--servers", "127.0.0.1", "--host", "127.0.0.2"},
     "sntp_client: --servers and --host cannot be used together (try --help)\n"},
    {{"sntp_client", "--timeout", "0"},
     "sntp_client: --timeout must be a number of seconds above 0 and at most 3600, not '0' (try --help)\n"},
};

}  // namespace

TEST_CASE("cli: every lesson02 program: --help, bad arguments exit 2 with one line", "[cli]")
{
    SECTION("every program")
    {
        const std::string program = GENERATE(from_range(kPrograms));
        DYNAMIC_SECTION(program)
        {
            const std::string help = check_common_cli(program);
            if (program == "sntp_client")  // the lecture's select() timeout
                CHECK(contains(help, "(default: 0.9)"));
        }
    }
    SECTION("an option's bad value")
    {
        const BadValue b = GENERATE(from_range(kBadValues));
        DYNAMIC_SECTION(join(b.argv)) { check_bad_value(b); }
    }
}

TEST_CASE("cli: UDP port already in use: one clear line naming bind and errno, exit 1", "[cli]")
{
    const std::string program = GENERATE(from_range(kServerPrograms));
    DYNAMIC_SECTION(program)
    {
        UdpServer first("udp_thanks_server", {});
        auto second = run({bin(program), "--host", "127.0.0.1", "--port", P(first.port)});
        CHECK(second.code == 1);
        CHECK(contains(second.err,
                       program + ": bind(127.0.0.1:" + P(first.port) + "): Address already in use (errno 98, EADDRINUSE)\n"));
        first.stop();
    }
}

// ---- the graders' rules (tests/support/rules.hpp, tests/README.md) ------------------------------

namespace {
using rules::Fault;

// A UDP client's runtime errors: nobody answers (its --timeout ends the wait), or a datagram
// that cannot be sent at all (port 0).
const std::vector<rules::RuntimeError> kRuntimeErrors{
    {"udp_thanks_server", {}, Fault::udp_busy, "Address already in use (errno 98, EADDRINUSE)"},
    {"udp_echo_server", {}, Fault::udp_busy, "Address already in use (errno 98, EADDRINUSE)"},
    {"udp_print_server", {}, Fault::udp_busy, "Address already in use (errno 98, EADDRINUSE)"},
    {"sntp_server", {}, Fault::udp_busy, "Address already in use (errno 98, EADDRINUSE)"},
    {"udp_thanks_client", {"--timeout", "0.3"}, Fault::nobody, "udp_thanks_client: recvfrom: timed out"},
    // The lecture prints its socket errors on stdout, as 'Error Code : N Message ...'.
    {"udp_prompt_client", {"--timeout", "0.3"}, Fault::nobody, "Error Code : ", 1, true, "anyone there?\n"},
    {"sntp_client", {"--timeout", "0.3"}, Fault::nobody, "sntp_client: "},
    {"udp_connected_client",
     {"--host", "127.0.0.1", "--port", "0"},
     Fault::none,
     "sendto(127.0.0.1:0): Invalid argument (errno 22, EINVAL)"},
};

const std::vector<rules::Served> kServers{
    {"udp_thanks_server", {}, true},        {"udp_echo_server", {}, true}, {"udp_print_server", {}, true},
    {"udp_print_server", {"--echo"}, true}, {"sntp_server", {}, true},
};
}  // namespace

TEST_CASE("rules: every lesson02 program's runtime error exits 1 with one line naming the call, also with --trace", "[rules]")
{
    for (const auto& row : kRuntimeErrors)
        DYNAMIC_SECTION(row.program) { rules::check(row); }
}

TEST_CASE("rules: every lesson02 server stops within 2 s of SIGINT and SIGTERM with status 0, idle and with a client", "[rules]")
{
    for (const auto& row : kServers)
        DYNAMIC_SECTION(rules::name(row)) { rules::check(row); }
}
