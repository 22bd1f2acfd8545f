// net_errors bad-fd — using a socket after close(): EBADF 9 (lecture 000).
//
// The lecture closes s and calls s.connect() again: `OSError: [Errno 9] Bad file descriptor`.
// A descriptor is just a number the kernel gave us; after close() it means nothing.
// Watch for: the real danger in C and C++ — the next socket() or open() may get the same number,
// and then the stale one silently works on someone else's file. netlab::Fd forgets the number
// when it closes, which is why our programs never keep a raw int after close().
//
// Run:  ./net_errors bad-fd
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <sys/socket.h>

namespace lesson03 {

int bad_fd(const Options& opts)
{
    title("use after close: bad file descriptor (lecture 000)");
    netlab::Fd server = listener(opts, 1);
    const netlab::Endpoint addr = netlab::local_endpoint(server.get());
    netlab::Fd sock = netlab::open_socket(addr.family(), SOCK_STREAM);
    const int stale = sock.get();
    step("socket " + std::to_string(stale) + " is closed, then connect() is called with its old number");
    sock.reset();
    // A raw call on purpose: no wrapper would take a closed descriptor. Nothing opens a
    // descriptor between the close and this call, so the number is still unused.
    const int rc = ::connect(stale, addr.sa(), addr.len);
    const int err = errno;
    trace_raw("connect(" + std::to_string(stale) + ", " + addr.str() + ")", rc, err);
    if (rc == 0)
        unexpected("connect() on a closed descriptor succeeded");
    report_errno("connect(" + std::to_string(stale) + ", " + addr.str() + ")", err);
    explain("the descriptor was closed: the kernel no longer knows that number (or, worse, gave it to a new file).",
            "a bug in the program, not the network: never use a socket after close() (RAII: one owner, which "
            "forgets the number when it closes).");
    if (err != EBADF)
        unexpected("expected EBADF, got " + netlab::errno_name(err));
    return 0;
}

}  // namespace lesson03
