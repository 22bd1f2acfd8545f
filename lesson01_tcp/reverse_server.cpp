// reverse_server — a reusable sequential server (lecture 004, "Как сделать сервер многоразовым?").
//
// After one client leaves, the loop goes back to accept() and serves the next one: the server
// lives on, but clients are still served one at a time (lesson04 fixes that). Each message is
// answered reversed: "hello" -> "olleh", "привет" -> "тевирп".
//
// Output, as in the lecture:
//   Слушаю порт 33333
//   Получено от 127.0.0.1:53422: hello
//   Отправлено 127.0.0.1:53422: olleh
//
// Watch for: while one client is connected, a second one's connect() succeeds (the kernel
// finishes the handshake and queues it in the backlog) but nothing answers it until the first
// leaves — "reusable" is not "concurrent". Start two `nc` and see.
//
// Decisions: we reverse letters, not bytes (reversing the bytes of UTF-8 text breaks every
// Cyrillic letter), and a line ending stays at the end, so `nc` shows "olleh" on its own line.
//
// Run the pair:   ./reverse_server   then   nc 127.0.0.1 33333   (or ./prompt_client --port 33333)
#include "common/cli.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>
#include <vector>

namespace {

// Reverses complete UTF-8 letters, keeping a trailing "\n" or "\r\n" where it was.
std::string reverse_text(std::string_view text)
{
    std::string_view ending;
    if (text.ends_with("\r\n"))
        ending = "\r\n";
    else if (text.ends_with('\n'))
        ending = "\n";
    text.remove_suffix(ending.size());

    std::vector<std::string_view> letters;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t len = 1;  // a lead byte plus its continuation bytes (10xxxxxx)
        while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80)
            ++len;
        letters.push_back(text.substr(i, len));
        i += len;
    }
    std::string out;
    for (auto it = letters.rbegin(); it != letters.rend(); ++it)
        out += *it;
    return out + std::string(ending);
}

std::string without_line_end(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("reverse_server", "Reusable sequential server that reverses each message (lecture 004)", "0.0.0.0",
                        33333);
        cli.add_timeout(60);
        cli.parse(argc, argv);
        netlab::install_stop_handlers();

        // tcp_listen: socket + SO_REUSEADDR + bind + listen, as greeting_server spells them out
        netlab::Fd srv = netlab::tcp_listen(cli.host(), cli.port(), 1);
        for (;;) {
            std::cout << "Слушаю порт " << cli.port() << "\n";
            netlab::Endpoint peer;
            netlab::Fd sock = netlab::accept_from(srv.get(), &peer);
            const std::string who = peer.ip() + ":" + std::to_string(peer.port());
            netlab::serve_client(peer.python(), [&] {
                netlab::keep_alive(sock.get());  // a client that vanished is noticed in seconds (socket.hpp)
                std::string pending;             // a letter cut in half by recv() waits for its other half
                char buf[1024];
                while (const std::size_t n = netlab::recv_some(sock.get(), buf, sizeof buf, cli.timeout_ms())) {
                    pending.append(buf, n);
                    const std::size_t complete = netlab::utf8_complete_prefix(pending);
                    const std::string pal = pending.substr(0, complete);
                    pending.erase(0, complete);
                    if (pal.empty())
                        continue;
                    const std::string lap = reverse_text(pal);
                    std::cout << "Получено от " << who << ": " << without_line_end(pal) << "\n";
                    std::cout << "Отправлено " << who << ": " << without_line_end(lap) << "\n";
                    netlab::send_all(sock.get(), lap, cli.timeout_ms());
                }
            });
        }
    });
}
