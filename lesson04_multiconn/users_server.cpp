// users_server — practice task 2 of lecture 001 («Практика» 2): every client sends its user's
// information (name, age) when it connects; the server shows who is connected, and prints the
// list again whenever someone comes or goes.
//
//   $ ./users_server                                  (terminal 1)
//   Server is up
//   User connected: User(name='Alice', age=30) from ('127.0.0.1', 50702)
//   Connected users: [User(name='Alice', age=30)]
//   User connected: User(name='Bob', age=25) from ('127.0.0.1', 50704)
//   Connected users: [User(name='Alice', age=30), User(name='Bob', age=25)]
//   User disconnected: User(name='Alice', age=30)
//   Connected users: [User(name='Bob', age=25)]
//
// Model: one thread and a poll() loop over the listening socket and every client. The list of
// users is plain data owned by that one thread — no locks, and it can never be printed half
// updated. (decrypt_server shows the other choice, a thread per client.)
//
// Protocol: the client sends one line {"name": "Alice", "age": 30}; the server answers
// "Welcome, Alice! Users online: 2" and then only waits for the client to leave. A client that
// sends anything else, or nothing within --timeout, is told "Error: <reason>" and disconnected.
//
// Watch for:
//  - A user stays connected for as long as it likes: it is the *first line* that has a deadline,
//    not the connection. --max-clients bounds how many sockets the server holds.
//  - A client can leave in any way — closing, a reset, a crash — and each ends the same way:
//    recv() says 0 or fails, and that user is taken off the list.
//
// Run the pair:   ./users_server      ./user_client Alice 30      ./user_client Bob 25   (Enter leaves)
#include "upper_service.hpp"
#include "users_user.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <optional>
#include <poll.h>
#include <sstream>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxLine = 1024;

struct Client {
    netlab::Fd sock;
    std::string addr;
    std::string in;                   // bytes of the first line so far
    std::string out;                  // what is still to be sent (the welcome, or an error)
    std::optional<users::User> user;  // set once the first line was good
    bool closing = false;             // close as soon as `out` is sent
    Clock::time_point deadline;       // for the first line only
    unsigned long order = 0;          // when the user joined: the list is printed in that order
};

class Server {
public:
    Server(netlab::Fd listener, int timeout_ms, std::size_t max_clients)
        : listener_(std::move(listener)), timeout_(timeout_ms), max_clients_(max_clients)
    {
        wait_mask_ = netlab::stop_wait_mask();  // SIGINT/SIGTERM get in only inside ppoll()
    }

