// net_errors bad-name — a host name that does not resolve (lectures 000, 003).
//
// The lecture connects to ('bad adress', 0): before any packet, the name must become an
// address, and getaddrinfo fails with EAI_NONAME. Watch for: its codes are not errno values
// (Python shows the negative glibc code: [Errno -2]), and glibc refuses a name with a space
// before asking DNS — a well-formed unknown name would go to the DNS server, and without one
// you get EAI_AGAIN (-3, "Temporary failure in name resolution") instead.
//
// Run:  ./net_errors bad-name            (or --host some.name.invalid to ask DNS)
#include "common/error.hpp"
#include "common/socket.hpp"
#include "lesson03_errors/report.hpp"
#include "lesson03_errors/scenario.hpp"

#include <netdb.h>

namespace lesson03 {

int bad_name(const Options& opts)
{
    title("bad host name: getaddrinfo fails (lectures 000, 003)");
    step("resolving '" + opts.host + "' as connect((host, 0)) would, before any packet is sent");
    try {
        netlab::resolve(opts.host, "0", SOCK_STREAM);
    } catch (const netlab::ResolveError& e) {
        report_gai("getaddrinfo('" + opts.host + "', '0')", e.code());
        explain("the name has no address: it is misspelt, or (EAI_AGAIN) the DNS server could not be asked.",
                "catch this before any other socket error (Python: except socket.gaierror first) and tell the "
                "user to check the name; retry only on EAI_AGAIN.");
        if (e.code() != EAI_NONAME)
            unexpected("expected EAI_NONAME, got " + eai_name(e.code()));
        return 0;
    }
    unexpected("'" + opts.host + "' resolved");
}

}  // namespace lesson03
