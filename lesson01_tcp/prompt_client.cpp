// prompt_client — a client that keeps its connection open (lecture 000, "клиент, который не
// разрывает соединение"). Prompts "[MESSAGE:] ", sends each line, prints the answer; an empty
// line (or end of input) quits.
//
// Watch for: one connection carries many request/answer rounds. TCP keeps no message
// boundaries, so we must know how much answer to wait for: the servers this client pairs with
// (lesson04's blocking_server and friends, reverse_server) answer with as many bytes as they
// received, so we read until that many have arrived.
//
// Run the pair:   ./reverse_server          ./prompt_client --port 33333
//                 lesson04: ./blocking_server   ./prompt_client
#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("prompt_client", "Interactive client on one persistent connection (lecture 000)", "127.0.0.1", 5000);
        cli.add_timeout(10);
        cli.parse(argc, argv);

        // tcp_connect: socket + connect, as greeting_client spells them out
        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        std::string msg;
        for (;;) {
            std::cout << "[MESSAGE:] " << std::flush;
            if (!std::getline(std::cin, msg)) {
                std::cout << "\n";  // end of input (Ctrl-D): finish the prompt's line
                break;
            }
            if (msg.empty())
                break;
            netlab::send_all(sock.get(), msg, cli.timeout_ms());
            const std::string answer = netlab::recv_exact(sock.get(), msg.size(), cli.timeout_ms());
            if (answer.size() < msg.size()) {  // the server closed before answering in full
                std::cout << answer << "\n";
                std::cerr << "prompt_client: server closed the connection\n";
                return 1;
            }
            std::cout << answer << "\n";
        }
        return 0;
    });
}
