// net_errors aborted — ECONNABORTED 103 as Linux produces it: the connection is destroyed on
// this machine (lecture 000: `ConnectionAbortedError: [Errno 103] Software caused connection abort`).
//
// "Software caused connection abort" means the local system, not the peer, ended the
// connection. On Linux an administrator can do that to any TCP socket with `ss -K` (sock_diag
// SOCK_DESTROY): the blocked recv() fails with ECONNABORTED, and the peer gets a RST. This
// needs root (CAP_NET_ADMIN) and a kernel built with CONFIG_INET_DIAG_DESTROY.
//
// Run (as root):  ./net_errors aborted
// By hand:  nc -l 127.0.0.1 5000 and  nc 127.0.0.1 5000  in two terminals, then as root
//           ss -K -tn dst 127.0.0.1 dport = 5000      (both nc end without a word)
#include "common/error.hpp"
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"
#include "lesson03_errors/tool.hpp"

#include <iostream>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace lesson03 {

namespace {
// How ss's filter wants an address: 127.0.0.1, but [::1] (a bare ::1 is a parse error).
std::string ss_address(const netlab::Endpoint& ep) { return ep.family() == AF_INET6 ? "[" + ep.ip() + "]" : ep.ip(); }

netlab::Endpoint peer_endpoint(int fd)
{
    netlab::Endpoint ep;
    ep.len = sizeof ep.addr;
    if (::getpeername(fd, ep.sa(), &ep.len) < 0)
        netlab::throw_sys("getpeername");
    return ep;
}
}  // namespace

int aborted(const Options& opts)
{
    title("connection aborted by this machine: ss -K (lecture 000)");
    if (::geteuid() != 0)
        throw std::runtime_error("aborted needs root: `ss -K` destroys sockets only with CAP_NET_ADMIN");
    Connection conn = connected_pair(opts);
    const netlab::Endpoint local = netlab::local_endpoint(conn.client.get());
    const netlab::Endpoint remote = peer_endpoint(conn.client.get());
    step("our client " + local.python() + " is connected to " + remote.python() +
         "; the administrator destroys it with ss -K, then we recv()");
    const std::vector<std::string> filter{"src", ss_address(local),  "sport", "=", std::to_string(local.port()),
                                          "dst", ss_address(remote), "dport", "=", std::to_string(remote.port())};
    // First, quietly, that the filter selects our connection: ss -K with a filter that matches
    // nothing also succeeds, and would pass for a kernel that cannot destroy sockets.
    std::vector<std::string> list{"ss", "-tn"};
    list.insert(list.end(), filter.begin(), filter.end());
    const auto listed = run_tool(list);
    if (!listed)
        throw std::runtime_error("aborted needs ss (iproute2) to destroy the socket");
    if (listed->status != 0 || listed->output.find(":" + std::to_string(local.port()) + " ") == std::string::npos)
        unexpected("ss -tn with our connection's filter does not list it (exit status " + std::to_string(listed->status) + ")");

    std::vector<std::string> kill{"ss", "-K", "-tn"};
    kill.insert(kill.end(), filter.begin(), filter.end());
    const auto status = show_tool(kill);
    if (status != 0)
        unexpected("ss -K failed (exit status " + std::to_string(status.value_or(127)) + ")");
    // ss -K skips, without a word, the sockets the kernel refuses to destroy.
    if (!wait_error(conn.client.get(), 3000))
        unexpected(
            "ss -K ran but the connection is still alive: this kernel cannot destroy sockets "
            "(no CONFIG_INET_DIAG_DESTROY)");
    expect_recv_error(ECONNABORTED, conn.client.get());
    step("the peer learns of it as a reset:");
    expect_recv_error(ECONNRESET, conn.server.get());
    explain("software on this machine (here the kernel, at the administrator's request) ended the connection.",
            "as for a reset: close the socket, reconnect if needed; nothing sent since the last answer is sure "
            "to have arrived.");
    return 0;
}

}  // namespace lesson03
