// thread_client — lecture 001's TcpClient, the pair of thread_server: connects to 127.0.0.1:5555,
// sends its name `Python client N` (N random, 1..1000) and prints the answer:
//
//   Received: PYTHON CLIENT 42          (thread_server answers in upper case; the lecture's echoes)
//
// Watch for: the lecture reads one recv(1024) and takes it for the whole answer. TCP makes no
// such promise — an answer may arrive in pieces — so we read until as many bytes as we sent have
// come back (every server of this lesson answers byte for byte), or the server closes.
//
// Run the pair:   ./thread_server              ./thread_client   (run it several times at once:
//                                              for i in 1 2 3; do ./thread_client & done)
#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <iostream>
#include <random>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("thread_client", "Sends `Python client N` and prints the answer (lecture 001)", "127.0.0.1", 5555);
        cli.add()("name", "what to send instead of `Python client <random 1..1000>`", cxxopts::value<std::string>());
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        std::string name;
        if (args.count("name")) {
            name = args["name"].as<std::string>();
        } else {
            std::random_device seed;
            name = "Python client " + std::to_string(std::uniform_int_distribution<int>(1, 1000)(seed));
        }
        if (name.empty() || name.size() > 1024)
            throw netlab::UsageError("--name must be 1 to 1024 bytes long");

        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        netlab::send_all(sock.get(), name, cli.timeout_ms());
        const std::string answer = netlab::recv_exact(sock.get(), name.size(), cli.timeout_ms());
        std::cout << "Received: " << answer << "\n";
    });
}
