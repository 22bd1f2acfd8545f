// request_dump_server — lecture 000 §5: what a browser really sends.
//
// Point a browser at http://127.0.0.1:5000/ and every request it makes (the page, then
// /favicon.ico...) is printed exactly as it arrived, CR LF and all, followed by its body; the
// browser gets a small HTML page showing the same request back.
//
// Watch for:
//  - The request line, then one field per line, then an empty line: that empty line is the only
//    way the server knows the head is over. Host names the site (one server, many sites);
//    User-Agent, Accept* and the Sec-Fetch-* fields describe the browser and what it wants.
//  - The page shows the request HTML-escaped: the request is the client's text, and a client may
//    put "<script>" in it.
//
// Run the pair:   ./request_dump_server      chromium http://127.0.0.1:5000/   (or curl -v)
#include "http_server.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("request_dump_server", "Print every HTTP request exactly as received (lecture 000 §5)", "127.0.0.1",
                        5000);
        http::add_server_options(cli);
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();

        http::ServerConfig config;
        config.program = "request_dump_server";
        http::read_server_options(args, config);
        http::Server server(config, [](const http::Request& req, const netlab::Endpoint& peer) {
            const std::string raw = req.raw_head + req.body;
            std::cout << raw << std::flush;
            return http::text_reply(
                200, "text/html; charset=utf-8",
                "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Your request</title></head>\n<body>\n"
                "<h1>Your request</h1>\n<p>From " +
                    http::html_escape(peer.str()) + ", " + std::to_string(raw.size()) + " bytes:</p>\n<pre id=\"request\">" +
                    http::html_escape(raw) + "</pre>\n</body>\n</html>\n");
        });
        server.listen(cli.host(), cli.port());
        std::cout << "Serving HTTP on " << cli.host() << " port " << cli.port() << " (http://"
                  << (cli.host().find(':') != std::string::npos ? "[" + cli.host() + "]" : cli.host()) << ":" << cli.port()
                  << "/) ..." << std::endl;
        server.run();
    });
}
