// tests/support/rules.hpp — the rules every program is graded by, as tables (tests/README.md).
//
//   1. Its runtime-error exit status is tested: one RuntimeError row per program (a busy port
//      for a server, nobody there for a client...), run without and with --trace.
//   2. Every server stops within 2 s of SIGINT and of SIGTERM with status 0, idle and with a
//      client connected, and leaves no process behind: one Served row per server.
//   3. Every option is exercised by a test with a value that changes the outcome: per-option
//      tests in the lesson's file; tests/README.md lists which test covers which option.
//
// A lesson's file holds its two tables and two TEST_CASEs that run them, one DYNAMIC_SECTION per
// row named after the program, so `test_lessonNN "rules: ..." -c upper_client` runs one row:
//
//   TEST_CASE("rules: every lesson01 program's runtime error exits 1", "[rules]")
//   {
//       for (const auto& row : kRuntimeErrors)
//           DYNAMIC_SECTION(row.program) { rules::check(row); }
//   }
//
// The programs are the processes the tests start; signals go to that process. A student's
// wrapper script must `exec` the program (or pass SIGINT/SIGTERM on and exit with its status);
// descriptors and children are counted over the whole process tree, so a wrapper is measured right.
#pragma once

#include "support/harness.hpp"

#include <string>
#include <vector>

namespace netlab::test::rules {

// What makes a program fail at run time.
enum class Fault {
    tcp_busy,  // something already listens on the TCP port (a server's bind fails)
    udp_busy,  // something already has the UDP port (a server's bind fails)
    nobody,    // nothing listens or answers on the port (a client is refused, or times out)
    none,      // the arguments alone cause it (a name that does not resolve, port 0...)
};

struct RuntimeError {
    std::string program;
    // Its arguments; "{port}" stands for the port the fault was prepared on. Without "{port}",
    // "--host 127.0.0.1 --port {port}" come first.
    std::vector<std::string> args;
    Fault fault;
    std::string says;        // a part of what it must print: the call and its errno, say
    int code = 1;            // the exit status the program documents for this error
    bool on_stdout = false;  // the lecture prints this error on stdout (robust_client)
    std::string input = {};  // its stdin
};

// Runs the row twice: as is (exit `code`, `says` on stderr - every stderr line starting with
// "<program>: " - or on stdout), and with --trace (the same status and error, and the
// narration before it on stderr).
void check(const RuntimeError& row);

// A server as the stop rule starts it: --host 127.0.0.1 --port N, then `args`.
struct Served {
    std::string program;
    std::vector<std::string> args = {};
    bool udp = false;
};

// Its section name: the program and its arguments ("echo_server --variant stream").
std::string name(const Served& row);

// Starts the server four times: SIGINT and SIGTERM, idle and with a client connected (TCP: a
// connection the server has accepted; UDP: a datagram it has logged or answered). Each time it
// must exit with status 0 within 2 s of the signal, its descendants gone as well.
void check(const Served& row);

}  // namespace netlab::test::rules
