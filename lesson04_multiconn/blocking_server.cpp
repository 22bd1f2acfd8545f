// blocking_server — the persistent sequential server of lecture 000 («Одновременная обработка
// нескольких соединений»): 127.0.0.1:5000, uppercase echo, one client at a time.
//
//   Connection from ('127.0.0.1', 53422).
//   ('127.0.0.1', 53422): hello
//   ('127.0.0.1', 53422) left us
//
// Watch for: the problem this lesson is about. accept() and recv() block, so while one client
// stays connected the server sits in its recv() and a second client waits in the listen backlog
// — connected as far as its kernel is concerned, but never answered — until the first leaves.
// Every other model in this folder is an answer to that.
//
// Run the pair:   ./blocking_server            nc 127.0.0.1 5000      (or lesson01's prompt_client)
//                 then a second `nc 127.0.0.1 5000` in a third terminal: it gets no answer.
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <iostream>

namespace {

void serve_forever(int listener, bool quiet, int timeout_ms)
{
    for (;;) {
        netlab::Endpoint peer;
        netlab::Fd client = netlab::accept_from(listener, &peer);
        const std::string name = peer.python();
        if (!quiet)
            std::cout << "Connection from " << name << ".\n";
        // Everything below blocks: while we are in here, nobody else is served.
        netlab::serve_client(name, [&] {
            netlab::keep_alive(client.get());  // a client that vanished is noticed in seconds (socket.hpp)
            upper::Utf8Stream text;
            char buf[4096];
            while (const std::size_t n = netlab::recv_some(client.get(), buf, sizeof buf, timeout_ms)) {
                const std::string complete = text.next(std::string_view(buf, n));
                if (!quiet && !complete.empty())
                    std::cout << name << ": " << upper::strip(complete) << "\n";
                netlab::send_all(client.get(), netlab::utf8_upper(complete), timeout_ms);
            }
            netlab::send_all(client.get(), text.rest(), timeout_ms);
            if (!quiet)
                std::cout << name << " left us\n";
        });
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("blocking_server", "Persistent sequential uppercase server: one client at a time (lecture 000)",
                        "127.0.0.1", 5000);
        cli.add_timeout(300);  // how long one silent (or not reading) client may hold the server
        cli.add()("quiet", "no line per connection or message (for benchmarks)");
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();

        // socket.create_server() sets SO_REUSEADDR, so a restarted server can bind at once.
        const netlab::AddrInfo addr =
            netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, /*passive=*/true).front();
        netlab::Fd listener = netlab::open_socket(addr.family, SOCK_STREAM);
        netlab::set_option(listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(listener.get(), addr.endpoint);
        netlab::listen_on(listener.get(), SOMAXCONN);
        serve_forever(listener.get(), args.count("quiet") > 0, cli.timeout_ms());
    });
}
