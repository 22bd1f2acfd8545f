// net_errors would-block — recv() on a non-blocking socket with nothing to read: EAGAIN 11
// (lecture 004: conn.setblocking(0), `except socket.error: # данных нет`).
//
// A non-blocking call never waits: when it would have to, it fails with EAGAIN (== EWOULDBLOCK
// on Linux; 35 on the lecture's macOS). Python raises BlockingIOError. Watch for: EAGAIN is not
// a failure of the connection — it only means "not now"; poll()/select() tells you when to try again.
//
// Run:  ./net_errors would-block
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <iostream>
#include <sys/socket.h>

namespace lesson03 {

int would_block(const Options& opts)
{
    title("non-blocking recv() with no data: EAGAIN (lecture 004)");
    Connection conn = connected_pair(opts);
    const int fd = conn.client.get();
    step("setblocking(0) on our connected socket (O_NONBLOCK); the server has sent nothing; recv(1024)");
    netlab::set_nonblocking(fd);
    char buf[1024];
    // A raw recv(): netlab::recv_some waits in poll() first, which is exactly what we skip here.
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    const int err = errno;
    trace_raw("recv(" + std::to_string(fd) + ", 1024)", n, err);
    if (n >= 0)
        unexpected("recv() returned " + std::to_string(n));
    report_errno("recv(" + std::to_string(fd) + ", 1024)", err);
    if (err != EAGAIN)
        unexpected("expected EAGAIN, got " + netlab::errno_name(err));

    step("the server sends b'data'; we wait until poll() says it is there, and recv() returns it");
    netlab::send_all(conn.server.get(), "data", 5000);
    // This time through the wrapper, which waits in poll() until the data is there: the right way.
    const std::size_t got = netlab::recv_some(fd, buf, sizeof buf, 5000);
    std::cout << "recv(1024) = " << got << " bytes\n";
    explain("the socket is non-blocking and no data had arrived, so recv() returned at once instead of waiting.",
            "not an error of the connection: wait with select()/poll() (or do other work) and call recv() again.");
    return 0;
}

}  // namespace lesson03
