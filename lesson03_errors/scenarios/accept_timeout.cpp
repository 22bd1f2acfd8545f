// net_errors accept-timeout — a server that waits for a client with a timeout (lecture 004).
//
// The lecture binds ('', 0), listens, sets settimeout(5.0) and calls accept(): with no client
// it raises socket.timeout (`TimeoutError: timed out` since Python 3.10). Watch for: the port
// is chosen by the kernel (bind port 0), and the listening socket stays usable after the
// timeout — accept() can simply be called again.
//
// Run:  ./net_errors accept-timeout [--timeout 5]
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

namespace lesson03 {

int accept_timeout(const Options& opts)
{
    title("accept timeout: no client comes (lecture 004)");
    netlab::Fd server = listener(opts, 1);
    const int wait_ms = opts.wait_ms(5000);
    step("listening on " + netlab::local_endpoint(server.get()).python() +
         " (bind port 0: the kernel chose it); "
         "accept() with a " +
         std::to_string(wait_ms) + " ms timeout, and no client");
    expect_timeout(
        wait_ms, [&] { netlab::accept_from(server.get(), nullptr, wait_ms); },
        "accept() with settimeout(" + seconds(wait_ms) + ")");
    explain("nobody connected within the timeout.",
            "a server uses it to do other work (check a stop flag, housekeeping) and calls accept() again; "
            "the listening socket is unharmed.");
    return 0;
}

}  // namespace lesson03
