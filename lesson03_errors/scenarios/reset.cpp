// net_errors reset — the peer aborts the connection with RST: ECONNRESET 104 (lecture 000).
//
// A peer that closes with SO_LINGER {on, 0 s} sends RST instead of FIN: the connection is
// torn down at once and the next recv() fails with ECONNRESET (Python: ConnectionResetError).
// The same happens when a program closes a socket with unread data in it, or crashes.
// Watch for: the difference from peer-closed — FIN is "no more data", RST is "this connection
// is gone", and whatever was still in flight is lost.
//
// Run:  ./net_errors reset
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

namespace lesson03 {

int reset(const Options& opts)
{
    title("connection reset: the peer sends RST (lecture 000)");
    Connection conn = connected_pair(opts);
    step("the server sets SO_LINGER {on, 0 s} and closes: RST instead of FIN; we recv(4096)");
    abort_on_close(conn.server.get());
    conn.server.reset();
    expect_recv_error(ECONNRESET, conn.client.get());
    explain("the peer aborted the connection (RST): it crashed, closed with unread data, or chose to abort.",
            "this connection is finished: close it; reconnect if the work must go on, and treat data sent "
            "since the last answer as possibly lost.");
    return 0;
}

}  // namespace lesson03
