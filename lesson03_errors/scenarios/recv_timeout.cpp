// net_errors recv-timeout — the server waits for the rest of our request, we wait for its
// answer: recv() times out (lectures 000, 003, 004).
//
// The lecture sends the start of an HTTP request, b'GET / HTTP/1.1', without the blank line
// that ends it; the server keeps waiting for more and never answers, and s.recv(4096) with
// settimeout(3.0) raises `TimeoutError: timed out`. Our peer holds the connection and never
// answers. Watch for: recv() with no timeout would wait forever; the timeout is the only way out.
//
// Run:  ./net_errors recv-timeout [--timeout 3]
// By hand:  nc -l 127.0.0.1 8000  in one terminal, and in another
//           python3 -c "import socket; s=socket.create_connection(('127.0.0.1',8000)); s.settimeout(3); s.sendall(b'GET / HTTP/1.1'); s.recv(4096)"
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

namespace lesson03 {

int recv_timeout(const Options& opts)
{
    title("recv timeout: an incomplete request gets no answer (lectures 000, 003, 004)");
    Connection conn = connected_pair(opts);
    const int wait_ms = opts.wait_ms(3000);
    step(
        "sent b'GET / HTTP/1.1' (no blank line: the request is not finished); the server waits for the "
        "rest, we wait " +
        std::to_string(wait_ms) + " ms for the answer");
    netlab::send_all(conn.client.get(), "GET / HTTP/1.1", 5000);
    expect_timeout(
        wait_ms,
        [&] {
            char buf[4096];
            netlab::recv_some(conn.client.get(), buf, sizeof buf, wait_ms);
        },
        "recv(4096) with settimeout(" + seconds(wait_ms) + ")");
    explain("both sides wait for each other: the request is incomplete, so the server never answers.",
            "put a timeout on every recv(); on timeout, close the connection (its state is unknown) and "
            "report or retry.");
    return 0;
}

}  // namespace lesson03
