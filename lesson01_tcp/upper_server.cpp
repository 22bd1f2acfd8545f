// upper_server — sends back what it receives in UPPER CASE (lectures 004 and 000).
//
//   default           (lecture 004)  0.0.0.0:9090, listen(1), serves ONE client: prints
//                     "connected: (ip, port)", then uppercases chunk after chunk until the
//                     client closes, and exits — the lecture's "what are the limits?" server.
//   --per-request     (lecture 000, socketserver.TCPServer)  localhost:5000, one request per
//                     connection: "<ip> wrote:" and the text, answer, close, next client.
//
// Watch for: recv(1024) returns whatever has arrived — it may cut a two-byte Cyrillic letter
// in half. We keep an incomplete letter for the next chunk, so "привет" always becomes "ПРИВЕТ"
// (the lecture's Python would fail to decode such a chunk).
//
// Run the pair:   ./upper_server                   ./upper_client
//                 ./upper_server --per-request     ./upper_client --port 5000
#include "common/cli.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>

namespace {

void serve_one_until_eof(int listener, int timeout_ms)
{
    netlab::Endpoint peer;
    netlab::Fd conn = netlab::accept_from(listener, &peer);
    std::cout << "connected: " << peer.python() << "\n";
    netlab::keep_alive(conn.get());  // a client that vanished is noticed in seconds (socket.hpp)
    std::string pending;             // bytes of a letter whose rest has not arrived yet
    char buf[1024];
    while (const std::size_t n = netlab::recv_some(conn.get(), buf, sizeof buf, timeout_ms)) {
        pending.append(buf, n);
        const std::size_t complete = netlab::utf8_complete_prefix(pending);
        netlab::send_all(conn.get(), netlab::utf8_upper(std::string_view(pending).substr(0, complete)), timeout_ms);
        pending.erase(0, complete);
    }
    netlab::send_all(conn.get(), pending, timeout_ms);  // a cut-off letter at EOF: send as it is
}

void serve_per_request(int listener, int timeout_ms)
{
    for (;;) {
        netlab::Endpoint peer;
        netlab::Fd conn = netlab::accept_from(listener, &peer);
        netlab::serve_client(peer.python(), [&] {
            netlab::keep_alive(conn.get());  // a client that vanished is noticed in seconds (socket.hpp)
            char buf[1024];
            std::string data(buf, netlab::recv_some(conn.get(), buf, sizeof buf, timeout_ms));
            // .strip() in the lecture: surrounding whitespace (nc's newline) is dropped.
            const auto first = data.find_first_not_of(" \t\r\n\v\f");
            data = first == std::string::npos ? "" : data.substr(first, data.find_last_not_of(" \t\r\n\v\f") - first + 1);
            std::cout << peer.ip() << " wrote:\n" << data << "\n";
            netlab::send_all(conn.get(), netlab::utf8_upper(data), timeout_ms);
        });
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("upper_server",
                        "Uppercase echo: one client until EOF (lecture 004) or one request per "
                        "connection (--per-request, lecture 000)",
                        "0.0.0.0", 9090);
        cli.add()("per-request", "lecture 000's socketserver variant: localhost:5000, one request per connection");
        cli.add_timeout(30);
        auto args = cli.parse(argc, argv);
        const bool per_request = args.count("per-request") > 0;
        if (per_request)
            cli.default_endpoint("localhost", 5000);
        netlab::install_stop_handlers();

        // tcp_listen: socket + SO_REUSEADDR + bind + listen, as greeting_server spells them out
        netlab::Fd listener = netlab::tcp_listen(cli.host(), cli.port(), per_request ? 5 : 1);
        if (per_request)
            serve_per_request(listener.get(), cli.timeout_ms());
        else
            serve_one_until_eof(listener.get(), cli.timeout_ms());
    });
}
