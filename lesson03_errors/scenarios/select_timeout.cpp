// net_errors select-timeout — wait for an answer with select() for 2 s: `no response`
// (lecture 003).
//
// The lecture sends its request, then select.select([s], [], [], 2): an empty list of readable
// sockets means nothing arrived in 2 s, and it raises RuntimeError("no response"), printed as
// `Socket error: no response`. Our peer accepts and never answers. Watch for: select() itself
// does not fail — it returns 0 ready descriptors; calling recv() only when select() says so is
// what keeps the program from blocking.
//
// Run:  ./net_errors select-timeout [--timeout 2]
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <iostream>
#include <sys/select.h>

namespace lesson03 {

int select_timeout(const Options& opts)
{
    title("select timeout: no response (lecture 003)");
    Connection conn = connected_pair(opts);
    netlab::send_all(conn.client.get(), "GET / HTTP/1.0\n\n", 5000);
    const int wait_ms = opts.wait_ms(2000);
    step("sent b'GET / HTTP/1.0\\n\\n'; the server never answers; select([s], [], [], " + seconds(wait_ms) + ")");
    const int fd = conn.client.get();
    if (fd >= FD_SETSIZE)  // select() cannot watch descriptors past FD_SETSIZE: one reason poll() exists
        unexpected("descriptor " + std::to_string(fd) + " is too big for select()");
    // A signal can cut select() short (EINTR); the lecture's Python retries for us. Linux leaves
    // the time still to wait in tv, so a retry does not start the whole wait again.
    timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
    int ready;
    do {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(fd, &readable);
        ready = ::select(fd + 1, &readable, nullptr, nullptr, &tv);
    } while (ready < 0 && errno == EINTR);
    if (ready < 0)
        netlab::throw_sys("select");
    netlab::trace("select(", fd + 1, ", [", fd, "], [], [], ", wait_ms, " ms) = ", ready);
    if (ready != 0)
        unexpected("select() returned " + std::to_string(ready));
    report_no_errno("select([" + std::to_string(fd) + "], [], [], " + std::to_string(wait_ms) + " ms) = 0",
                    "select() succeeded and returned 0 ready descriptors", "RuntimeError: no response");
    std::cout << "lecture: Socket error: no response\n";
    explain("no data arrived within the wait; the request may be lost, or the server slow or stuck.",
            "give up on this answer (close, report, maybe retry); never call recv() when select() says "
            "nothing is ready.");
    return 0;
}

}  // namespace lesson03
