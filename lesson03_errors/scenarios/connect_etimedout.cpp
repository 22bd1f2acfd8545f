// net_errors connect-etimedout — connect() with no timeout of ours: the kernel gives up
// (lecture 003, and lecture 000's `TimeoutError: [Errno 110] Connection timed out`).
//
// Without settimeout, connect() blocks while the kernel resends the SYN, each time waiting
// twice as long: 1 + 2 + 4 + ... s. Linux gives up after net.ipv4.tcp_syn_retries = 6 retries,
// about 127 s (the lecture's macOS: 75 s), with ETIMEDOUT 110. We shorten this for one socket
// with TCP_SYNCNT (--syn-retries, default 2: about 7 s; 1: about 3 s). The silent drop is a
// listener with a full accept queue on this machine.
//
// Run:  ./net_errors connect-etimedout [--syn-retries 6]     (6: the system's two minutes)
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <netinet/in.h>
#include <netinet/tcp.h>

namespace lesson03 {

int connect_etimedout(const Options& opts)
{
    title("connect timeout by the kernel: ETIMEDOUT after the SYN retries (lectures 000, 003)");
    FullListener peer = full_listener(opts);
    netlab::Fd sock = netlab::open_socket(peer.address.family(), SOCK_STREAM);
    netlab::set_option(sock.get(), IPPROTO_TCP, TCP_SYNCNT, opts.syn_retries, "TCP_SYNCNT");
    step("SYNs to " + peer.address.python() + " are dropped (full accept queue); blocking connect() with " +
         std::to_string(opts.syn_retries) + " SYN retries and no timeout of ours");
    const auto start = std::chrono::steady_clock::now();
    expect_errno(ETIMEDOUT, [&] { netlab::connect_to(sock.get(), peer.address); });
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::cout << "took:    " << std::fixed << std::setprecision(1) << took.count() << " s\n";
    explain("the kernel sent the SYN " + std::to_string(opts.syn_retries + 1) +
                " times, waiting longer each time, got no answer and gave up.",
            "do not rely on this: two minutes by default. Set your own timeout (see connect-timeout); "
            "Python's TimeoutError catches both kinds.");
    return 0;
}

}  // namespace lesson03
