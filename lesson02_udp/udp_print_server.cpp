// udp_print_server — prints every datagram it gets (lecture 004, «В чем особенности UDP-сокетов?»).
//
// socket → bind(('', 5000)) → recvfrom forever, printing each datagram as it came. Watch for:
// the server never answers (unless --echo), and no client can tell: sendto() succeeded for them
// either way. Each datagram is printed on its own, however fast they arrive: UDP keeps message
// boundaries. Bytes are printed as they arrived (`nc -u` sends the newline you typed, so you see
// an empty line after each message, as the lecture's Python 2 `print data` would show).
//
// Run:            ./udp_print_server                    # terminal 1: waiting on port: 5000
//                 nc -4u localhost 5000                 # terminal 2: every line you type shows up
// With the prompt client (which expects an answer, on port 8888):
//                 ./udp_print_server --port 8888 --echo
//                 ./udp_prompt_client
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("udp_print_server", "Prints every UDP datagram it receives (lecture 004)", "", 5000);
        cli.add()("echo", "also send each datagram back to its sender (for udp_prompt_client)");
        auto args = cli.parse(argc, argv);
        const bool echo = args.count("echo") > 0;
        netlab::install_stop_handlers();

        // udp_bind: socket + bind, as udp_thanks_server spells them out
        netlab::Fd sock = lesson02::udp_bind(cli.host(), cli.port());
        std::cout << "waiting on port: " << cli.port() << "\n";
        for (;;) {
            char data[1024];  // the lecture's recvfrom(1024)
            netlab::Endpoint addr;
            const std::size_t n = lesson02::recv_from(sock.get(), data, sizeof data, &addr);
            std::cout << std::string_view(data, n) << "\n";
            if (echo)
                netlab::serve_client(addr.python(), [&] { netlab::send_to(sock.get(), std::string_view(data, n), addr); });
        }
    });
}
