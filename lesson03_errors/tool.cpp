// lesson03_errors/tool.cpp — fork/exec a tool with its output on a pipe (see tool.hpp).
#include "lesson03_errors/tool.hpp"

#include "common/error.hpp"
#include "common/socket.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lesson03 {

namespace {
std::string join(const std::vector<std::string>& argv)
{
    std::string s;
    for (const auto& a : argv)
        s += (s.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
    return s;
}
}  // namespace

std::optional<ToolResult> run_tool(const std::vector<std::string>& argv, int timeout_ms)
{
    int out[2];
    if (::pipe2(out, O_CLOEXEC) < 0)
        netlab::throw_sys("pipe");
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    std::cout.flush();  // our own lines first, then the tool's
    netlab::trace("run: ", join(argv));
    pid_t pid = ::fork();
    if (pid < 0)
        netlab::throw_sys("fork");
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(out[1], 2);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(out[1]);
    netlab::Fd pipe_end(out[0]);

    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string output;
    bool killed = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            ::kill(pid, SIGKILL);
            killed = true;
            break;
        }
        pollfd p{pipe_end.get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left));
        if (ready < 0 && errno != EINTR) {  // cannot happen with one valid descriptor; never leave the child
            ::kill(pid, SIGKILL);
            killed = true;
            break;
        }
        if (ready <= 0)
            continue;  // EINTR or the deadline: the loop decides
        char buf[4096];
        ssize_t n = ::read(pipe_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (output.size() < 64 * 1024)
            output.append(buf, static_cast<std::size_t>(n));
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (killed)
        return ToolResult{128 + SIGKILL, output + "(" + argv[0] + " did not finish in time)\n"};
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && output.empty())
        return std::nullopt;
    return ToolResult{WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), output};
}

std::optional<int> show_tool(const std::vector<std::string>& argv)
{
    std::cout << "$ " << join(argv) << "\n";
    auto result = run_tool(argv);
    if (!result) {
        std::cout << "   (" << argv[0] << " is not installed: it comes with iproute2)\n";
        return std::nullopt;
    }
    std::size_t start = 0;
    while (start < result->output.size()) {
        std::size_t nl = result->output.find('\n', start);
        if (nl == std::string::npos)
            nl = result->output.size();
        std::cout << "   " << result->output.substr(start, nl - start) << "\n";
        start = nl + 1;
    }
    return result->status;
}

}  // namespace lesson03
