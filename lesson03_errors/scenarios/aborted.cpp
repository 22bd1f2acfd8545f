// net_errors aborted — ECONNABORTED 103 as Linux produces it: the connection is destroyed on
// this machine (lecture 000: `ConnectionAbortedError: [Errno 103] Software caused connection abort`).
//
// "Software caused connection abort" means the local system, not the peer, ended the
// connection. On Linux an administrator can do that to any TCP socket with `ss -K` (sock_diag
// SOCK_DESTROY): the blocked recv() fails with ECONNABORTED, and the peer gets a RST. This
// needs root (CAP_NET_ADMIN) and a kernel built with CONFIG_INET_DIAG_DESTROY.
//
// Run (as root):  ./net_errors aborted
// By hand:  nc 127.0.0.1 PORT in one terminal, then  ss -K dst 127.0.0.1 dport = PORT  as root.
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"
#include "lesson03_errors/tool.hpp"

#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace lesson03 {

int aborted(const Options& opts)
{
    title("connection aborted by this machine: ss -K (lecture 000)");
    if (::geteuid() != 0)
        throw std::runtime_error("aborted needs root: `ss -K` destroys sockets only with CAP_NET_ADMIN");
    Connection conn = connected_pair(opts);
    const netlab::Endpoint local = netlab::local_endpoint(conn.client.get());
    const netlab::Endpoint remote = netlab::peer_endpoint(conn.client.get());
    step("our client " + local.python() + " is connected to " + remote.python() +
         "; the administrator destroys it with ss -K while we wait in recv()");
    const bool have_ss = show_tool({"ss", "-K", "-tn", "src", local.ip(), "sport", "=", std::to_string(local.port()), "dst", remote.ip(),
               "dport", "=", std::to_string(remote.port())});
    if (!have_ss)
        throw std::runtime_error("aborted needs ss (iproute2) to destroy the socket");
    if (!wait_error(conn.client.get(), 3000))
        unexpected("ss -K did not destroy the socket: it needs CAP_NET_ADMIN and a kernel with "
                   "CONFIG_INET_DIAG_DESTROY");
    expect_errno(ECONNABORTED, [&] {
        char buf[4096];
        netlab::recv_some(conn.client.get(), buf, sizeof buf, 5000);
    }, "recv(4096)");
    step("the peer learns of it as a reset:");
    expect_errno(ECONNRESET, [&] {
        char buf[4096];
        netlab::recv_some(conn.server.get(), buf, sizeof buf, 5000);
    }, "recv(4096)");
    explain("software on this machine (here the kernel, at the administrator's request) ended the connection.",
            "as for a reset: close the socket, reconnect if needed; nothing sent since the last answer is sure "
            "to have arrived.");
    return 0;
}

}  // namespace lesson03
