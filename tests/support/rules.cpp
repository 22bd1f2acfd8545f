#include "support/rules.hpp"
#include "support/catch.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace netlab::test::rules {

namespace {
using clock = std::chrono::steady_clock;

// A socket of the test's own on 127.0.0.1:port: a listener that makes the port busy for a
// server, or the client the stop rule connects.
class Sock {
public:
    Sock(int type, std::uint16_t port, bool listen_on_it)
    {
        fd_ = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            throw std::runtime_error("socket: cannot make the test's own socket");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        auto* sa = reinterpret_cast<sockaddr*>(&a);
        // No SO_REUSEADDR: with it on both sides Linux would let a second UDP socket bind too.
        const bool ok = listen_on_it ? ::bind(fd_, sa, sizeof a) == 0 && (type == SOCK_DGRAM || ::listen(fd_, 5) == 0)
                                     : ::connect(fd_, sa, sizeof a) == 0;
        if (!ok) {
            ::close(fd_);
            throw std::runtime_error("the test could not " + std::string(listen_on_it ? "bind" : "connect to") +
                                     " 127.0.0.1:" + std::to_string(port));
        }
    }
    Sock(const Sock&) = delete;
    Sock& operator=(const Sock&) = delete;
    ~Sock() { ::close(fd_); }
    void send(std::string_view data) { (void)!::send(fd_, data.data(), data.size(), MSG_NOSIGNAL); }
    bool readable() const
    {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) == 1;
    }

private:
    int fd_ = -1;
};

std::string join(const std::vector<std::string>& argv)
{
    std::string s;
    for (const auto& a : argv)
        s += (s.empty() ? "" : " ") + a;
    return s;
}

