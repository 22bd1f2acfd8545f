#include "support/harness.hpp"
#include "support/catch.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace netlab::test {

namespace {
using clock = std::chrono::steady_clock;

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string join(const std::vector<std::string>& argv)
{
    std::string s;
    for (const auto& a : argv)
        s += (s.empty() ? "" : " ") + a;
    return s;
}

std::string bin(const std::string& program)
{
    const char* dir = std::getenv("NETLAB_BIN_DIR");
    std::string path = std::string(dir && *dir ? dir : NETLAB_DEFAULT_BIN_DIR) + "/" + program;
    if (!executable(path))
        throw std::runtime_error("program not found: " + path + (dir ? " (NETLAB_BIN_DIR is set)" : ""));
    return path;
}

bool have_tool(const std::string& name)
{
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (executable(dir + "/" + name))
            return true;
    return false;
}

std::string tool(const std::string& name)
{
    if (!have_tool(name))
        throw std::runtime_error(name + " is not installed: run scripts/install-deps");
    return name;
}

Process::Process(std::vector<std::string> argv, std::vector<std::string> extra_env) : argv_(std::move(argv))
{
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
        throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));

    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e)
        env_store.emplace_back(*e);
    for (auto& e : extra_env)
        env_store.push_back(e);
    std::vector<char*> envp, args;
    for (auto& e : env_store)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    for (auto& a : argv_)
        args.push_back(a.data());
    args.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid_ == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        // Descriptors the test runner itself inherited (ctest keeps some open) must not leak
        // into the program under test: its first socket is then fd 3, as in a terminal.
        ::close_range(3, ~0U, 0);
        // The test runner may ignore or block signals; the program under test must not inherit that.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execvpe(args[0], args.data(), envp.data());
        std::string msg = "exec " + argv_[0] + ": " + std::strerror(errno) + "\n";
        (void)!::write(2, msg.data(), msg.size());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
}

Process::~Process()
{
    if (status_ < 0 && pid_ > 0) {
        // Its descendants too: a server a wrapper script started, fork_server's children.
        const auto below = descendants(pid_);
        ::kill(pid_, SIGKILL);
        for (const auto& [pid, state] : below)
            ::kill(pid, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_, err_})
        if (fd >= 0)
            ::close(fd);
}

void Process::write(std::string_view data)
{
    // A test's stdin writes are small; a full pipe would mean the child stopped reading.
    while (!data.empty()) {
        ssize_t n = ::write(in_, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw std::runtime_error("write to stdin of " + argv_[0] + ": " + std::strerror(errno));
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void Process::close_stdin()
{
    if (in_ >= 0)
        ::close(std::exchange(in_, -1));
}

void Process::signal(int sig)
{
    if (status_ < 0)
        ::kill(pid_, sig);
}

bool Process::pump(Ms timeout)
{
    if (out_ < 0 && err_ < 0) {
        ::poll(nullptr, 0, static_cast<int>(timeout.count()));
        return false;
    }
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(timeout.count())) <= 0)
        return false;
    std::string* bufs[2] = {&out_buf_, &err_buf_};
    int* fdp[2] = {&out_, &err_};
    for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !fds[i].revents)
            continue;
        char chunk[8192];
        ssize_t r = ::read(fds[i].fd, chunk, sizeof chunk);
        if (r > 0)
            bufs[i]->append(chunk, static_cast<std::size_t>(r));
        else if (r == 0 || errno != EINTR)
            ::close(std::exchange(*fdp[i], -1));
    }
    return true;
}

void Process::drain()
{
    while (pump(Ms(0))) {
    }
}

std::string Process::expect_in(std::string& buf, std::size_t& cursor, std::string_view text, Ms deadline, const char* stream)
{
    const auto until = clock::now() + deadline;
    for (;;) {
        // Only complete lines count, so a line is never matched half-written.
        for (std::size_t nl; (nl = buf.find('\n', cursor)) != std::string::npos;) {
            std::string line = buf.substr(cursor, nl - cursor);
            cursor = nl + 1;
            if (line.find(text) != std::string::npos)
                return line;
        }
        auto left = std::chrono::duration_cast<Ms>(until - clock::now());
        if (left.count() <= 0 || (out_ < 0 && err_ < 0))  // out of time, or nothing more can come
            throw std::runtime_error("expected a line on " + std::string(stream) + " containing:\n  " + std::string(text) +
                                     "\nbut got (" + join(argv_) + "):\n" + transcript());
        pump(std::min(left, Ms(50)));
    }
}

