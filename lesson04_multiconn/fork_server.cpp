// fork_server — lecture 003's «Многопоточный TCP-сервер (fork)»: a process per client.
// localhost:30001, SO_REUSEADDR, backlog 5; uppercase echo until the client closes.
//
//   Starting up echo server on localhost port 30001
//   Waiting to receive message from client
//   Client connected from ('127.0.0.1', 53422)
//   Waiting to receive message from client
//   Data: b'hello\n'                          <- printed by the child
//   sent 6 bytes back
//   Child pid 4242 exiting with code 0        <- the parent, on SIGCHLD
//
// Watch for:
//  - fork() returns twice: 0 in the child, which serves the client and exits; the child's pid in
//    the parent, which closes its copy of the client socket and goes back to accept().
//  - A child that has exited stays a zombie (a process-table entry holding its exit status) until
//    the parent collects it with wait(). The kernel tells the parent with SIGCHLD. The lecture
//    calls os.wait() inside the handler; here the handler only raises a flag, and the main loop
//    collects every exited child with waitpid(-1, WNOHANG) — one SIGCHLD may stand for several.
//  - --no-reap leaves SIGCHLD alone, as the lecture's experiment does: run it, connect and
//    disconnect a few times, then `ps -o pid,ppid,stat,cmd -C fork_server` shows the children in
//    state Z (zombie, <defunct>). They go away when the server exits.
//  - Ctrl-C: the parent stops its children (SIGTERM) and waits for every one before it exits.
//
// Run the pair:   ./fork_server                nc localhost 30001   (in two or three terminals)
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <poll.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr const char* kProgram = "fork_server";

volatile std::sig_atomic_t g_child_exited = 0;
extern "C" void on_sigchld(int) { g_child_exited = 1; }

// The child's whole life: the lecture's client_handler(). Returns the child's exit status.
int client_handler(netlab::Fd client, const std::string& name, const upper::Limits& limits)
{
    int status = 1;
    netlab::serve_client(name, [&] {
        try {
            upper::Utf8Stream text;
            char buf[2048];
            while (const std::size_t n = netlab::recv_some(client.get(), buf, sizeof buf, limits.idle_ms)) {
                if (!limits.quiet)
                    std::cout << "Data: " << netlab::python_bytes(std::string_view(buf, n)) << "\n";
                const std::string reply = netlab::utf8_upper(text.next(std::string_view(buf, n)));
                netlab::send_all(client.get(), reply, limits.idle_ms);
                if (!limits.quiet)
                    std::cout << "sent " << reply.size() << " bytes back\n";
            }
            netlab::send_all(client.get(), text.rest(), limits.idle_ms);
        } catch (const netlab::Stopped&) {  // the parent is shutting down and told us so
        }
        status = 0;
    });
    return status;
}

class ForkServer {
public:
    ForkServer(netlab::Fd listener, upper::Limits limits, bool reap)
        : listener_(std::move(listener)), limits_(limits), reap_(reap), wait_mask_(netlab::stop_wait_mask())
    {
        if (!reap_)
            return;  // the lecture's zombie experiment: SIGCHLD keeps its default (ignored) action
        struct sigaction sa {};
        sa.sa_handler = on_sigchld;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
        sigaction(SIGCHLD, &sa, nullptr);
        // Like SIGINT/SIGTERM, SIGCHLD is let through only while we wait (see wait_for_client).
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        pthread_sigmask(SIG_BLOCK, &chld, nullptr);
        sigdelset(&wait_mask_, SIGCHLD);
    }

    ~ForkServer() { stop_children(); }

