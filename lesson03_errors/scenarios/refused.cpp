// net_errors refused — connect to a port where nothing listens (lectures 000, 003).
//
// The peer's kernel answers our SYN with RST, and connect() fails at once with ECONNREFUSED
// 111 (61 on the lecture's macOS). The peer here is a socket bound to a port but not listening:
// the port stays ours, so no other program can start listening there mid-demo.
//
// Run:  ./net_errors refused      By hand:  nc -v 127.0.0.1 1   (nothing listens on port 1)
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

namespace lesson03 {

int refused(const Options& opts)
{
    title("connection refused (lectures 000, 003)");
    auto where = netlab::resolve(opts.host, std::to_string(opts.port), SOCK_STREAM, true).front();
    netlab::Fd bound = netlab::open_socket(where.family, SOCK_STREAM);
    netlab::bind_to(bound.get(), where.endpoint);
    const netlab::Endpoint closed = netlab::local_endpoint(bound.get());
    step("port " + std::to_string(closed.port()) + " is bound but nobody listens: connecting to " + closed.python());
    expect_errno(ECONNREFUSED, [&] { connect_client(closed, 5000); });
    explain(
        "no program listens on that port, so the peer's kernel answered the SYN with RST; this comes "
        "back at once.",
        "check host and port; report it, or retry later with a growing pause (the server may be starting).");
    return 0;
}

}  // namespace lesson03
