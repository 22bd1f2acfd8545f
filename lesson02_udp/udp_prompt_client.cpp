// udp_prompt_client — interactive UDP client (lecture 004, «В чем особенности UDP-сокетов?»).
//
// One socket, then for every line typed: sendto → recvfrom → print. Watch for: there is no
// connection to open or close, so the first sendto() "works" even when nothing listens on the
// port — the only symptom is that no answer comes. The lecture's Python would then wait forever;
// ours waits --timeout seconds and reports it in the lecture's format,
//   Error Code : 110 Message Connection timed out
// (110 is ETIMEDOUT). Socket errors use the same format, with the errno and its text.
// An empty line is not sent (the lecture's echo servers skip empty datagrams, so no answer
// would come); end of input (Ctrl-D) quits.
//
// Run the pair:   ./udp_print_server --port 8888 --echo      # terminal 1
//                 ./udp_prompt_client                        # terminal 2
//   or against the echo server:   ./udp_prompt_client --port 30000   (with ./udp_echo_server)
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <netdb.h>

namespace {

constexpr std::size_t kMaxDatagram = 65507;  // the largest UDP payload over IPv4

// Reads a line of stdin into `line`, without its '\n'; false at end of input. Reading stops past
// `limit` bytes (the line kept as is, one byte over, so sendto() refuses it) instead of filling memory.
bool read_line(std::string& line, std::size_t limit)
{
    line.clear();
    char c;
    while (std::cin.get(c)) {
        if (c == '\n')
            return true;
        line += c;
        if (line.size() > limit)
            return true;
    }
    return !line.empty();
}

// Python 2's `except socket.error, msg: print 'Error Code : ' + str(msg[0]) + ' Message ' + msg[1]`.
int report(int code, const std::string& message)
{
    std::cout << "Error Code : " << code << " Message " << message << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("udp_prompt_client", "Sends each typed line as a datagram, prints the reply (lecture 004)", "localhost",
                        8888);
        cli.add_timeout(5);
        cli.parse(argc, argv);

        try {
            // udp_target: getaddrinfo + socket, as udp_thanks_client spells them out
            auto [server, sock] = lesson02::udp_target(cli.host(), cli.port());
            std::string msg;
            for (;;) {
                std::cout << "Enter message to send : " << std::flush;
                if (!read_line(msg, kMaxDatagram)) {
                    std::cout << "\n";
                    return 0;
                }
                if (msg.empty())
                    continue;
                netlab::send_to(sock.get(), msg, server);
                char reply[1024];  // the lecture's recvfrom(1024): a longer reply is cut
                const std::size_t n = lesson02::recv_from(sock.get(), reply, sizeof reply, nullptr, cli.timeout_ms());
                std::cout << "Server reply : " << std::string_view(reply, n) << "\n";
            }
        } catch (const netlab::SysError& e) {
            return report(e.code(), std::strerror(e.code()));
        } catch (const netlab::ResolveError& e) {
            return report(e.code(), gai_strerror(e.code()));
        } catch (const netlab::Timeout&) {
            return report(ETIMEDOUT, std::strerror(ETIMEDOUT));
        }
    });
}
