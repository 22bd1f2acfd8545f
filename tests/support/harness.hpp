// tests/support/harness.hpp — run netlab programs (and real peers) as child processes.
//
//   auto port = free_port();
//   Process server({bin("echo_server"), "--port", std::to_string(port)});
//   wait_listening(port);                      // passive readiness check: no probe connection
//   auto client = run({bin("echo_client"), "--port", std::to_string(port)});
//   CHECK(client.out == "Привет!\n");
//   server.expect_line("Data: ");              // waits with a deadline, never a fixed sleep
//
// Every wait has a deadline; on failure the exception message shows what was expected and the
// whole transcript so far. A Process is killed (and reaped) when it goes out of scope.
// Grader mode: NETLAB_BIN_DIR=<dir> makes bin() find the programs there instead.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace netlab::test {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

// Generous enough for the sanitizer build on a loaded 2-core CI machine; only failures wait it out.
inline constexpr Ms kDeadline = 15s;

// Path of a netlab program (NETLAB_BIN_DIR or this build's bin/); fails if it does not exist.
std::string bin(const std::string& program);
// Path of an external tool on PATH (python3, nc, curl...); fails naming scripts/install-deps.
std::string tool(const std::string& name);
bool have_tool(const std::string& name);

class Process {
public:
    explicit Process(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process();  // SIGKILL (it and its descendants) and reap if still running

    pid_t pid() const { return pid_; }
    void write(std::string_view data);  // to the child's stdin
    void close_stdin();
    void signal(int sig);

    // Waits until a line of stdout (stderr) contains `text`; returns that line. Lines already
    // matched by an earlier expect are not seen again, so a transcript is checked in order.
    std::string expect_line(std::string_view text, Ms deadline = kDeadline);
    std::string expect_err_line(std::string_view text, Ms deadline = kDeadline);

    // Waits for exit; returns the exit status, or 128 + signal number if it was killed.
    int wait(Ms deadline = kDeadline);
    bool running();

    const std::string& out();  // everything read so far (drains what is pending)
    const std::string& err();
    std::string transcript() const;  // both streams, labelled, for failure messages

private:
    bool pump(Ms timeout);  // wait up to `timeout` and read one chunk; false if nothing came
    void drain();           // read everything already in the pipes, without waiting
    std::string expect_in(std::string& buf, std::size_t& cursor, std::string_view text, Ms deadline, const char* stream);

    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::string out_buf_, err_buf_;
    std::size_t out_cursor_ = 0, err_cursor_ = 0;
    int status_ = -1;
};

struct Result {
    int code;
    std::string out;
    std::string err;
};
// Runs a program to completion with `input` on its stdin.
Result run(std::vector<std::string> argv, std::string_view input = {}, Ms deadline = kDeadline,
           std::vector<std::string> extra_env = {});

// ---- the shapes every lesson's tests use ----------------------------------------------------------
// Decimal text of a port, for argv.
std::string P(std::uint16_t port);

// One of our servers, started with --host/--port on a fresh port and ready (listening, or bound
// for UDP) when the constructor returns.
struct Server {
    std::uint16_t port;
    Process proc;
    Server(const std::string& program, std::vector<std::string> args = {}, const std::string& host = "127.0.0.1",
           bool udp = false);
    // Ctrl-C or kill: the server must stop by itself, with status 0.
    void stop(int sig = SIGTERM);
};

// Runs one of our clients against host:port to completion.
Result client(const std::string& program, std::uint16_t port, std::vector<std::string> args = {}, std::string_view input = {},
              const std::string& host = "127.0.0.1");
// ---- real peers written in Python: the lecture's own code, run by python3 --------------------------
// Runs `python3 -c code args...` to completion: the lecture's client against one of ours.
Result python(const std::string& code, std::vector<std::string> args = {});
// Starts `python3 -c code args...` and returns at once: a peer the test talks to while it runs.
Process python_peer(const std::string& code, std::vector<std::string> args = {});

// The lecture's Python server, as `python3 -c code PORT args...` on a fresh port (sys.argv[1]),
// ready (listening, or bound for UDP) when the constructor returns: ours as its client, then
//   PythonServer py(kLectureServer);
//   auto c = client("echo_client", py.port);
//   CHECK(py.proc.wait() == 0);
struct PythonServer {
    std::uint16_t port;
    Process proc;
    explicit PythonServer(const std::string& code, bool udp = false, std::vector<std::string> args = {});
};

bool contains(std::string_view text, std::string_view part);
// argv as one line, "sntp_client --servers [::1": a section's name, a failure's context.
std::string join(const std::vector<std::string>& argv);

// ---- the command line every program shares (the quality bar) ----------------------------------------
// `program --help` exits 0 and lists --port and --trace; `--port 70000` and an unknown option are one
// line on stderr and exit 2; a --timeout, where the program has one, is refused at -1 by the one
// rule for every --timeout. Returns the --help text, for a program's own checks.
std::string check_common_cli(const std::string& program);
// One option's bad value: `argv` (argv[0] a program name) exits 2 with exactly `err` on stderr.
struct BadValue {
    std::vector<std::string> argv;
    std::string err;
};
void check_bad_value(const BadValue& row);

// A port no one listens on (TCP and UDP, IPv4 and IPv6), chosen at random below the kernel's
// ephemeral range so that client sockets of parallel tests never take it.
std::uint16_t free_port();
// Waits until something listens on TCP `port` (or has UDP `port` bound), by reading
// /proc/net/{tcp,tcp6,udp,udp6}: the check sends nothing, so it never disturbs a one-shot server.
void wait_listening(std::uint16_t port, bool udp = false, Ms deadline = kDeadline);

// Re-checks `condition` every 5 ms until it holds (true) or the deadline passes (false). For
// state that no event announces — /proc entries, a process's descriptor count, its children —
// this is a readiness probe, not a fixed sleep: it returns as soon as the state is reached.
template <class Condition>
bool eventually(Condition condition, Ms deadline = kDeadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// The processes below `pid` (children, their children...), each with its state letter (R, S,
// Z...), from /proc. A student's program started through a wrapper script that does not `exec`
// is a child of the script: measuring the whole tree keeps the tests right for it too.
std::map<pid_t, char> descendants(pid_t pid);
// Descriptors open in process `pid` and in its descendants (from /proc/<pid>/fd): the server's
// own count, also when a wrapper script started it.
int open_fd_count(pid_t pid);

// Connects to 127.0.0.1:port, then disappears without a FIN or a RST, as a client whose machine
// died: the socket is put in TCP repair mode, where close() sends nothing. The server is left
// with a half-open connection that only a keepalive probe (answered by RST) or a timeout ends.
// Returns false when this process may not use repair mode (it needs CAP_NET_ADMIN: root).
bool vanish_without_a_trace(std::uint16_t port);

}  // namespace netlab::test
