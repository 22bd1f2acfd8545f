// net_errors reset-before-accept — where BSD and Windows say ECONNABORTED, Linux does not
// (lecture 000).
//
// The classic source of ECONNABORTED 103 ("Software caused connection abort") is a client that
// connects and resets before the server calls accept(): BSD's and Windows' accept() fail with
// it. Linux's accept() returns the dead connection anyway, and the first recv() on it reports
// ECONNRESET. Watch for: a portable server must expect either, and must not stop accepting
// because one client vanished (common/socket.cpp's accept_from skips ECONNABORTED for this).
// For the ECONNABORTED Linux can produce, see `net_errors aborted`.
//
// Run:  ./net_errors reset-before-accept
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <iostream>

namespace lesson03 {

int reset_before_accept(const Options& opts)
{
    title("a client resets before accept(): no ECONNABORTED on Linux (lecture 000)");
    netlab::Fd server = listener(opts, 5);
    const netlab::Endpoint addr = netlab::local_endpoint(server.get());
    step("a client connects to " + addr.python() + " and aborts (SO_LINGER 0 + close) before the server accepts");
    {
        netlab::Fd client = connect_client(addr, 5000);
        abort_on_close(client.get());
    }
    netlab::Fd conn = netlab::accept_from(server.get(), nullptr, 5000);
    std::cout << "accept() succeeded on Linux: it hands over the connection even though it is already reset\n";
    wait_error(conn.get(), 5000);
    expect_recv_error(ECONNRESET, conn.get());
    explain(
        "the client gave up between its connect() and our accept(); Linux reports that on the "
        "connection (ECONNRESET), BSD and Windows on accept() (ECONNABORTED 103).",
        "in a server, log it and go back to accept(): one vanished client must never stop the server.");
    return 0;
}

}  // namespace lesson03
