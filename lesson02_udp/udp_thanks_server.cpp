// udp_thanks_server — the smallest UDP server (lecture 001, «Пример UDP сервера»).
//
// socket → bind → (recvfrom → sendto) forever. Watch for: no listen(), no accept(), no
// connection socket per client. recvfrom() returns one whole datagram together with the
// sender's address, and that address is all sendto() needs to answer — any number of clients
// share this one socket. A datagram longer than the 1024-byte buffer is cut, as in the lecture.
//
// Run the pair:   ./udp_thanks_server          # terminal 1: Server got data from client: client data
//                 ./udp_thanks_client          # terminal 2: Thank you for the data
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("udp_thanks_server", "Thanks every UDP datagram's sender (lecture 001)", "127.0.0.1", 12345);
        cli.parse(argc, argv);
        netlab::install_stop_handlers();

        const netlab::AddrInfo addr = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_DGRAM, true).front();
        netlab::Fd sock = netlab::open_socket(addr.family, SOCK_DGRAM);
        netlab::bind_to(sock.get(), addr.endpoint);
        for (;;) {
            char data[1024];  // the lecture's recvfrom(1024)
            netlab::Endpoint addr;
            const std::size_t n = lesson02::recv_from(sock.get(), data, sizeof data, &addr);
            std::cout << "Server got data from client: " << std::string_view(data, n) << "\n";
            // A client that went away makes no error here: UDP does not know it ever existed.
            netlab::serve_client(addr.python(), [&] { netlab::send_to(sock.get(), "Thank you for the data", addr); });
        }
    });
}
