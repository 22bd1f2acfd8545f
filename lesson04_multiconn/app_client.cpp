// app_client — lecture 002 "Application Client and Server" (app-client.py + libclient.py):
// sends one request in the application protocol and prints the server's response.
//
//   $ ./app_client 127.0.0.1 65432 search morpheus
//   Starting connection to ('127.0.0.1', 65432)
//   Sending b'\x00g{"byteorder": "little", "content-type": "text/json", "content-encoding": "utf-8", "content-length": 41}{"action": "search", "value": "morpheus"}' to ('127.0.0.1', 65432)
//   Received response {'result': 'Follow the white rabbit. 🐰'} from ('127.0.0.1', 65432)
//   Got result: Follow the white rabbit. 🐰
//   Closing connection to ('127.0.0.1', 65432)
//
// `search` sends a text/json request; any other action sends action+value as raw bytes of type
// binary/custom-client-binary-type, and the server answers with its first 10 bytes.
//
// Watch for: the client reads the reply with the same MessageReader the server uses — the two
// length fields, not the end of a recv(), say where the response ends. The lecture's client is a
// selectors loop too; with one connection a blocking exchange (with --timeout on every wait) says
// the same thing more plainly, and multiconn_client shows the non-blocking connect.
//
// Run the pair:   ./app_server 127.0.0.1 65432      ./app_client 127.0.0.1 65432 search 🐶
#include "app_message.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>

namespace {

struct Request {
    std::string content;
    std::string type;
    std::string encoding;
};

// app-client.py's create_request().
Request create_request(const std::string& action, const std::string& value)
{
    if (action == "search") {
        try {
            return {app::json_dumps(app::Json{{"action", action}, {"value", value}}), "text/json", "utf-8"};
        } catch (const app::Json::exception&) {
            throw netlab::UsageError("a search value must be UTF-8 text");
        }
    }
    return {action + value, "binary/custom-client-binary-type", "binary"};
}

// process_response(): print it the way libclient.py does.
void process_response(const app::Message& response, const std::string& addr)
{
    if (response.content_type() == "text/json") {
        const app::Json content = app::json_decode(response.content, response.content_encoding());
        std::cout << "Received response " << app::python_repr(content) << " from " << addr << "\n";
        const app::Json result = content.is_object() ? content.value("result", app::Json()) : app::Json();
        std::cout << "Got result: " << (result.is_string() ? result.get<std::string>() : app::python_repr(result)) << "\n";
    } else {
        // Binary or unknown content-type
        std::cout << "Received " << response.content_type() << " response from " << addr << "\n";
        std::cout << "Got response: " << netlab::python_bytes(response.content) << "\n";
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("app_client", "Application-protocol client: one search or binary request (lecture 002)", "127.0.0.1",
                        65432);
        cli.add()("action", "search, or anything else for a binary request", cxxopts::value<std::string>())  //
            ("value", "what to search for, or the bytes to send after the action", cxxopts::value<std::string>());
        cli.positional({"host", "port", "action", "value"}, "<host> <port> <action> <value>");
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        if (!args.count("action") || !args.count("value"))
            throw netlab::UsageError("usage: app_client <host> <port> <action> <value>");
        const Request request = create_request(args["action"].as<std::string>(), args["value"].as<std::string>());
        const std::string message = app::create_message(request.content, request.type, request.encoding);

        const std::string addr = "('" + cli.host() + "', " + std::to_string(cli.port()) + ")";
        std::cout << "Starting connection to " << addr << "\n";
        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        std::cout << "Sending " << netlab::python_bytes(message) << " to " << addr << "\n";
        netlab::send_all(sock.get(), message, cli.timeout_ms());

        app::MessageReader reader;  // the same limits bound what a server may send us
        char data[4096];
        while (!reader.complete()) {
            const std::size_t n = netlab::recv_some(sock.get(), data, sizeof data, cli.timeout_ms());
            if (n == 0)
                throw app::ProtocolError("server closed the connection after " + reader.progress() + " of the response");
            reader.feed({data, n});
        }
        process_response(reader.message(), addr);
        std::cout << "Closing connection to " << addr << "\n";
        return 0;
    });
}
