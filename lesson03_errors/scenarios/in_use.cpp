// net_errors in-use — a second bind to a port someone listens on (lecture 000).
//
// The lecture binds s2 to the port of a live socket and gets EADDRINUSE 98. Watch for: the
// error comes from bind(), the moment the address is claimed, not from listen() or connect().
//
// Run:  ./net_errors in-use
// By hand:  nc -l 127.0.0.1 5000, and in another terminal
//           python3 -c "import socket; socket.socket().bind(('127.0.0.1', 5000))"
// (not a second `nc -l`: netcat-openbsd sets SO_REUSEPORT, and two such listeners share a port).
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

namespace lesson03 {

int in_use(const Options& opts)
{
    title("port in use: a second bind to a listening port (lecture 000)");
    netlab::Fd first = listener(opts, 5);
    const netlab::Endpoint taken = netlab::local_endpoint(first.get());
    step("a server listens on " + taken.python() + "; a second socket binds the same address");
    expect_errno(EADDRINUSE, [&] {
        netlab::Fd second = netlab::open_socket(taken.family(), SOCK_STREAM);
        netlab::bind_to(second.get(), taken);
    });
    explain("only one socket may own an address and port; another program (or a copy of this one) has it.",
            "report it and exit, or pick another port; `ss -tlnp` shows who owns it.");
    return 0;
}

}  // namespace lesson03
