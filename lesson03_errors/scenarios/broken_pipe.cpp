// net_errors broken-pipe — send() on a connection the peer has closed: EPIPE 32, and the
// SIGPIPE signal that kills a program by default (lecture 000).
//
// After the peer closes, our first send() still "succeeds" (the data only goes into the buffer);
// the peer's kernel answers it with RST, and the next send() fails with EPIPE. Unless told
// otherwise, the kernel also sends the process SIGPIPE, whose default action is to end it
// silently: the shell shows exit status 141 (128 + 13). Python ignores SIGPIPE, so there it
// is BrokenPipeError; netlab::run ignores it too, and send_some passes MSG_NOSIGNAL.
// Watch for: a server that writes to vanished clients dies without a message unless it ignores SIGPIPE.
//
// Run:  ./net_errors broken-pipe
#include "common/socket.hpp"
#include "lesson03_errors/peers.hpp"
#include "lesson03_errors/report.hpp"

#include <csignal>
#include <cstring>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

namespace lesson03 {

namespace {
// A connection whose peer has closed and answered our first send() with RST: the next send fails.
Connection broken_connection(const Options& opts)
{
    Connection conn = connected_pair(opts);
    conn.server.reset();
    netlab::send_all(conn.client.get(), "first", 5000);  // accepted into our buffer: no error yet
    if (!wait_error(conn.client.get(), 5000))
        unexpected("the peer's RST did not arrive");
    return conn;
}
}  // namespace

int broken_pipe(const Options& opts)
{
    title("broken pipe: send() after the peer closed (lecture 000)");
    step("the server closes; our first send() succeeds and the peer answers it with RST; we send again");
    {
        Connection conn = broken_connection(opts);
        expect_errno(
            EPIPE, [&] { netlab::send_all(conn.client.get(), "second", 5000); }, "send(b'second')");
        explain("the peer closed the connection: nobody will read what we send.",
                "ignore SIGPIPE once at start (or send with MSG_NOSIGNAL), handle EPIPE like a reset: close the "
                "socket and stop writing to it.");
    }

    step("the same send() in a child process that keeps SIGPIPE's default action:");
    Connection conn = broken_connection(opts);
    std::cout.flush();
    const pid_t child = ::fork();
    if (child < 0)
        netlab::throw_sys("fork");
    if (child == 0) {
        ::signal(SIGPIPE, SIG_DFL);
        ::send(conn.client.get(), "second", 6, 0);  // no MSG_NOSIGNAL: the kernel raises SIGPIPE here
        const char* still_alive = "child: send() returned, SIGPIPE did not kill us\n";
        (void)!::write(1, still_alive, std::strlen(still_alive));
        ::_exit(0);  // never runs our parent's destructors twice
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    netlab::trace("waitpid(", child, ") = status ", status);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGPIPE)
        unexpected("the child was not killed by SIGPIPE (status " + std::to_string(status) + ")");
    std::cout << "child " << child << ": killed by signal " << SIGPIPE << " (SIG" << sigabbrev_np(SIGPIPE) << ": "
              << strsignal(SIGPIPE) << "), exit status 141 in the shell, and not a word printed\n";
    explain("send() on a broken connection raises SIGPIPE, and the default action of SIGPIPE is to end the process.",
            "every network program should ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) and handle EPIPE instead.");
    return 0;
}

}  // namespace lesson03
