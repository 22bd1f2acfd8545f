// net_errors send-buffer — the peer never reads: the buffers fill up and a non-blocking send()
// fails with EAGAIN (lecture 002, app-server-test.py / app-client-test.py).
//
// send() only copies into our socket's send buffer; TCP moves it to the peer's receive buffer
// as long as the peer's window allows. A peer that never calls recv() fills its receive buffer
// (its Recv-Q), then ours fills (our Send-Q), and then a non-blocking send() fails with EAGAIN
// (a blocking one would wait forever). The lecture prints
//   Error: socket.send() blocking io exception for ('127.0.0.1', 65432):
//   BlockingIOError(35, 'Resource temporarily unavailable')         (35 is macOS's EAGAIN)
// and shows both queues in netstat. Watch for: how much the kernel buffers before pushing back.
//
// Run:  ./net_errors send-buffer [--port 65432]
// By hand:  nc -l 127.0.0.1 65432 with nc stopped (Ctrl-Z), a sender in another terminal, and
//           ss -tn '( sport = :65432 or dport = :65432 )'
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"
#include "lesson03_errors/tool.hpp"

#include <cstring>
#include <iostream>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <vector>

namespace lesson03 {

namespace {
// Bytes in a socket's queue, as ss shows them: SIOCINQ (Recv-Q: received, not yet read) or
// SIOCOUTQ (Send-Q: not yet acknowledged by the peer).
long queued(int fd, unsigned long request)
{
    int bytes = 0;
    if (::ioctl(fd, request, &bytes) < 0)
        netlab::throw_sys(request == SIOCINQ ? "ioctl(SIOCINQ)" : "ioctl(SIOCOUTQ)");
    return bytes;
}
}  // namespace

int send_buffer(const Options& opts)
{
    title("the send buffer fills when the peer never reads: EAGAIN (lecture 002)");
    Connection conn = connected_pair(opts);
    const int fd = conn.client.get();
    const netlab::Endpoint server_addr = netlab::local_endpoint(conn.listener.get());
    netlab::set_nonblocking(fd);
    step("the server accepted and never calls recv(); we send 64 KiB chunks on a non-blocking socket");

    const std::vector<char> chunk(64 * 1024, 'x');
    constexpr long kLimit = 1L << 30;  // the kernel pushes back long before 1 GiB
    long total = 0;
    int calls = 0, err = 0;
    while (total < kLimit) {
        const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            break;
        }
        total += n;
        ++calls;
    }
    netlab::trace(calls, " x send(", fd, ", 65536) = ", total, " bytes in all, then send = -1 ",
                  (err ? netlab::errno_name(err) : "(none)"));
    if (err == 0)
        unexpected("1 GiB was accepted without EAGAIN");
    report_errno("send(" + std::to_string(fd) + ", 65536) after " + std::to_string(calls) + " successful calls", err);
    std::cout << "lecture: Error: socket.send() blocking io exception for " << server_addr.python() << ":\n"
              << "lecture: BlockingIOError(" << err << ", '" << std::strerror(err) << "')\n";
    if (err != EAGAIN)
        unexpected("expected EAGAIN, got " + netlab::errno_name(err));

    // Bytes the server has but not yet acknowledged count in both queues; its delayed ACK
    // settles that within a fraction of a second. Wait for it (bounded) so ss sees what we print.
    long recv_q = 0, send_q = 0;
    for (int i = 0; i < 400; ++i) {
        recv_q = queued(conn.server.get(), SIOCINQ);
        send_q = queued(fd, SIOCOUTQ);
        if (recv_q + send_q == total)
            break;
        ::poll(nullptr, 0, 5);
    }
    std::cout << "queued:  " << total << " bytes accepted by send() before EAGAIN\n"
              << "Recv-Q:  " << recv_q << " bytes (server side: arrived, never read)\n"
              << "Send-Q:  " << send_q << " bytes (client side: not yet acknowledged by the server)\n";
    if (recv_q + send_q == total)
        std::cout << "Recv-Q + Send-Q = " << total << ": every byte we sent waits in one of the two queues\n";
    const std::string port = std::to_string(server_addr.port());
    show_tool({"ss", "-tn", "state", "established", "( sport = :" + port + " or dport = :" + port + " )"});
    explain(
        "the peer does not read, so its receive buffer and then our send buffer are full; TCP's flow "
        "control stops us instead of losing data.",
        "with non-blocking sockets keep the unsent rest and wait for POLLOUT before sending more; a peer "
        "that never reads needs a timeout, or the connection closed.");
    return 0;
}

}  // namespace lesson03
