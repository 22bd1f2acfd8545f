// udp_echo_server — UDP echo server (lecture 003, «UDP-сервер», udp-server-1.py).
//
// socket → bind → (recvfrom → sendto) forever, with a log line for every step. Compared with the
// TCP echo server of lesson01: no SO_REUSEADDR (a UDP socket has no TIME_WAIT), no listen(), no
// accept(), nothing to close per client. Several `nc -4u` clients can talk to it at once:
// each datagram carries its sender's address, so one socket serves them all.
//
// Watch for: each sendto() of a client arrives as exactly one recvfrom() here — message
// boundaries are kept, unlike TCP's byte stream. The lecture reads with a 2048-byte buffer; we
// default to 65535 so even the largest datagram (65507 bytes over IPv4) comes back whole.
// `--buffer 2048` reproduces the lecture: a longer datagram is cut and the rest is lost, which
// the log reports.
//
// Run the pair:   ./udp_echo_server                     # terminal 1
//                 nc -4u localhost 30000                # terminal 2: type lines, get them back
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>
#include <vector>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("udp_echo_server", "UDP echo server with a log line per step (lecture 003)", "", 30000);
        cli.add()("buffer", "recvfrom() buffer size in bytes (the lecture uses 2048)",
                  cxxopts::value<std::string>()->default_value("65535"));
        auto args = cli.parse(argc, argv);
        const auto buffer_size = static_cast<std::size_t>(
            netlab::parse_number("buffer", args["buffer"].as<std::string>(), 1, 65535));
        netlab::install_stop_handlers();

        // The lecture binds '' (every interface) and prints it as such.
        std::cout << "Starting up UDP echo server on " << (cli.host().empty() ? "" : cli.host() + " ") << "port " << cli.port()
                  << "\n";
        // udp_bind: socket + bind, as udp_thanks_server spells them out
        netlab::Fd sock = lesson02::udp_bind(cli.host(), cli.port());
        std::vector<char> data(buffer_size);
        for (;;) {
            std::cout << "Waiting to receive message from client\n";
            const lesson02::Datagram d = lesson02::recv_datagram(sock.get(), data.data(), data.size(), -1, MSG_TRUNC);
            // An empty datagram is legal in UDP (a TCP recv() of 0 would mean EOF); the lecture skips it.
            if (d.full_size == 0)
                continue;
            std::cout << "Received " << d.size << " bytes from " << d.from.python() << "\n";
            if (d.truncated())
                std::cout << "(the datagram had " << d.full_size << " bytes: " << d.full_size - d.size
                          << " did not fit the buffer and are lost)\n";
            // A failed answer (say, no route back to that sender) is that client's problem, not the server's.
            netlab::serve_client(d.from.python(), [&] {
                const std::size_t sent = netlab::send_to(sock.get(), std::string_view(data.data(), d.size), d.from);
                std::cout << "Sent " << sent << " bytes back\n";
            });
        }
    });
}
