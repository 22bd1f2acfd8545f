// router_server — lecture 000 §5: the simplest HTTP server, answering a browser by path.
//
//   /        → 200 Привет!
//   /admin   → 403 Сюда нельзя
//   anything → 404 Такого нет
//
// with the lecture's head (Content-Type: text/html; charset=utf-8, Content-Length in bytes:
// "Привет!" is 7 letters but 13 bytes), printing each request as it arrives, on 0.0.0.0:5000.
//
// Watch for:
//  - --naive is the lecture's loop: accept, one recv(4096), split on whitespace, answer. It works
//    from a browser because a browser's request fits in one segment — but TCP is a byte stream,
//    not a message service: a client that writes "GET /adm" and then "in HTTP/1.1..." is answered
//    for /adm (404), and one that writes "GET" first gets no answer at all (README.md shows both).
//  - Without --naive the request goes through the HTTP parser and the event-loop core
//    (http_server.cpp): it waits for the whole head however it is cut, keeps the connection open
//    for the next request, and serves many clients at once.
//
// Run the pair:   ./router_server      curl -i http://127.0.0.1:5000/admin   (or a browser)
#include "http_server.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <iostream>
#include <sstream>

namespace {

struct Route {
    int code;
    const char* text;
};

Route route(const std::string& resource)
{
    if (resource == "/")
        return {200, "Привет!"};
    if (resource == "/admin")
        return {403, "Сюда нельзя"};
    return {404, "Такого нет"};
}

// The lecture's generate_response(): its status names, its two fields.
std::string generate_response(int code, const std::string& text)
{
    const char* name = code == 200 ? "OK" : code == 403 ? "Forbidden" : "Not Found";
    return "HTTP/1.1 " + std::to_string(code) + " " + name + "\r\nContent-Type: text/html; charset=utf-8\r\n" +
           "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

// The lecture's server, line for line: one recv() is taken to be the whole request.
void serve_naive(const std::string& host, std::uint16_t port)
{
    netlab::Fd server = netlab::tcp_listen(host, port, SOMAXCONN);
    for (;;) {
        netlab::Endpoint addr;
        netlab::Fd client = netlab::accept_from(server.get(), &addr);
        netlab::serve_client(addr.python(), [&] {
            char buf[4096];
            const std::size_t n = netlab::recv_some(client.get(), buf, sizeof buf, 10'000);
            const std::string request(buf, n);
            std::cout << request << "\n" << std::flush;  // print(request)
            std::istringstream words(request);           // method, resource, *other = request.split()
            std::string method, resource;
            if (!(words >> method >> resource)) {
                // Python would die here with "ValueError: not enough values to unpack".
                std::cerr << "router_server: --naive: one recv() gave " << n
                          << " bytes, not a whole request line; closing without an answer" << std::endl;
                return;
            }
            const Route r = route(resource);
            netlab::send_all(client.get(), generate_response(r.code, r.text), 10'000);
        });
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("router_server", "Answers /, /admin and everything else as lecture 000 §5 does", "0.0.0.0", 5000);
        cli.add()("naive", "the lecture's loop: one client at a time, one recv(4096) per request");
        http::add_server_options(cli);
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();
        if (args.count("naive")) {
            serve_naive(cli.host(), cli.port());
            return;
        }

        http::ServerConfig config;
        config.program = "router_server";
        http::read_server_options(args, config);
        http::Server server(config, [](const http::Request& req, const netlab::Endpoint&) {
            std::cout << req.raw_head << req.body << "\n" << std::flush;  // print(request), as the lecture does
            if (req.method != "GET" && req.method != "HEAD") {
                http::Reply r = http::error_reply(405, "only GET and HEAD are served here");
                r.headers.add("Allow", "GET, HEAD");
                return r;
            }
            const Route r = route(req.target);
            return http::text_reply(r.code, "text/html; charset=utf-8", r.text);
        });
        server.listen(cli.host(), cli.port());
        server.run();
    });
}
