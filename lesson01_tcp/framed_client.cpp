// framed_client — reassembles length-prefixed messages from small reads (lecture 004).
//
// Reads 16 bytes at a time on purpose, to show a message arriving in pieces:
//   new msg len: b'22        '
//   full message length: 22
//   16
//   full message length: 22
//   32
//   full msg recvd
//   Welcome to the server!
// After each recv it prints how many bytes of the current message (header included) it has.
// With --object the message is JSON, printed the way Python prints the dict: {1: 'hi', 2: 'there'}.
//
// Watch for: one recv() may end inside the header, inside the message, or in the NEXT message;
// the buffer keeps whatever belongs to the next one. The lecture's client crashes at EOF; ours
// stops there, and reports a message cut short.
//
// Run the pair:   ./framed_server [--object]   then   ./framed_client [--object]
#include "framing.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("framed_client", "Reads length-prefixed messages in 16-byte pieces (lecture 004)", "127.0.0.1", 1243);
        cli.add()("object", "the message is a serialized map (JSON): print it as a dict");
        cli.add_timeout(10);
        auto args = cli.parse(argc, argv);
        const bool object = args.count("object") > 0;

        // tcp_connect: socket + connect, as greeting_client spells them out
        netlab::Fd s = netlab::tcp_connect(cli.host(), cli.port(), cli.timeout_ms());
        std::string full_msg;  // bytes received and not yet handed out as a message
        std::size_t msglen = 0;
        bool new_msg = true;  // true until the current message's header has been read
        for (;;) {
            char chunk[16];
            const std::size_t n = netlab::recv_some(s.get(), chunk, sizeof chunk, cli.timeout_ms());
            if (n == 0)
                break;
            full_msg.append(chunk, n);
            // One chunk may complete a message and start the next: loop until we need more bytes.
            for (bool progress = true; progress;) {
                progress = false;
                if (new_msg && full_msg.size() >= framing::kHeaderSize) {
                    std::cout << "new msg len: "
                              << netlab::python_bytes(std::string_view(full_msg).substr(0, framing::kHeaderSize)) << "\n";
                    msglen = framing::parse_header(std::string_view(full_msg).substr(0, framing::kHeaderSize));
                    new_msg = false;
                }
                if (new_msg)
                    break;
                std::cout << "full message length: " << msglen << "\n";
                std::cout << std::min(full_msg.size(), framing::kHeaderSize + msglen) << "\n";
                if (full_msg.size() >= framing::kHeaderSize + msglen) {
                    const std::string message = full_msg.substr(framing::kHeaderSize, msglen);
                    full_msg.erase(0, framing::kHeaderSize + msglen);
                    new_msg = true;
                    std::cout << "full msg recvd\n" << (object ? framing::python_dict(message) : message) << "\n";
                    progress = !full_msg.empty();
                }
            }
        }
        if (!full_msg.empty()) {
            std::cerr << "framed_client: connection closed in the middle of a message (" << full_msg.size()
                      << " bytes left over)\n";
            return 1;
        }
        return 0;
    });
}
