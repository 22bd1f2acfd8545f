// robust_client — the lecture's client that handles failures, most specific first (lecture 000).
//
//   s.settimeout(3.0)
//   try:    connect, sendall, recv(4096)
//   except socket.gaierror:  print('Wrong adress')
//   except TimeoutError:     print('Connection timed out')
//   except OSError as e:     print('Connection error:', e.errno)
//
// The order matters: in Python gaierror and TimeoutError are both OSErrors, so a handler for
// OSError first would swallow them. Here each class also gets its own exit status, so a script
// can tell them apart: 0 answer printed, 3 wrong address, 4 timed out, 1 any other error
// (2 stays the usage error of every netlab program). Timed out covers our own timeout and the
// kernel's ETIMEDOUT 110, as Python's TimeoutError does.
//
// Watch for: a timeout is not one clock for the whole exchange: connect(), send() and recv() each
// get --timeout seconds. A server that accepts and never answers is "Connection timed out" only
// after recv() has waited its own 3 s; one that closes at once is "socket connection broken".
//
// Run the pair:  nc -l 127.0.0.1 5000   then  ./robust_client   (type an answer into nc; Ctrl-C
//                nc without answering, or let 3 s pass, to see the other endings)
// Failures:      ./robust_client --host 'bad adress'    ./robust_client --port 1
#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <iostream>

namespace {
constexpr int kWrongAddress = 3;
constexpr int kTimedOut = 4;
constexpr int kOtherError = 1;
}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("robust_client", "Connects, sends, receives with a timeout; reports failures as lecture 000 does",
                        "127.0.0.1", 5000);
        cli.add()("m,message", "text to send", cxxopts::value<std::string>()->default_value("Привет!"));
        cli.add_timeout(3.0);
        auto args = cli.parse(argc, argv);
        const std::string message = args["message"].as<std::string>();

        try {
            // tcp_connect: getaddrinfo, then socket + connect to each address in turn (lesson01's
            // greeting_client spells the calls out); each failure below is one of those calls'.
            netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
            netlab::send_all(sock.get(), message, cli.timeout_ms());
            char answer[4096];
            const std::size_t n = netlab::recv_some(sock.get(), answer, sizeof answer, cli.timeout_ms());
            if (n == 0) {  // lecture 003's check: an empty answer means the peer closed
                std::cout << "Connection error: socket connection broken" << std::endl;
                return kOtherError;
            }
            std::cout << std::string_view(answer, n) << std::endl;
            return 0;
        } catch (const netlab::ResolveError& e) {
            netlab::trace(e.what());
            std::cout << "Wrong adress" << std::endl;  // sic: the lecture's spelling
            return kWrongAddress;
        } catch (const netlab::Timeout& e) {
            netlab::trace(e.what());
            std::cout << "Connection timed out" << std::endl;
            return kTimedOut;
        } catch (const netlab::SysError& e) {
            netlab::trace(e.what());
            if (e.code() == ETIMEDOUT) {
                std::cout << "Connection timed out" << std::endl;
                return kTimedOut;
            }
            std::cout << "Connection error: " << e.code() << std::endl;
            return kOtherError;
        }
    });
}
