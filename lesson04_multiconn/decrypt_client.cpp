// decrypt_client — practice task 1 of lecture 001 («Практика»): sends a list of encrypted words
// to decrypt_server and prints the list it gets back.
//
//   $ ./decrypt_client khoor zruog тулеих
//   Sending ['khoor', 'zruog', 'тулеих']
//   Received ['hello', 'world', 'привет']
//
//   $ ./decrypt_client --encrypt hello мир nonsense     (encrypt first, with the same cipher)
//   Sending ['khoor', 'плу', 'qrqvhqvh']
//   Received ['hello', 'мир', '???']
//
// One JSON list per line each way (see decrypt_server.cpp); the cipher and the dictionary are in
// decrypt_cipher.hpp. Without words it sends the encrypted "hello world".
//
// Watch for: the answer is read up to its newline, not "whatever one recv() returns" — a long
// list may arrive in several pieces.
//
// Run the pair:   ./decrypt_server      ./decrypt_client khoor zruog
#include "app_python.hpp"
#include "decrypt_cipher.hpp"
#include "line_reader.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/json.hpp"
#include "common/socket.hpp"

#include <iostream>
#include <vector>

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("decrypt_client",
                        "Sends encrypted words to decrypt_server, prints the decrypted list (lecture 001, practice 1)",
                        "127.0.0.1", 12345);
        cli.add()("encrypt", "the words are plain text: encrypt them first (Caesar, shift 3)")  //
            ("words", "words to send", cxxopts::value<std::vector<std::string>>());
        cli.positional({"words"}, "[word...]");
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        std::vector<std::string> words{"khoor", "zruog"};
        if (args.count("words"))
            words = args["words"].as<std::vector<std::string>>();
        app::Json list = app::Json::array();
        for (const auto& w : words)
            list.push_back(args.count("encrypt") ? decrypt::caesar(w) : w);
        std::string request;
        try {
            request = app::json_dumps(list) + "\n";
        } catch (const app::Json::exception&) {
            throw netlab::UsageError("words must be UTF-8 text");
        }

        netlab::Fd sock = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        std::cout << "Sending " << app::python_repr(list) << "\n";
        netlab::send_all(sock.get(), request, cli.timeout_ms());
        lesson04::LineReader reader(sock.get(), 1024 * 1024);
        const auto line = reader.next(cli.timeout_ms());
        if (!line)
            throw std::runtime_error("the server closed the connection without an answer");
        app::Json answer;
        try {
            answer = netlab::parse_json<app::Json>(*line);
        } catch (const netlab::JsonError& e) {
            throw std::runtime_error(std::string("the server's answer is not JSON (") + e.what() + ")");
        }
        if (answer.is_object() && answer.contains("error")) {
            std::cerr << "decrypt_client: server error: " << answer["error"].get<std::string>() << "\n";
            return 1;
        }
        std::cout << "Received " << app::python_repr(answer) << "\n";
        return 0;
    });
}