std::string Process::expect_line(std::string_view text, Ms deadline)
{
    return expect_in(out_buf_, out_cursor_, text, deadline, "stdout");
}

std::string Process::expect_err_line(std::string_view text, Ms deadline)
{
    return expect_in(err_buf_, err_cursor_, text, deadline, "stderr");
}

bool Process::running()
{
    if (status_ >= 0)
        return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

int Process::wait(Ms deadline)
{
    const auto until = clock::now() + deadline;
    while (running()) {
        if (clock::now() >= until)
            throw std::runtime_error("timed out waiting for exit of " + join(argv_) + ":\n" + transcript());
        pump(Ms(10));
    }
    drain();  // what the child wrote before it exited (a grandchild holding the pipe can't stall us)
    return status_;
}

const std::string& Process::out()
{
    drain();
    return out_buf_;
}

const std::string& Process::err()
{
    drain();
    return err_buf_;
}

std::string Process::transcript() const
{
    return "--- stdout ---\n" + out_buf_ + "--- stderr ---\n" + err_buf_ + "--------------";
}

Result run(std::vector<std::string> argv, std::string_view input, Ms deadline, std::vector<std::string> extra_env)
{
    Process p(std::move(argv), std::move(extra_env));
    if (!input.empty())
        p.write(input);
    p.close_stdin();
    int code = p.wait(deadline);
    return {code, p.out(), p.err()};
}

namespace {
bool can_bind(int family, int type, std::uint16_t port)
{
    int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true;  // no such family here (no IPv6): nothing there can clash
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_any;
        int on = 1;
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        len = sizeof *a;
    }
    // SO_REUSEADDR as the servers set it: a port merely in TIME_WAIT is still usable for them.
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
    ::close(fd);
    return ok;
}

// Ports in a TIME_WAIT or any other state, from /proc/net/tcp*: we avoid even those.
bool port_in_proc(std::uint16_t port, const char* file, const char* state)
{
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    char want[8];
    std::snprintf(want, sizeof want, ":%04X", port);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, st;
        fields >> slot >> local >> remote >> st;
        if (local.size() >= 5 && local.compare(local.size() - 5, 5, want) == 0 && (!state || st == state))
            return true;
    }
    return false;
}
}  // namespace

std::uint16_t free_port()
{
    static std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
    std::uniform_int_distribution<int> pick(20000, 32000);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        auto port = static_cast<std::uint16_t>(pick(rng));
        if (port_in_proc(port, "/proc/net/tcp", nullptr) || port_in_proc(port, "/proc/net/tcp6", nullptr))
            continue;
        if (can_bind(AF_INET, SOCK_STREAM, port) && can_bind(AF_INET6, SOCK_STREAM, port) &&
            can_bind(AF_INET, SOCK_DGRAM, port) && can_bind(AF_INET6, SOCK_DGRAM, port))
            return port;
    }
    throw std::runtime_error("no free port found in 20000-32000");
}

void wait_listening(std::uint16_t port, bool udp, Ms deadline)
{
    // TCP state 0A is LISTEN; a bound UDP socket shows as 07 (CLOSE).
    const char* state = udp ? "07" : "0A";
    const char* v4 = udp ? "/proc/net/udp" : "/proc/net/tcp";
    const char* v6 = udp ? "/proc/net/udp6" : "/proc/net/tcp6";
    if (!eventually([&] { return port_in_proc(port, v4, state) || port_in_proc(port, v6, state); }, deadline))
        throw std::runtime_error("nothing listens on " + std::string(udp ? "UDP" : "TCP") + " port " + std::to_string(port) +
                                 " after " + std::to_string(deadline.count()) + " ms");
}

