// stream_server — TCP is a byte stream (lecture 002): receive a bulk transfer and show how the
// recv() sizes have nothing to do with the send() sizes the client used.
//
// Per client it prints, when the client has finished sending:
//   Connection from ('127.0.0.1', 53422)
//   received 10485760 bytes in 180 recv() calls (min 1024, max 65536, mean 58254 bytes)
//   content verified: every byte as sent
//   throughput: 1234.5 MB/s
// and answers with the byte count ("10485760\n"), so the client can check nothing was lost.
//
// Watch for: the client writes in fixed-size send() calls, yet recv() returns whatever the
// kernel happens to have — a few bytes or many sends' worth at once. Message boundaries are
// the application's job (see framed_server).
//
// Run the pair:   ./stream_server   then   ./stream_client [--bytes 100000000 --chunk 1000]
#include "stream_pattern.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("stream_server", "Receives a bulk transfer and reports recv() sizes and throughput (lecture 002)",
                        "127.0.0.1", 65433);
        cli.add()("recv-size", "bytes asked for in each recv()", cxxopts::value<std::string>()->default_value("65536"));
        cli.add_timeout(30);
        auto args = cli.parse(argc, argv);
        const auto recv_size = static_cast<std::size_t>(
            netlab::parse_number("recv-size", args["recv-size"].as<std::string>(), 1, 16 << 20));
        netlab::install_stop_handlers();

        // tcp_listen: socket + SO_REUSEADDR + bind + listen, as greeting_server spells them out
        netlab::Fd listener = netlab::tcp_listen(cli.host(), cli.port(), 5);
        std::string buf(recv_size, '\0');
        const std::string pattern = lesson01::stream_pattern(recv_size);
        for (;;) {
            netlab::Endpoint peer;
            netlab::Fd conn = netlab::accept_from(listener.get(), &peer);
            std::cout << "Connection from " << peer.python() << "\n";
            netlab::serve_client(peer.python(), [&] {
                netlab::keep_alive(conn.get());  // a client that vanished is noticed in seconds (socket.hpp)
                const auto start = std::chrono::steady_clock::now();
                std::size_t total = 0, calls = 0, smallest = SIZE_MAX, largest = 0, first_bad = SIZE_MAX;
                while (const std::size_t n = netlab::recv_some(conn.get(), buf.data(), buf.size(), cli.timeout_ms())) {
                    // stream_client sends byte i as i % 251: any loss or reordering shows up here.
                    const char* expected = lesson01::stream_pattern_at(pattern, total);
                    if (first_bad == SIZE_MAX && std::memcmp(buf.data(), expected, n) != 0)
                        first_bad = total + static_cast<std::size_t>(std::mismatch(buf.data(), buf.data() + n, expected).first -
                                                                     buf.data());
                    total += n;
                    ++calls;
                    smallest = std::min(smallest, n);
                    largest = std::max(largest, n);
                }
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                std::cout << "received " << total << " bytes in " << calls << " recv() calls";
                if (calls)
                    std::cout << " (min " << smallest << ", max " << largest << ", mean " << total / calls << " bytes)";
                std::cout << "\n";
                if (first_bad == SIZE_MAX)
                    std::cout << "content verified: every byte as sent\n";
                else
                    std::cout << "content differs from the pattern at byte " << first_bad << "\n";
                char rate[64];
                std::snprintf(rate, sizeof rate, "%.1f", seconds > 0 ? total / seconds / 1e6 : 0.0);
                std::cout << "throughput: " << rate << " MB/s\n";
                netlab::send_all(conn.get(), std::to_string(total) + "\n", cli.timeout_ms());
            });
        }
    });
}
