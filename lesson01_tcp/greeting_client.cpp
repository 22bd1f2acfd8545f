// greeting_client — the smallest TCP client (lecture 001, "Пример ТСР клиента").
//
// socket → connect → recv → close. Watch for: the client never sends anything; it reads until the
// server closes (recv returns 0), because one recv() may return only part of what was sent.
//
// Run the pair:   ./greeting_server          # terminal 1
//                 ./greeting_client          # terminal 2
#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("greeting_client", "Connects and prints what the server sends (lecture 001)", "127.0.0.1", 12345);
        cli.add_timeout(10);  // how long to wait for the server; like every --timeout, above 0
        cli.parse(argc, argv);
        const int timeout_ms = cli.timeout_ms();

        const netlab::AddrInfo server = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM).front();
        netlab::Fd sock = netlab::open_socket(server.family, SOCK_STREAM);
        netlab::connect_to(sock.get(), server.endpoint, timeout_ms);
        std::cout << netlab::recv_until_eof(sock.get(), 1 << 20, timeout_ms) << "\n";
        return 0;
    });
}
