// net_errors not-local — bind to an address this machine does not have (lecture 003).
//
// The lecture binds its echo server to 77.88.8.8 and gets "Can't assign requested address"
// (EADDRNOTAVAIL; 49 on macOS, 99 on Linux). We use 192.0.2.1, an address reserved for
// documentation that no machine owns; bind() sends nothing, it only checks the interfaces.
// Watch for: '' (0.0.0.0) means every interface and always works; `ss -tln` then shows the
// listener as 0.0.0.0:port (netstat: *.port).
//
// Run:  ./net_errors not-local   (or --host ADDRESS to try another address)
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <fstream>
#include <iostream>

namespace lesson03 {

int not_local(const Options& opts)
{
    title("bind to a non-local address (lecture 003)");
    step("binding a server to " + opts.host + ", which no interface of this machine has");
    expect_errno(EADDRNOTAVAIL, [&] { listener(opts, 5); });
    explain("a server can only listen on addresses its own interfaces carry (see `ip -brief address`).",
            "bind to one of them, to 127.0.0.1 for this machine only, or to '' / 0.0.0.0 for all of them.");
    if (std::ifstream("/proc/sys/net/ipv4/ip_nonlocal_bind").get() == '1')
        std::cout << "note: net.ipv4.ip_nonlocal_bind is 1 here, which would let such a bind succeed\n";

    Options any = opts;
    const bool v6 = netlab::resolve(opts.host, "0", SOCK_STREAM, true).front().family == AF_INET6;
    any.host = v6 ? "::" : "0.0.0.0";
    any.port = 0;
    netlab::Fd all = listener(any, 5);
    std::cout << "bind(('', 0)) works: listening on " << netlab::local_endpoint(all.get()).python()
              << ", every interface, which ss shows as " << (v6 ? "[::]" : "0.0.0.0") << ":port\n";
    return 0;
}

}  // namespace lesson03