    void run()
    {
        std::vector<pollfd> watch;
        while (!netlab::stop_requested()) {
            watch.clear();
            const bool full = clients_.size() >= max_clients_ || out_of_fds_;
            watch.push_back({listener_.get(), static_cast<short>(full ? 0 : POLLIN), 0});
            for (const auto& [fd, c] : clients_)
                watch.push_back({fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
            timespec tick{0, 250'000'000};  // to notice a silent newcomer's deadline
            const int n = ::ppoll(watch.data(), watch.size(), &tick, &wait_mask_);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                netlab::throw_sys("poll");
            for (std::size_t i = 1; i < watch.size(); ++i)
                if (watch[i].revents)
                    service(watch[i].fd, watch[i].revents);
            if (watch[0].revents & POLLIN)
                accept_client();
            drop_silent();
        }
    }

private:
    void accept_client()
    {
        netlab::Endpoint peer;
        netlab::Fd sock;
        try {
            sock = upper::accept_nonblocking(listener_.get(), peer);
        } catch (const netlab::SysError& e) {
            if (e.code() == EMFILE || e.code() == ENFILE)
                out_of_fds_ = true;  // the listener would stay readable: a busy loop. Wait for a drop.
            std::cerr << "users_server: accept: " << netlab::describe_errno(e.code()) << "\n";
            return;
        }
        if (!sock)
            return;  // the client gave up before we got to it
        const int fd = sock.get();
        Client c;
        c.sock = std::move(sock);
        c.addr = peer.python();
        c.deadline = Clock::now() + timeout_;
        clients_.emplace(fd, std::move(c));
    }

    void service(int fd, short revents)
    {
        auto it = clients_.find(fd);
        if (it == clients_.end())
            return;
        Client& c = it->second;
        try {
            if (revents & (POLLOUT | POLLERR | POLLHUP) && !c.out.empty())
                flush(c);
            else if (revents & (POLLIN | POLLERR | POLLHUP))
                receive(c);
            if (c.closing && c.out.empty())
                drop(it, "");
        } catch (const std::exception& e) {
            drop(it, e.what());
        }
    }

    void receive(Client& c)
    {
        char buf[1024];
        const ssize_t n = ::recv(c.sock.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0)
            throw netlab::SysError("recv", errno);
        netlab::trace("recv(", c.sock.get(), ", 1024) = ", n);
        if (n == 0) {
            if (!c.user)
                throw std::runtime_error("closed before sending the user information");
            c.closing = true;  // left: the normal way out
            return;
        }
        if (c.user) {
            reject(c, "unexpected data after the user information");
            return;
        }
        c.in.append(buf, static_cast<std::size_t>(n));
        const auto nl = c.in.find('\n');
        if (nl == std::string::npos) {
            if (c.in.size() > kMaxLine)
                reject(c, "no end of line within " + std::to_string(kMaxLine) + " bytes");
            return;
        }
        if (nl + 1 != c.in.size()) {
            reject(c, "unexpected data after the user information");
            return;
        }
        try {
            c.user = users::parse_line(c.in.substr(0, nl));
        } catch (const std::invalid_argument& e) {
            reject(c, e.what());
            return;
        }
        c.order = ++joined_;
        std::cout << "User connected: " << c.user->repr() << " from " << c.addr << "\n";
        print_users();
        std::size_t online = 0;
        for (const auto& [fd, other] : clients_)
            online += other.user ? 1 : 0;
        c.out = "Welcome, " + c.user->name + "! Users online: " + std::to_string(online) + "\n";
        flush(c);
    }

    // Tell the client why, then close once that is sent.
    void reject(Client& c, const std::string& reason)
    {
        std::cout << "Rejected " << c.addr << ": " << reason << "\n";
        c.out = "Error: " + reason + "\n";
        c.closing = true;
        flush(c);
    }

    void flush(Client& c)
    {
        const ssize_t n = ::send(c.sock.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;  // POLLOUT will bring us back
        if (n < 0)
            throw netlab::SysError("send", errno);
        netlab::trace("send(", c.sock.get(), ", ", c.out.size(), ") = ", n);
        c.out.erase(0, static_cast<std::size_t>(n));
    }

    void drop(std::map<int, Client>::iterator it, const std::string& error)
    {
        Client& c = it->second;
        const bool was_user = c.user.has_value();
        if (was_user)
            std::cout << "User disconnected: " << c.user->repr() << (error.empty() ? "" : " (" + error + ")") << "\n";
        else if (!error.empty())
            std::cout << "Closed " << c.addr << ": " << error << "\n";
        clients_.erase(it);  // ~Fd closes the socket
        out_of_fds_ = false;
        if (was_user)
            print_users();
    }

    // A newcomer that stays silent past --timeout is told why and closed.
    void drop_silent()
    {
        const auto now = Clock::now();
        for (auto it = clients_.begin(); it != clients_.end();) {
            auto next = std::next(it);
            Client& c = it->second;
            try {
                if (!c.user && !c.closing && now >= c.deadline)
                    reject(c, "no user information within " + (std::ostringstream() << timeout_.count() / 1000.0).str() + " s");
                if (c.closing && c.out.empty())
                    drop(it, "");
            } catch (const std::exception& e) {
                drop(it, e.what());
            }
            it = next;
        }
    }

    void print_users()
    {
        std::vector<const Client*> online;
        for (const auto& [fd, c] : clients_)
            if (c.user)
                online.push_back(&c);
        std::sort(online.begin(), online.end(), [](auto* a, auto* b) { return a->order < b->order; });
        std::string line = "Connected users: [";
        for (std::size_t i = 0; i < online.size(); ++i)
            line += (i ? ", " : "") + online[i]->user->repr();
        std::cout << line << "]\n";
    }

    netlab::Fd listener_;
    std::chrono::milliseconds timeout_;
    std::size_t max_clients_;
    std::map<int, Client> clients_;  // by descriptor
    unsigned long joined_ = 0;
    bool out_of_fds_ = false;  // accept() failed with EMFILE: the backlog waits until a client leaves
    sigset_t wait_mask_{};
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("users_server", "Lists the users connected to it, one poll() loop (lecture 001, practice 2)", "127.0.0.1",
                        12346);
        cli.add_timeout(10);
        cli.add()("max-clients", "connections held at once; more wait in the backlog",
                  cxxopts::value<std::string>()->default_value("1000"));
        auto args = cli.parse(argc, argv);
        const auto max_clients = static_cast<std::size_t>(
            netlab::parse_number("max-clients", args["max-clients"].as<std::string>(), 1, 1000));
        netlab::install_stop_handlers();

        netlab::Fd listener = netlab::tcp_listen(cli.host(), cli.port(), SOMAXCONN);
        netlab::set_nonblocking(listener.get());
        Server server(std::move(listener), cli.timeout_ms(), max_clients);
        std::cout << "Server is up\n";
        server.run();
        std::cout << "Server is down\n";
    });
}
