// stream_client — sends a bulk transfer to stream_server in fixed-size send() calls (lecture 002).
//
//   sent 10485760 bytes in 160 send() calls of up to 65536 bytes (12 partial)
//   server received 10485760 bytes
//   throughput: 1234.5 MB/s
//
// Watch for: send() may accept FEWER bytes than asked ("partial send") when the socket's send
// buffer is full; the rest must be sent again. That is what sendall() does in Python and
// send_all() in common/; here the loop is written out so the partial sends can be counted.
//
// Run the pair:   ./stream_server   then   ./stream_client [--bytes N] [--chunk N]
#include "half_close.hpp"
#include "stream_pattern.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("stream_client", "Sends a bulk transfer and counts partial sends (lecture 002)", "127.0.0.1", 65433);
        cli.add()("bytes", "how many bytes to send", cxxopts::value<std::string>()->default_value("10485760"))  //
            ("chunk", "bytes per send() call", cxxopts::value<std::string>()->default_value("65536"));
        cli.add_timeout(30);
        auto args = cli.parse(argc, argv);
        const auto total = static_cast<std::size_t>(netlab::parse_number("bytes", args["bytes"].as<std::string>(), 0, 1L << 34));
        const auto chunk = static_cast<std::size_t>(netlab::parse_number("chunk", args["chunk"].as<std::string>(), 1, 16 << 20));

        // Byte i is i % 251, so the server can check every byte (stream_pattern.hpp).
        const std::string pattern = lesson01::stream_pattern(chunk);

        // tcp_connect: socket + connect, as greeting_client spells them out
        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        const auto start = std::chrono::steady_clock::now();
        std::size_t sent = 0, calls = 0, partial = 0;
        while (sent < total) {
            const std::size_t want = std::min(chunk, total - sent);
            const std::size_t n = netlab::send_some(sock.get(), lesson01::stream_pattern_at(pattern, sent), want,
                                                    cli.timeout_ms());
            ++calls;
            partial += n < want;
            sent += n;
        }
        lesson01::shutdown_write(sock.get());
        const std::string reply = netlab::recv_until_eof(sock.get(), 64, cli.timeout_ms());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        std::cout << "sent " << sent << " bytes in " << calls << " send() calls of up to " << chunk << " bytes (" << partial
                  << " partial)\n";
        std::cout << "server received " << (reply.empty() ? "nothing" : reply.substr(0, reply.find('\n')) + " bytes") << "\n";
        char rate[64];
        std::snprintf(rate, sizeof rate, "%.1f", seconds > 0 ? sent / seconds / 1e6 : 0.0);
        std::cout << "throughput: " << rate << " MB/s\n";
        return reply == std::to_string(sent) + "\n" ? 0 : 1;
    });
}
