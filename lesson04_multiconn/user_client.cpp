// user_client — practice task 2 of lecture 001 («Практика» 2): on connecting it sends its user's
// information (name, age) to users_server, then stays connected until you press Enter (or
// Ctrl-D, Ctrl-C, or --seconds run out). Run it several times with different users.
//
//   $ ./user_client Alice 30
//   Connected as User(name='Alice', age=30)
//   Welcome, Alice! Users online: 1
//   (Enter leaves)
//
// Watch for: while connected the client waits on two things at once — the keyboard and the
// socket — with one poll(); if the server goes away first, the client notices at once.
//
// Run the pair:   ./users_server      ./user_client Alice 30      ./user_client Bob 25 --seconds 5
#include "line_reader.hpp"
#include "users_user.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <chrono>
#include <csignal>
#include <iostream>
#include <poll.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("user_client", "Connects as one user to users_server (lecture 001, practice 2)", "127.0.0.1", 12346);
        cli.add()("name", "the user's name", cxxopts::value<std::string>())  //
            ("age", "the user's age", cxxopts::value<std::string>())         //
            ("seconds", "stay this long, then leave (default: until Enter or end of input)", cxxopts::value<std::string>());
        cli.positional({"name", "age"}, "<name> <age>");
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        if (!args.count("name") || !args.count("age"))
            throw netlab::UsageError("usage: user_client <name> <age>");
        users::User user{args["name"].as<std::string>(),
                         static_cast<int>(netlab::parse_number("age", args["age"].as<std::string>(), 0, users::kMaxAge))};
        try {
            users::validate(user);
            (void)user.to_line();  // invalid UTF-8 in the name fails here
        } catch (const std::exception& e) {
            throw netlab::UsageError(std::string("name: ") + e.what());
        }
        const int stay_ms = args.count("seconds")
                                ? static_cast<int>(netlab::parse_number("seconds", args["seconds"].as<std::string>(), 0, 86400) *
                                                   1000)
                                : -1;
        netlab::install_stop_handlers();

        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        netlab::send_all(sock.get(), user.to_line(), cli.timeout_ms());
        std::cout << "Connected as " << user.repr() << "\n";
        lesson04::LineReader reader(sock.get(), 4096);
        const auto welcome = reader.next(cli.timeout_ms());
        if (!welcome)
            throw std::runtime_error("the server closed the connection without a welcome");
        if (welcome->rfind("Error: ", 0) == 0) {
            std::cerr << "user_client: server: " << welcome->substr(7) << "\n";
            return 1;
        }
        std::cout << *welcome << "\n";

        // Stay until Enter / end of input (or --seconds), Ctrl-C, or the server leaving.
        const sigset_t wait_mask = netlab::stop_wait_mask();
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(stay_ms);
        for (;;) {
            pollfd watch[2] = {{sock.get(), POLLIN, 0}, {STDIN_FILENO, static_cast<short>(stay_ms < 0 ? POLLIN : 0), 0}};
            timespec ts{}, *tsp = nullptr;
            if (stay_ms >= 0) {
                const auto left = std::max<long long>(
                    0, std::chrono::duration_cast<std::chrono::nanoseconds>(until - std::chrono::steady_clock::now()).count());
                ts = {static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
                tsp = &ts;
            }
            const int n = ::ppoll(watch, 2, tsp, &wait_mask);
            if (n < 0 && errno == EINTR) {
                if (netlab::stop_requested())
                    return 0;
                continue;
            }
            if (n < 0)
                netlab::throw_sys("poll");
            if (n == 0)
                return 0;  // --seconds are up
            if (watch[0].revents) {
                char buf[256];
                if (netlab::recv_some(sock.get(), buf, sizeof buf, 0) == 0) {
                    std::cerr << "user_client: the server closed the connection\n";
                    return 1;
                }
            }
            if (watch[1].revents) {
                char key[256];
                const ssize_t got = ::read(STDIN_FILENO, key, sizeof key);
                if (got <= 0 || std::string_view(key, static_cast<std::size_t>(got)).find('\n') != std::string_view::npos)
                    return 0;  // Enter, or the end of input
            }
        }
    });
}
