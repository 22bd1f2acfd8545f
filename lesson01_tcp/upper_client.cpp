// upper_client — sends "hello, world!" to upper_server and prints the answer (lecture 004).
//
// Watch for: the lecture's client does one recv(1024) and hopes the whole answer is there.
// We shut down our sending side after the message and read until the server closes, which
// works with both upper_server variants and with any answer size.
//
// Run the pair:   ./upper_server   then   ./upper_client [--message привет]
#include "half_close.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("upper_client", "Sends a message to upper_server and prints the answer", "localhost", 9090);
        cli.add()("m,message", "text to send", cxxopts::value<std::string>()->default_value("hello, world!"));
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);

        // tcp_connect: socket + connect, as greeting_client spells them out
        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        netlab::send_all(sock.get(), args["message"].as<std::string>(), cli.timeout_ms());
        lesson01::shutdown_write(sock.get());
        std::cout << netlab::recv_until_eof(sock.get(), 1 << 20, cli.timeout_ms()) << "\n";
        return 0;
    });
}
