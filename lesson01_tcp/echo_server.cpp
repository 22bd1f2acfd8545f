// echo_server — a server that sends back what it receives; the three variants of the lectures.
//
//   --variant basic   (lecture 000)  127.0.0.1:5000. Per client: one recv(4096), print the
//                     address and the text, send it back, close; then the next client.
//   --variant stream  (lecture 002)  127.0.0.1:65432. ONE client: "Connected by (ip, port)",
//                     echo everything until the client closes, then exit (as echo-server.py).
//   --variant logged  (lecture 003)  localhost:30000, SO_REUSEADDR, backlog 5, and a log line for
//                     every step: "Starting up echo server on ...", "Client connected from ...",
//                     "Data: b'...'", "sent N bytes back".
//
// Watch for: basic and logged read ONE recv() — a message larger than the buffer, or one that
// arrives in pieces, is echoed only in part. stream loops until recv() returns 0 (EOF), which
// is the only way TCP tells a reader that the other side has finished.
//
// Run the pair:   ./echo_server                    ./echo_client
//                 ./echo_server --variant stream   ./echo_client --variant stream
//                 ./echo_server --variant logged   nc localhost 30000   (or ./echo_client --variant logged)
#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>

namespace {

// timeout_ms bounds how long one silent client can hold up this one-at-a-time server.

void serve_basic(int listener, int timeout_ms)
{
    for (;;) {
        netlab::Endpoint peer;
        netlab::Fd client = netlab::accept_from(listener, &peer);
        std::cout << peer.python() << "\n";
        netlab::serve_client(peer.python(), [&] {
            netlab::keep_alive(client.get());  // a client that vanished is noticed in seconds (socket.hpp)
            char buf[4096];
            const std::size_t n = netlab::recv_some(client.get(), buf, sizeof buf, timeout_ms);
            const std::string_view request(buf, n);
            std::cout << request << "\n";
            netlab::send_all(client.get(), request, timeout_ms);
        });
    }
}

void serve_stream(int listener, int timeout_ms)
{
    netlab::Endpoint peer;
    netlab::Fd conn = netlab::accept_from(listener, &peer);
    std::cout << "Connected by " << peer.python() << "\n";
    netlab::keep_alive(conn.get());  // a client that vanished is noticed in seconds (socket.hpp)
    char buf[1024];
    while (const std::size_t n = netlab::recv_some(conn.get(), buf, sizeof buf, timeout_ms))
        netlab::send_all(conn.get(), std::string_view(buf, n), timeout_ms);
}

void serve_logged(int listener, int timeout_ms)
{
    for (;;) {
        std::cout << "Waiting to receive message from client\n";
        netlab::Endpoint peer;
        netlab::Fd client = netlab::accept_from(listener, &peer);
        std::cout << "Client connected from " << peer.python() << "\n";
        netlab::serve_client(peer.python(), [&] {
            netlab::keep_alive(client.get());  // a client that vanished is noticed in seconds (socket.hpp)
            char buf[2048];
            const std::size_t n = netlab::recv_some(client.get(), buf, sizeof buf, timeout_ms);
            if (n > 0) {
                std::cout << "Data: " << netlab::python_bytes(std::string_view(buf, n)) << "\n";
                // One send(), as the lecture does, so its return value is what we report.
                const std::size_t sent = netlab::send_some(client.get(), buf, n, timeout_ms);
                std::cout << "sent " << sent << " bytes back\n";
            }
        });
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("echo_server", "Echo server in the three variants of the lectures (000, 002, 003)", "127.0.0.1", 5000);
        cli.add()("variant", "basic (lecture 000, port 5000), stream (002, port 65432) or logged (003, port 30000)",
                  cxxopts::value<std::string>()->default_value("basic"));
        cli.add_timeout(30);
        auto args = cli.parse(argc, argv);
        const std::string variant = args["variant"].as<std::string>();
        if (variant == "stream")
            cli.default_endpoint("127.0.0.1", 65432);
        else if (variant == "logged")
            cli.default_endpoint("localhost", 30000);
        else if (variant != "basic")
            throw netlab::UsageError("--variant must be basic, stream or logged, not '" + variant + "'");
        netlab::install_stop_handlers();

        if (variant == "basic") {
            const netlab::AddrInfo addr = netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, true).front();
            netlab::Fd listener = netlab::open_socket(addr.family, SOCK_STREAM);
            // Lecture 000 asks for address reuse (it says SO_REUSEPORT; SO_REUSEADDR is what lets a
            // restarted server bind while old connections sit in TIME_WAIT).
            netlab::set_option(listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            netlab::bind_to(listener.get(), addr.endpoint);
            netlab::listen_on(listener.get(), SOMAXCONN);
            serve_basic(listener.get(), cli.timeout_ms());
        }
        // The other variants take the shortcut: tcp_listen() is the socket → [SO_REUSEADDR] → bind →
        // listen above, trying each address of the host in turn until one works. Lecture 002 sets
        // no option.
        if (variant == "logged") {
            std::cout << "Starting up echo server on " << cli.host() << " port " << cli.port() << "\n";
            netlab::Fd listener = netlab::tcp_listen(cli.host(), cli.port(), 5, /*reuse_addr=*/true);
            serve_logged(listener.get(), cli.timeout_ms());
        }
        netlab::Fd listener = netlab::tcp_listen(cli.host(), cli.port(), SOMAXCONN, /*reuse_addr=*/false);
        serve_stream(listener.get(), cli.timeout_ms());
    });
}
