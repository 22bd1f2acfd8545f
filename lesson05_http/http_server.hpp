// http_server.hpp — the event-loop HTTP/1.1 server every server of this lesson is built on.
//
// A program gives it a handler (Request → Reply) and gets: one thread, one epoll loop, many
// clients at once; keep-alive for HTTP/1.1 and close for 1.0; pipelined requests answered in
// order; HEAD; "100 Continue"; Date, Server, Content-Length and Connection filled in; 400, 413,
// 414, 431, 501 and 505 for bad requests (from the parser); a header-read timeout (slowloris) and
// an idle keep-alive timeout; bodies from files sent with sendfile(); an access-log line per
// request on stderr in python http.server's format:
//
//   127.0.0.1 - - [01/Dec/2026 10:00:00] "GET / HTTP/1.1" 200 -
//
// Watch for:
//  - The loop never blocks on one client: every socket is non-blocking, and a client that is
//    slow to send (or to read its answer) only keeps its own connection waiting.
//  - The header timeout counts from the request's first byte, not from the last one: a client
//    sending one byte every 100 ms would otherwise hold its connection for ever (slowloris).
//  - After an error answer the server shuts its side down and reads what the client still sends
//    for a moment before closing (a "lingering close"): closing with unread bytes would make
//    the kernel send RST, and the client could lose the error answer itself.
#pragma once

#include "http_message.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace http {

struct Reply {
    int status = 200;
    Headers headers;  // Content-Type and the like; the core adds the framing fields
    std::string body;
    // Or a file's bytes, sent with sendfile() after the head: [file_offset, +file_length).
    netlab::Fd file;
    std::uint64_t file_offset = 0;
    std::uint64_t file_length = 0;
    bool close = false;  // close the connection after this answer
};

// A request and who sent it. The handler runs on the loop's thread: it must not block.
using Handler = std::function<Reply(const Request& request, const netlab::Endpoint& peer)>;

struct ServerConfig {
    std::string program;            // for log lines
    std::string server = "netlab";  // the Server field
    Limits limits{8 * 1024, 64 * 1024, 100, 1024 * 1024};
    int header_timeout_ms = 10'000;  // from a request's first byte until its head is complete
    int idle_timeout_ms = 15'000;    // a keep-alive connection with no request in progress
    std::size_t max_clients = 10'000;
    bool access_log = true;  // one line per request on stderr
};

// --header-timeout, --idle-timeout, --max-clients, --quiet, --max-body on a program's Cli.
void add_server_options(netlab::Cli& cli);
void read_server_options(const cxxopts::ParseResult& args, ServerConfig& config);

// A small HTML page with a status and a message, like python http.server's error pages.
Reply error_reply(int status, const std::string& message);
// A reply with a body of the given type.
Reply text_reply(int status, std::string content_type, std::string body);

class Server {
public:
    Server(ServerConfig config, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Listens on host:port (IPv4 or IPv6). Throws SysError (port in use...).
    void listen(const std::string& host, std::uint16_t port);
    // Serves until SIGINT/SIGTERM (install_stop_handlers() first); returns then.
    void run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// What the servers print when they start, as Python would show the address: ('0.0.0.0', 5000).
std::string python_address(const std::string& host, std::uint16_t port);

}  // namespace http
