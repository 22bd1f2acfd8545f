// net_errors time-wait — a restarted server cannot bind while old connections sit in
// TIME_WAIT; SO_REUSEADDR cures it (lectures 003 and 002).
//
// The side that closes a TCP connection first keeps it in TIME_WAIT for 60 s on Linux, so late
// packets of the old connection cannot reach a new one. A server that closes first leaves such a
// connection on its own port. Watch for, on Linux: SO_REUSEADDR must be set by the server that
// ran *before* (the TIME_WAIT socket inherits it) as well as by the restarted one. Setting it
// only on restart is not enough — that is why every lecture server sets it right after socket().
//
// Run:  ./net_errors time-wait
// By hand: see the README — the server must be the side that closes first. A server that
// echoes until its client closes (lesson01's echo_server --variant stream) leaves the TIME_WAIT
// on the client's port, and restarts without trouble.
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"
#include "lesson03_errors/tool.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <poll.h>
#include <sstream>

namespace lesson03 {

namespace {
// True once /proc/net/tcp{,6} lists a TIME_WAIT (state 06) connection on local `port`.
bool in_time_wait(std::uint16_t port)
{
    char want[8];
    std::snprintf(want, sizeof want, ":%04X", port);
    for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(file);
        std::string line, slot, local, remote, state;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream(line) >> slot >> local >> remote >> state;
            if (state == "06" && local.ends_with(want))
                return true;
        }
    }
    return false;
}

// One server run: listen, serve one client, close the connection first (as the lecture's echo
// server does), stop. Leaves the server's side of that connection in TIME_WAIT on `port`.
std::uint16_t serve_once(Options opts, bool reuse_addr)
{
    netlab::Fd server = listener(opts, 5, reuse_addr);
    const netlab::Endpoint addr = netlab::local_endpoint(server.get());
    step("server " + std::string(reuse_addr ? "with" : "without") + " SO_REUSEADDR listens on " + addr.python() +
         ", answers one client and closes first; then the server stops");
    netlab::Fd client = connect_client(addr, 5000);
    {
        netlab::Fd conn = netlab::accept_from(server.get(), nullptr, 5000);
        netlab::send_all(conn.get(), "Hello", 5000);
    }  // the server's close comes first: its side will be the one in TIME_WAIT
    netlab::recv_until_eof(client.get(), 64, 5000);
    client.reset();
    server.reset();
    // The last ACK travels over loopback; wait (bounded) until the kernel shows the state.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!in_time_wait(addr.port()) && std::chrono::steady_clock::now() < until)
        ::poll(nullptr, 0, 5);
    if (!in_time_wait(addr.port()))
        unexpected("no TIME_WAIT connection appeared on port " + std::to_string(addr.port()));
    show_tool({"ss", "-tan", "state", "time-wait", "( sport = :" + std::to_string(addr.port()) + " )"});
    return addr.port();
}

void restart(Options opts, std::uint16_t port, bool reuse_addr)
{
    opts.port = port;
    step("restart on the same port " + std::string(reuse_addr ? "with" : "without") + " SO_REUSEADDR");
    netlab::Fd again = listener(opts, 5, reuse_addr);
    std::cout << "listening again on " << netlab::local_endpoint(again.get()).python() << "\n";
}
}  // namespace

int time_wait(const Options& opts)
{
    title("TIME_WAIT after a server restart, and the SO_REUSEADDR cure (lectures 003, 002)");
    const std::uint16_t port = serve_once(opts, false);
    expect_errno(EADDRINUSE, [&] { restart(opts, port, false); });
    explain(
        "the old server's connection is still in TIME_WAIT on that port (60 s on Linux), and TIME_WAIT "
        "keeps the address taken.",
        "set SO_REUSEADDR on the listening socket before bind(), in every run of the server.");
    step("the old socket had no SO_REUSEADDR, so setting it only now does not help on Linux:");
    expect_errno(EADDRINUSE, [&] { restart(opts, port, true); });

    step("the cure: a server that sets SO_REUSEADDR from the start");
    Options fresh = opts;
    fresh.port = 0;  // the first port stays blocked for a minute; the cure gets its own
    const std::uint16_t cured = serve_once(fresh, true);
    restart(fresh, cured, true);
    std::cout << "bind succeeded: SO_REUSEADDR lets a new listener share the port with TIME_WAIT "
                 "connections (never with a live listener: see in-use)\n";
    return 0;
}

}  // namespace lesson03
