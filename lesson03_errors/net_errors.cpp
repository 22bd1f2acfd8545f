// net_errors — a guided tour of what goes wrong on the network (lectures 000, 002, 003, 004).
//
// One subcommand per failure; each sets up its own peer on loopback, triggers the failure and
// prints the failing call, errno (number and name), the system's message and the exception
// the lecture's Python shows, then why it happened and what a program should do about it.
//   ./net_errors --list          every scenario, one line each
//   ./net_errors refused         one of them (add --trace to see each socket call)
// Each scenario is one file in scenarios/. Exit status 0 means the failure showed up as the
// lecture describes; 1 means this machine behaved otherwise (the line says how); 2 usage.
//
// Watch for: the same errno can come from different calls (ETIMEDOUT from connect() is the
// kernel giving up; "timed out" from recv() is our own timeout), and some failures show up one
// call late (a reset peer is reported by the next recv() or send(), not by the one that was
// running when the RST arrived). The "call:" line of each scenario says which call failed.
//
// Run it:   ./net_errors --list      then   ./net_errors refused --trace
//           (no partner: every scenario makes its own peers on loopback and removes them)
#include "common/cli.hpp"
#include "common/error.hpp"
#include "lesson03_errors/scenario.hpp"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <string_view>

namespace {

struct Scenario {
    std::string_view name;
    std::string_view lectures;
    std::string_view summary;
    int (*run)(const lesson03::Options&);
    const char* default_host = "127.0.0.1";  // where the scenario's peers live, unless --host
};

constexpr Scenario kScenarios[] = {
    {"bad-name", "000 003", "getaddrinfo('bad adress') -> EAI_NONAME -2 (socket.gaierror)", lesson03::bad_name, "bad adress"},
    {"in-use", "000", "second bind to a listening port -> EADDRINUSE 98", lesson03::in_use},
    {"time-wait", "003 002", "restart while TIME_WAIT holds the port -> EADDRINUSE 98; SO_REUSEADDR cures it",
     lesson03::time_wait},
    {"not-local", "003", "bind to an address this host lacks -> EADDRNOTAVAIL 99; '' binds all", lesson03::not_local,
     "192.0.2.1"},
    {"refused", "000 003", "connect to a port nobody listens on -> ECONNREFUSED 111", lesson03::refused},
    {"connect-timeout", "000 003", "SYNs silently dropped, our timeout (5 s) -> TimeoutError: timed out; reuse -> EALREADY",
     lesson03::connect_timeout},
    {"connect-etimedout", "000 003", "SYNs silently dropped, no timeout of ours -> kernel's ETIMEDOUT 110",
     lesson03::connect_etimedout},
    {"recv-timeout", "000 003 004", "incomplete request, no answer, recv timeout (3 s) -> TimeoutError: timed out",
     lesson03::recv_timeout},
    {"accept-timeout", "004", "no client, accept timeout (5 s) -> TimeoutError: timed out", lesson03::accept_timeout},
    {"select-timeout", "003", "select() waits 2 s for an answer -> no response", lesson03::select_timeout},
    {"peer-closed", "003", "peer closes, recv() returns 0 -> socket connection broken", lesson03::peer_closed},
    {"reset", "000", "peer aborts with RST (SO_LINGER 0) -> ECONNRESET 104", lesson03::reset},
    {"reset-before-accept", "000", "client resets before accept(): Linux accepts, then ECONNRESET (no ECONNABORTED)",
     lesson03::reset_before_accept},
    {"aborted", "000", "connection destroyed here with ss -K (root) -> ECONNABORTED 103", lesson03::aborted},
    {"broken-pipe", "000", "send after the peer closed -> EPIPE 32; with SIGPIPE default the process dies",
     lesson03::broken_pipe},
    {"bad-fd", "000", "connect() on a closed socket -> EBADF 9", lesson03::bad_fd},
    {"would-block", "004", "non-blocking recv() with no data -> EAGAIN 11 (BlockingIOError)", lesson03::would_block},
    {"send-buffer", "002", "peer never reads: send buffer fills -> EAGAIN 11; Recv-Q/Send-Q as ss shows them",
     lesson03::send_buffer},
};

void list_scenarios()
{
    for (const Scenario& s : kScenarios)
        std::cout << std::left << std::setw(21) << s.name << s.summary << "  [lecture " << s.lectures << "]\n";
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("net_errors", "Shows one network failure at a time, with its errno and Python exception", "127.0.0.1", 0);
        cli.add()("list", "list the scenarios")                                                                       //
            ("timeout", "seconds for the timeout scenarios (default: the lecture's)", cxxopts::value<std::string>())  //
            ("syn-retries", "SYN retries for connect-etimedout (Linux: 6, ~127 s)",
             cxxopts::value<std::string>()->default_value("2"))  //
            ("scenario", "the scenario to run (see --list)", cxxopts::value<std::string>());
        cli.positional({"scenario"}, "SCENARIO   (net_errors --list shows them)");
        auto args = cli.parse(argc, argv);
        if (args.count("list")) {
            list_scenarios();
            return 0;
        }
        if (!args.count("scenario"))
            throw netlab::UsageError("name a scenario; `net_errors --list` shows them");
        const std::string name = args["scenario"].as<std::string>();

        const Scenario* chosen = nullptr;
        for (const Scenario& s : kScenarios)
            if (s.name == name)
                chosen = &s;
        if (!chosen)
            throw netlab::UsageError("no scenario '" + name + "'; `net_errors --list` shows them");

        lesson03::Options opts;
        cli.default_endpoint(chosen->default_host, 0);
        opts.host = cli.host();
        opts.port = cli.port();
        if (args.count("timeout"))  // no default: each timeout scenario has the lecture's own
            opts.timeout_ms = netlab::parse_timeout_ms(args["timeout"].as<std::string>(), 600);
        opts.syn_retries = static_cast<int>(netlab::parse_number("syn-retries", args["syn-retries"].as<std::string>(), 1, 10));
        return chosen->run(opts);
    });
}