    void serve_forever()
    {
        for (;;) {
            if (!limits_.quiet)
                std::cout << "Waiting to receive message from client\n";
            wait_for_client();
            netlab::Endpoint peer;
            netlab::Fd client = netlab::accept_from(listener_.get(), &peer);
            const std::string name = peer.python();
            if (!limits_.quiet)
                std::cout << "Client connected from " << name << "\n";
            if (reap_ && children_.size() >= limits_.max_clients) {
                std::cerr << kProgram << ": client " << name << ": too many clients (--max-clients " << limits_.max_clients
                          << "), closed\n";
                continue;
            }
            std::fflush(stdout);  // or the child would inherit, and print again, what is buffered
            const pid_t pid = ::fork();
            if (pid < 0) {
                std::cerr << kProgram << ": client " << name << ": fork: " << netlab::describe_errno(errno) << "\n";
                continue;
            }
            if (pid == 0)
                run_child(std::move(client), name);
            netlab::trace("fork() = ", pid);
            children_.insert(pid);
            // `client` closes here: the parent's copy. The child's copy keeps the connection open.
        }
    }

    // Ctrl-C: stop every child, then collect each one (zombies of --no-reap included).
    void stop_children()
    {
        for (const pid_t pid : children_)
            ::kill(pid, SIGTERM);
        for (const pid_t pid : children_) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            if (reap_ && !limits_.quiet)
                report(pid, status);
        }
        children_.clear();
    }

private:
    [[noreturn]] void run_child(netlab::Fd client, const std::string& name)
    {
        listener_.reset();  // new clients are the parent's business
        std::signal(SIGCHLD, SIG_DFL);
        int status = 1;
        try {                                  // nothing may escape: up the stack is the parent's accept loop
            netlab::keep_alive(client.get());  // a client that vanished is noticed in seconds (socket.hpp)
            status = client_handler(std::move(client), name, limits_);
        } catch (const std::exception& e) {
            std::cerr << kProgram << ": client " << name << ": " << e.what() << "\n";
        }
        std::fflush(stdout);
        // _exit, not exit: the parent's objects live in this copy too, and are not ours to clean up.
        std::_Exit(status);
    }

    // Waits until a client is waiting to be accepted, collecting exited children meanwhile.
    void wait_for_client()
    {
        for (;;) {
            if (netlab::stop_requested())
                throw netlab::Stopped{};
            if (g_child_exited) {
                g_child_exited = 0;
                reap_children();
            }
            pollfd p{listener_.get(), POLLIN, 0};
            const int n = ::ppoll(&p, 1, nullptr, &wait_mask_);
            if (n > 0)
                return;
            if (n < 0 && errno != EINTR)
                netlab::throw_sys("poll");
        }
    }

    void reap_children()
    {
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            netlab::trace("waitpid(-1, WNOHANG) = ", pid);
            children_.erase(pid);
            if (!limits_.quiet)
                report(pid, status);
        }
    }

    static void report(pid_t pid, int status)
    {
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::cout << "Child pid " << pid << " exiting with code " << code << "\n";
    }

    netlab::Fd listener_;
    upper::Limits limits_;
    bool reap_;
    sigset_t wait_mask_;        // what ppoll lets through: SIGINT, SIGTERM, and SIGCHLD when reaping
    std::set<pid_t> children_;  // running (and, with --no-reap, dead but uncollected)
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli(kProgram, "Uppercase echo with a process per client (lecture 003)", "localhost", 30001);
        upper::add_limit_options(cli, 1024, /*buffered=*/false);
        cli.add()("backlog", "listen() backlog (the lecture's 5 drops connections that arrive in a burst)",
                  cxxopts::value<std::string>()->default_value("5"))  //
            ("no-reap", "never wait() for children: they stay zombies (the lecture's experiment)");
        auto args = cli.parse(argc, argv);
        const int backlog = static_cast<int>(netlab::parse_number("backlog", args["backlog"].as<std::string>(), 1, 65535));
        netlab::install_stop_handlers();
        const upper::Limits limits = upper::read_limits(cli, args, false);

        std::cout << "Starting up echo server on " << cli.host() << " port " << cli.port() << "\n";
        const netlab::AddrInfo addr =
            netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, /*passive=*/true).front();
        netlab::Fd listener = netlab::open_socket(addr.family, SOCK_STREAM);
        netlab::set_option(listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(listener.get(), addr.endpoint);
        netlab::listen_on(listener.get(), backlog);
        ForkServer server(std::move(listener), limits, args.count("no-reap") == 0);
        try {
            server.serve_forever();
        } catch (const netlab::Stopped&) {
        }
        server.stop_children();
    });
}