std::string transcript(const Result& r)
{
    return "exit status " + std::to_string(r.code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" + r.err + "--------------";
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

const char* fault_text(Fault f)
{
    switch (f) {
    case Fault::tcp_busy: return "its TCP port already in use";
    case Fault::udp_busy: return "its UDP port already in use";
    case Fault::nobody: return "nobody listening or answering on the port";
    case Fault::none: return "arguments that cannot work";
    }
    return "";
}

// The one check the tables make, with a message a grader reads: what was expected, what came.
// `all` remembers whether every check of the row held.
bool expect(bool ok, const std::string& what, bool& all)
{
    if (!ok)
        FAIL_CHECK(what);
    else
        SUCCEED("");
    all = all && ok;
    return ok;
}

// One line per row on stdout, for scripts/grade: it credits each rule to its program.
void report(const std::string& program, const std::string& rule, const char* result)
{
    std::cout << "NETLAB-RULE: " << program << " | " << rule << " | " << result << std::endl;
}

// False (and the row reported missing) when the program is not there to be graded.
bool present(const std::string& program, const std::string& rule)
{
    try {
        bin(program);
        return true;
    } catch (const std::exception& e) {
        report(program, rule, "missing");
        FAIL_CHECK(e.what());
        return false;
    }
}

// Running, not a zombie: a process really left behind.
bool alive(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return false;
    const auto close = line.rfind(')');
    char state = 0;
    return close != std::string::npos && std::sscanf(line.c_str() + close + 1, " %c", &state) == 1 && state != 'Z';
}
}  // namespace

void check(const RuntimeError& row)
{
    bool timeout = false;
    for (const auto& a : row.args)
        timeout = timeout || a == "--timeout";
    // A listener that never accepts is, to a client with a --timeout, a server that never answers.
    const std::string fault = timeout ? "a silent peer, --timeout" : fault_text(row.fault);
    const std::string rule = "runtime error: " + fault;
    if (!present(row.program, rule))
        return;
    bool all = true;
    const auto port = free_port();
    std::optional<Sock> occupier;
    if (row.fault == Fault::tcp_busy)
        occupier.emplace(SOCK_STREAM, port, true);
    else if (row.fault == Fault::udp_busy)
        occupier.emplace(SOCK_DGRAM, port, true);

    std::vector<std::string> argv{bin(row.program)};
    bool port_given = false;
    for (std::string arg : row.args) {
        if (auto at = arg.find("{port}"); at != std::string::npos) {
            arg.replace(at, 6, P(port));
            port_given = true;
        }
        argv.push_back(arg);
    }
    if (!port_given)
        argv.insert(argv.begin() + 1, {"--host", "127.0.0.1", "--port", P(port)});
    const std::string how = row.program + " with " + fault + " (" + join(argv) + ")";

    const auto r = run(argv, row.input);
    expect(r.code == row.code,
           how + ": expected exit status " + std::to_string(row.code) + " (a runtime error), got " + std::to_string(r.code) +
               "\n" + transcript(r),
           all);
    const std::string& said = row.on_stdout ? r.out : r.err;
    expect(
        said.find(row.says) != std::string::npos,
        how + ": expected on " + (row.on_stdout ? "stdout" : "stderr") + " a line containing: " + row.says + "\n" + transcript(r),
        all);
    if (!row.on_stdout)
        for (const auto& line : lines_of(r.err))
            expect(line.rfind(row.program + ": ", 0) == 0,
                   how + ": expected every stderr line to start with '" + row.program + ": ', got: " + line, all);

    argv.push_back("--trace");
    const auto t = run(argv, row.input);
    const std::string with_trace = how + " --trace";
    expect(t.code == row.code,
           with_trace + ": expected exit status " + std::to_string(row.code) + ", got " + std::to_string(t.code) + "\n" +
               transcript(t),
           all);
    expect((row.on_stdout ? t.out : t.err).find(row.says) != std::string::npos,
           with_trace + ": expected the same error (" + row.says + ")\n" + transcript(t), all);
    bool narrated = false;
    for (const auto& line : lines_of(t.err))
        narrated = narrated || line.rfind(row.program + ": ", 0) != 0;
    expect(narrated, with_trace + ": expected the socket calls narrated on stderr before the error\n" + transcript(t), all);
    report(row.program, rule, all ? "passed" : "failed");
}

std::string name(const Served& row)
{
    std::string name = row.program;
    for (const auto& a : row.args)
        name += " " + a;
    return name;
}

void check(const Served& row)
{
    for (const int sig : {SIGINT, SIGTERM}) {
        for (const bool with_client : {false, true}) {
            const std::string signame = sig == SIGINT ? "SIGINT" : "SIGTERM";
            DYNAMIC_SECTION(signame << (with_client ? " with a client connected" : " idle"))
            {
                std::string rule = "stops within 2 s of " + signame + (with_client ? " with a client connected" : " idle");
                if (!row.args.empty())
                    rule += " (" + name(row).substr(row.program.size() + 1) + ")";
                if (!present(row.program, rule))
                    continue;
                bool all = true;
                Server server(row.program, row.args, "127.0.0.1", row.udp);
                const pid_t pid = server.proc.pid();
                const std::string how = row.program + " (" + (with_client ? "a client connected" : "idle") + ")";
                const int fds_idle = open_fd_count(pid);
                std::optional<Sock> client;
                if (with_client) {
                    const std::size_t said = server.proc.out().size() + server.proc.err().size();
                    client.emplace(row.udp ? SOCK_DGRAM : SOCK_STREAM, server.port, false);
                    if (row.udp)
                        client->send("hello\n");
                    // Taken: a descriptor more (accepted), an answer or a close, or a log line.
                    const bool taken = eventually([&] {
                        return (!row.udp && open_fd_count(pid) > fds_idle) || client->readable() ||
                               server.proc.out().size() + server.proc.err().size() > said;
                    });
                    expect(taken,
                           how + ": the test's client was neither accepted, answered nor logged within " +
                               std::to_string(kDeadline.count()) + " ms\n" + server.proc.transcript(),
                           all);
                }
                const auto tree = descendants(pid);
                const auto sent = clock::now();
                server.proc.signal(sig);
                const bool stopped = eventually([&] { return !server.proc.running(); }, 2s);
                const auto took = std::chrono::duration_cast<Ms>(clock::now() - sent).count();
                if (!stopped) {
                    server.proc.out();
                    expect(false,
                           how + ": expected it to stop within 2 s of " + signame + ", still running after " +
                               std::to_string(took) + " ms (the signal goes to the process the test started: " +
                               "a wrapper script must exec the program or pass the signal on)\n" + server.proc.transcript(),
                           all);
                    report(row.program, rule, "failed");
                    continue;
                }
                const int code = server.proc.wait();
                expect(code == 0,
                       how + ": expected exit status 0 after " + signame + ", got " + std::to_string(code) + "\n" +
                           server.proc.transcript(),
                       all);
                for (const auto& [child, state] : tree) {
                    const bool gone = eventually([&, c = child] { return !alive(c); }, Ms(std::max<long>(0, 2000 - took)));
                    expect(gone,
                           how + ": process " + std::to_string(child) + " it started was still running 2 s after " + signame,
                           all);
                }
                report(row.program, rule, all ? "passed" : "failed");
            }
        }
    }
}

}  // namespace netlab::test::rules
