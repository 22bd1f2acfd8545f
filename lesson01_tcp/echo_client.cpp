// echo_client — sends one message to echo_server and prints the echo (lectures 000, 002, 003).
//
//   --variant basic   127.0.0.1:5000,  sends "Привет!" and prints the answer as text (000)
//   --variant stream  127.0.0.1:65432, sends "Hello, world", prints  Received b'Hello, world'  (002)
//   --variant logged  localhost:30000, sends "Hello TCP-server\n" as `nc` would (003)
//
// Watch for: after sending, the client shuts down its sending side (shutdown SHUT_WR). The
// server's recv() then returns 0 — "no more data" — so a server that echoes until EOF knows
// when to stop, and we read the reply until the server closes. One recv() alone could return
// only part of the echo.
//
// Run the pair:   ./echo_server   then   ./echo_client [--message TEXT]
#include "half_close.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("echo_client", "Sends a message to echo_server and prints the echo", "127.0.0.1", 5000);
        cli.add()("variant", "basic (port 5000), stream (65432) or logged (30000): see echo_server",
                  cxxopts::value<std::string>()->default_value("basic"))  //
            ("m,message", "text to send (default depends on --variant)", cxxopts::value<std::string>());
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        const std::string variant = args["variant"].as<std::string>();
        std::string message = "Привет!";
        if (variant == "stream") {
            cli.default_endpoint("127.0.0.1", 65432);
            message = "Hello, world";
        } else if (variant == "logged") {
            cli.default_endpoint("localhost", 30000);
            message = "Hello TCP-server\n";
        } else if (variant != "basic") {
            throw netlab::UsageError("--variant must be basic, stream or logged, not '" + variant + "'");
        }
        if (args.count("message"))
            message = args["message"].as<std::string>();

        // tcp_connect: socket + connect, as greeting_client spells them out
        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        netlab::send_all(sock.get(), message, cli.timeout_ms());
        lesson01::shutdown_write(sock.get());
        const std::string answer = netlab::recv_until_eof(sock.get(), 1 << 20, cli.timeout_ms());
        if (variant == "stream")
            std::cout << "Received " << netlab::python_bytes(answer) << "\n";
        else
            std::cout << answer << (answer.ends_with('\n') ? "" : "\n");
        return 0;
    });
}
