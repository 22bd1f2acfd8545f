// http_client.hpp — the client side of HTTP/1.1 over a socket: one kept-alive connection per
// origin, a request written, its response read (by Content-Length, chunked, or to EOF), http://
// and https:// alike (stream.hpp, tls.hpp). http_get, rest_client, xmlrpc_client and
// link_checker all speak HTTP through this.
//
// Watch for:
//  - HTTP/1.1 keeps the connection open after a response, so "read until EOF" would wait for the
//    server's idle timeout; the end of a body is found from Content-Length or the chunked framing.
//  - A kept connection the server closed while we were idle fails at once (EPIPE, ECONNRESET, or
//    EOF before any byte of an answer): the request is then sent again, once, on a new connection.
#pragma once

#include "http_message.hpp"
#include "stream.hpp"
#include "tls.hpp"
#include "url.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace http {

// A failure worth one line on stderr: a timeout, a refused or broken exchange, a bad response.
class ClientError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ClientOptions {
    int connect_timeout_ms = -1;  // < 0: only the deadline bounds connect()
    int max_time_ms = -1;         // the whole run's budget (curl's --max-time), for messages
    int io_timeout_ms = -1;       // without a deadline: how long one read or write may wait (< 0: for ever)
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::string connect_host;  // connect here instead of the URL's host (--host)
    std::uint16_t connect_port = 0;
    std::string connect_only_for;                 // "host:port": only that origin's URLs go to connect_host/port (empty: all)
    std::size_t max_body = std::size_t{1} << 32;  // a longer response body is refused (ClientError)
    TlsOptions tls;
};

class Client {
public:
    explicit Client(ClientOptions options = {}) : o_(std::move(options)) {}

    // Sends `request_bytes` (a whole request for `method`) on the kept connection to `url`'s
    // origin or on a new one, and reads the final response (1xx skipped). With `to_eof` the
    // answer is read until the server closes (HTTP/1.0). Throws ClientError, TlsError, SysError.
    Response exchange(const Url& url, const std::string& method, const std::string& request_bytes, bool to_eof = false);

    // A request to `url` from a method, fields and a body: Host, User-Agent and Content-Length
    // are added unless `req` has them already.
    Response request(const Url& url, Request req);

    // Milliseconds until the deadline (`fallback` if there is none); throws ClientError past it.
    int time_left(int fallback = -1) const;
    const ClientOptions& options() const { return o_; }
    std::string user_agent = "netlab-http_client/1.0";

private:
    std::unique_ptr<Stream> open_stream(const Url& url);
    Response read_response(Stream& s, const std::string& method, bool to_eof, bool& got_bytes);

    ClientOptions o_;
    std::map<std::string, std::unique_ptr<Stream>> pool_;  // open connections, by origin
};

}  // namespace http