std::map<pid_t, char> descendants(pid_t root)
{
    // One pass over /proc for every process's parent, then the tree below `root` from that.
    std::multimap<pid_t, std::pair<pid_t, char>> children;  // parent -> (child, state)
    if (DIR* dir = ::opendir("/proc")) {
        while (const dirent* e = ::readdir(dir)) {
            const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
            if (pid <= 0)
                continue;
            std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
            std::string line;
            if (!std::getline(stat, line))
                continue;
            // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
            const auto close = line.rfind(')');
            char state = 0;
            long ppid = 0;
            if (close != std::string::npos && std::sscanf(line.c_str() + close + 1, " %c %ld", &state, &ppid) == 2)
                children.emplace(static_cast<pid_t>(ppid), std::pair{pid, state});
        }
        ::closedir(dir);
    }
    std::map<pid_t, char> out;
    std::vector<pid_t> todo{root};
    while (!todo.empty()) {
        const pid_t parent = todo.back();
        todo.pop_back();
        auto [from, to] = children.equal_range(parent);
        for (auto it = from; it != to; ++it)
            if (out.emplace(it->second.first, it->second.second).second)
                todo.push_back(it->second.first);
    }
    return out;
}

int open_fd_count(pid_t pid)
{
    int count = 0;
    std::vector<pid_t> tree{pid};
    for (const auto& [child, state] : descendants(pid))
        tree.push_back(child);
    for (pid_t p : tree)
        if (DIR* d = ::opendir(("/proc/" + std::to_string(p) + "/fd").c_str())) {
            while (dirent* e = ::readdir(d))
                if (e->d_name[0] != '.')
                    ++count;
            ::closedir(d);
        }
    return count;
}

std::string P(std::uint16_t port) { return std::to_string(port); }

namespace {
std::vector<std::string> with_endpoint(const std::string& program, const std::string& host, std::uint16_t port,
                                       std::vector<std::string> args)
{
    std::vector<std::string> argv{bin(program), "--host", host, "--port", P(port)};
    argv.insert(argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    return argv;
}
}  // namespace

Server::Server(const std::string& program, std::vector<std::string> args, const std::string& host, bool udp)
    : port(free_port()), proc(with_endpoint(program, host, port, std::move(args)))
{
    wait_listening(port, udp);
}

void Server::stop(int sig)
{
    proc.signal(sig);
    CHECK(proc.wait() == 0);
}

Result client(const std::string& program, std::uint16_t port, std::vector<std::string> args, std::string_view input,
              const std::string& host)
{
    return run(with_endpoint(program, host, port, std::move(args)), input);
}

Result python(const std::string& code, std::vector<std::string> args)
{
    args.insert(args.begin(), {tool("python3"), "-c", code});
    return run(std::move(args));
}

Process python_peer(const std::string& code, std::vector<std::string> args)
{
    args.insert(args.begin(), {tool("python3"), "-c", code});
    return Process(std::move(args));
}

namespace {
std::vector<std::string> with_port(std::uint16_t port, std::vector<std::string> args)
{
    args.insert(args.begin(), P(port));
    return args;
}
}  // namespace

PythonServer::PythonServer(const std::string& code, bool udp, std::vector<std::string> args)
    : port(free_port()), proc(python_peer(code, with_port(port, std::move(args))))
{
    wait_listening(port, udp);
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool vanish_without_a_trace(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        const int err = errno;
        ::close(fd);
        throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(err));
    }
    const int on = 1;
    const bool repair = ::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) == 0;
    ::close(fd);  // in repair mode: silently; otherwise an ordinary FIN
    return repair;
}

std::string check_common_cli(const std::string& program)
{
    auto help = run({bin(program), "--help"});
    CHECK(help.code == 0);
    CHECK(contains(help.out, "--port"));
    CHECK(contains(help.out, "--trace"));
    auto bad_port = run({bin(program), "--port", "70000"});
    CHECK(bad_port.code == 2);
    CHECK(bad_port.err == program + ": --port must be a whole number from 0 to 65535, not '70000' (try --help)\n");
    auto unknown = run({bin(program), "--no-such-option"});
    CHECK(unknown.code == 2);
    CHECK(unknown.err.find(program + ": ") == 0);
    CHECK(std::count(unknown.err.begin(), unknown.err.end(), '\n') == 1);
    if (contains(help.out, "--timeout")) {  // one rule for every --timeout: above 0, at most an hour
        auto negative = run({bin(program), "--timeout", "-1"});
        CHECK(negative.code == 2);
        CHECK(negative.err ==
              program + ": --timeout must be a number of seconds above 0 and at most 3600, not '-1' (try --help)\n");
    }
    return help.out;
}

void check_bad_value(const BadValue& row)
{
    std::vector<std::string> argv = row.argv;
    argv[0] = bin(argv[0]);
    auto r = run(argv);
    CHECK(r.code == 2);
    CHECK(r.err == row.err);
}

}  // namespace netlab::test
