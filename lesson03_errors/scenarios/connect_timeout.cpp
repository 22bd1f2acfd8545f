// net_errors connect-timeout — connect() to a peer that never answers, with our own timeout
// (lectures 000, 003).
//
// A firewall that drops SYNs makes connect() wait; Python's settimeout(5) gives up after 5 s
// with `TimeoutError: timed out` (socket.timeout). We make the silent drop on this machine:
// a listener whose accept queue is full, for which Linux drops further SYNs unanswered.
// Watch for: no errno here — the kernel is still trying; it is *our* wait that ends. The
// socket is then useless: the lecture reuses it for another connect(), which Linux refuses
// with EALREADY 114 (the handshake is still in progress), where the lecture's system said
// "Connection refused" and then "Software caused connection abort". Use a new socket.
//
// Run:  ./net_errors connect-timeout [--timeout 5]
// By hand:  ss -tn state syn-sent   while it waits.
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

namespace lesson03 {

int connect_timeout(const Options& opts)
{
    title("connect timeout: SYNs dropped, our own timeout ends the wait (lectures 000, 003)");
    FullListener peer = full_listener(opts);
    const int wait_ms = opts.wait_ms(5000);
    step("the accept queue of " + peer.address.python() +
         " is full (backlog 0, one connection nobody "
         "accepted): further SYNs are dropped; connecting with a " +
         std::to_string(wait_ms) + " ms timeout");
    netlab::Fd sock = netlab::open_socket(peer.address.family(), SOCK_STREAM);
    expect_timeout(
        wait_ms, [&] { netlab::connect_to(sock.get(), peer.address, wait_ms); },
        "connect(" + peer.address.str() + ") with settimeout(" + seconds(wait_ms) + ")");
    explain(
        "the SYN got no answer (a firewall dropping packets, a host that is off); the kernel would "
        "retry for about two minutes, our timeout gave up first.",
        "always set a timeout (settimeout) and treat it as its own case: report, retry later, or try "
        "the next address.");

    step("the lecture then calls connect() again on the same socket, to another port:");
    const std::string other_port = std::to_string(peer.address.port() ^ 1);
    const netlab::Endpoint other = netlab::resolve(peer.address.ip(), other_port, SOCK_STREAM).front().endpoint;
    // A raw call: the socket is still non-blocking from the timed connect, as Python's is.
    const int rc = ::connect(sock.get(), other.sa(), other.len);
    const int err = errno;
    trace_raw("connect(" + std::to_string(sock.get()) + ", " + other.str() + ")", rc, err);
    if (rc == 0)
        unexpected("the second connect succeeded");
    report_errno("connect(" + other.str() + ")", err);
    explain(
        "on Linux the first handshake is still running in the kernel, so the socket says EALREADY "
        "(the lecture's system said ECONNREFUSED, then ECONNABORTED 103: not what Linux does).",
        "after a timeout or any failed connect, close the socket and make a new one.");
    if (err != EALREADY)
        unexpected("expected EALREADY, got " + netlab::errno_name(err));
    return 0;
}

}  // namespace lesson03
