// udp_thanks_client — the smallest UDP client (lecture 001, «Пример UDP клиента»).
//
// socket → sendto → recvfrom. Watch for: no connect(). sendto() names the destination on every
// call and succeeds whether or not anyone listens there; only the answer tells us the server
// exists. If the datagram or the answer is lost, the lecture's client would wait forever: ours
// gives up after --timeout seconds with "recvfrom: timed out".
//
// Run the pair:   ./udp_thanks_server          # terminal 1
//                 ./udp_thanks_client          # terminal 2: Thank you for the data
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("udp_thanks_client", "Sends one datagram and prints the answer (lecture 001)", "127.0.0.1", 12345);
        cli.add()("message", "text to send", cxxopts::value<std::string>()->default_value("client data"));
        cli.add_timeout(5);
        auto args = cli.parse(argc, argv);

        const netlab::Endpoint server = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_DGRAM).front().endpoint;
        netlab::Fd sock = netlab::open_socket(server.family(), SOCK_DGRAM);  // no bind: the kernel picks our port
        netlab::send_to(sock.get(), args["message"].as<std::string>(), server);
        char data[1024];
        const std::size_t n = lesson02::recv_from(sock.get(), data, sizeof data, nullptr, cli.timeout_ms());
        std::cout << std::string_view(data, n) << "\n";
    });
}
