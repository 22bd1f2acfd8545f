// framed_server — message framing with a fixed-width length header (lecture 004, "Как обойти
// буферизацию?" and "Как обмениваться объектами по сокетам?").
//
// Every message goes out as a 10-character header — its length in bytes, left-aligned and
// padded with spaces — followed by the message itself:  b'22        Welcome to the server!'
// With --object the message is a serialized map {1: "hi", 2: "there"}; the lecture pickles
// it, we use JSON so that any language can read it.
//
// Watch for: TCP delivers a byte stream, not messages. The header is what lets the client
// know where one message ends, however the bytes are split between recv() calls.
//
// Run the pair:   ./framed_server [--object]   then   ./framed_client [--object]
#include "framing.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("framed_server", "Sends one length-prefixed message per client (lecture 004)", "127.0.0.1", 1243);
        cli.add()("object", "send a serialized map {1: \"hi\", 2: \"there\"} (JSON) instead of the welcome text")  //
            ("message", "the welcome text", cxxopts::value<std::string>()->default_value("Welcome to the server!"));
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        const bool object = args.count("object") > 0;
        std::string payload = args["message"].as<std::string>();
        if (object)
            payload = nlohmann::json{{"1", "hi"}, {"2", "there"}}.dump();
        const std::string msg = framing::frame(payload);
        netlab::install_stop_handlers();

        // tcp_listen: socket + SO_REUSEADDR + bind + listen, as greeting_server spells them out
        netlab::Fd s = netlab::tcp_listen(cli.host(), cli.port(), 5);
        for (;;) {
            netlab::Endpoint address;
            netlab::Fd clientsocket = netlab::accept_from(s.get(), &address);
            std::cout << "Connection from " << address.python() << " has been established.\n";
            if (object)
                std::cout << netlab::python_bytes(msg) << "\n";
            netlab::serve_client(address.python(), [&] { netlab::send_all(clientsocket.get(), msg, cli.timeout_ms()); });
        }
    });
}
