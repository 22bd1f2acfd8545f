// hello_server — lecture 001's BaseHTTPRequestHandler example, and its cherrypy example.
//
//   $ hello_server                     →  Started HTTP server on port: 8080
//   $ curl http://127.0.0.1:8080/      →  Hello World!
//   $ hello_server --cherrypy          →  ENGINE Serving on http://127.0.0.1:8099
//   $ curl http://127.0.0.1:8099/      →  HelloWorld from cherrypy!
//
// Watch for:
//  - The lecture's do_GET sends a status, one header and the body; Python's http.server adds
//    Server and Date and then closes the connection, because it sent no Content-Length. This
//    server counts the body's bytes, so the connection can stay open for the next request.
//  - Like BaseHTTPRequestHandler with only do_GET, other methods get 501 (HEAD is answered: the
//    head of what GET would send). cherrypy serves its index at "/" only; anything else is 404.
//
// Run the pair:   ./hello_server      curl -i http://127.0.0.1:8080/   (or a browser)
#include "http_server.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("hello_server", "Hello World over HTTP (lecture 001: BaseHTTPRequestHandler, cherrypy)", "127.0.0.1",
                        8080);
        cli.add()("cherrypy", "answer as the cherrypy example does, on port 8099");
        http::add_server_options(cli);
        auto args = cli.parse(argc, argv);
        const bool cherrypy = args.count("cherrypy") > 0;
        cli.default_endpoint("127.0.0.1", cherrypy ? 8099 : 8080);
        netlab::install_stop_handlers();

        http::ServerConfig config;
        config.program = "hello_server";
        config.server = cherrypy ? "CherryPy/netlab" : "BaseHTTP/0.6 netlab";
        http::read_server_options(args, config);
        http::Server server(config, [cherrypy](const http::Request& req, const netlab::Endpoint&) {
            if (req.method != "GET" && req.method != "HEAD")
                return http::error_reply(501, "Unsupported method ('" + req.method + "')");
            if (cherrypy) {
                const auto path = req.target.substr(0, req.target.find('?'));
                if (path != "/" && path != "/index")
                    return http::error_reply(404, "The path '" + path + "' was not found");
                return http::text_reply(200, "text/html;charset=utf-8", "HelloWorld from cherrypy!");
            }
            return http::text_reply(200, "text/html", "Hello World!");
        });
        server.listen(cli.host(), cli.port());
        if (cherrypy)
            std::cout << "ENGINE Serving on http://" << cli.host() << ":" << cli.port() << "\n";
        else
            std::cout << "Started HTTP server on port: " << cli.port() << "\n";
        server.run();
    });
}
