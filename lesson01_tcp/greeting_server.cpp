// greeting_server — the smallest TCP server (lecture 001, "Пример ТСП сервера").
//
// socket → bind → listen → accept → send → close, then accept the next client.
// Watch for: accept() blocks until a client arrives and returns a NEW socket for that client;
// the listening socket keeps listening. The server closes the connection, which is how the
// client learns the message is complete.
//
// Run the pair:   ./greeting_server          # terminal 1
//                 ./greeting_client          # terminal 2: prints "Thank you for the connection"
#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("greeting_server", "Greets every client, then closes its connection (lecture 001)", "127.0.0.1", 12345);
        cli.add_timeout(10);
        cli.parse(argc, argv);
        netlab::install_stop_handlers();

        // getaddrinfo: --host/--port as a socket address (IPv4 or IPv6); passive, so "" is every interface.
        const netlab::AddrInfo addr = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, true).front();
        netlab::Fd listener = netlab::open_socket(addr.family, SOCK_STREAM);
        // A restarted server may bind at once, though old connections still sit in TIME_WAIT.
        netlab::set_option(listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(listener.get(), addr.endpoint);
        // Backlog 5: up to five finished handshakes may wait for accept() (lecture: "не более 5 клиентов").
        netlab::listen_on(listener.get(), 5);
        for (;;) {
            netlab::Endpoint peer;
            netlab::Fd conn = netlab::accept_from(listener.get(), &peer);
            std::cout << "Server got connection from " << peer.python() << "\n";
            // A client that vanished must not take the server down with it: log and go on.
            netlab::serve_client(peer.python(),
                                 [&] { netlab::send_all(conn.get(), "Thank you for the connection", cli.timeout_ms()); });
        }  // conn closes here, at the end of each iteration
    });
}
