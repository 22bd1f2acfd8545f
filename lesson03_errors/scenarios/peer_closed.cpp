// net_errors peer-closed — the peer closes: recv() returns 0, not an error (lecture 003).
//
// The lecture checks `if not data: raise RuntimeError("socket connection broken")`. A recv()
// that returns 0 bytes is the end of the stream: the peer closed (or shut down) its side.
// Watch for: there is no errno at all — a program that only catches exceptions would loop
// forever on empty reads.
//
// Run:  ./net_errors peer-closed
// By hand:  nc -l 127.0.0.1 8000, then  ./robust_client --port 8000 --timeout 30  in another
//           terminal, then Ctrl-C the nc: `Connection error: socket connection broken`.
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <iostream>

namespace lesson03 {

int peer_closed(const Options& opts)
{
    title("peer closed: recv() returns 0 (lecture 003)");
    Connection conn = connected_pair(opts);
    step("the server closes the connection without answering; we recv(4096)");
    conn.server.reset();
    char buf[4096];
    const std::size_t n = netlab::recv_some(conn.client.get(), buf, sizeof buf, 5000);
    if (n != 0)
        unexpected("recv() returned " + std::to_string(n) + " bytes");
    report_no_errno("recv(4096) = 0", "recv() succeeded with 0 bytes: the peer sent FIN",
                    "RuntimeError: socket connection broken");
    std::cout << "lecture: Socket error: socket connection broken\n";
    explain("the peer closed its side of the connection; nothing more will ever arrive on it.",
            "check every recv() for 0 and stop reading: close the socket, and treat a missing answer as an error.");
    return 0;
}

}  // namespace lesson03
