// http_client.hpp — an HTTP/1.1 client over Stream (plain or TLS): what http_get is built on,
// and what this lesson's other clients can use.
//
//   http::Client client;                       // like one httpx.Client
//   auto r = client.exchange(url, "GET", http::serialize(request));
//   auto s = client.exchange(other_url_same_host, "GET", ...);   // same connection, kept alive
//
// Watch for:
//  - Connections are kept per origin (scheme, host, port) while the server keeps them alive; a
//    kept connection the server closed meanwhile fails before any byte of an answer arrives, and
//    the request is then sent once more on a new connection.
//  - Interim 1xx answers are skipped; the final answer comes back whole (its body decoded).
#pragma once

#include "http_message.hpp"
#include "stream.hpp"
#include "tls.hpp"
#include "url.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace http {

// The exchange failed: a bad or missing answer, or a connect that timed out.
class ClientError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The whole-run deadline (ClientOptions::max_time_ms) passed.
class ClientTimeout : public ClientError {
    using ClientError::ClientError;
};

struct ClientOptions {
    int connect_timeout_ms = -1;  // each connect (< 0: the system's)
    int max_time_ms = -1;         // everything this client does, from its construction
    std::string connect_host;     // connect here instead of the URL's host (the URL still names Host, SNI)
    std::uint16_t connect_port = 0;
    TlsOptions tls;
    Limits limits{64 * 1024, 1024 * 1024, 1000, std::size_t{1} << 32};
};

class Client {
public:
    explicit Client(ClientOptions options = {});

    // Sends `request_bytes` (a whole request for `url`) and reads the final answer. `method`
    // tells HEAD apart (no body); `to_eof` reads until the server closes (HTTP/1.0, the lectures'
    // way) and never keeps the connection. Throws ClientError, ClientTimeout, TlsError, SysError.
    Response exchange(const Url& url, std::string_view method, const std::string& request_bytes, bool to_eof = false);

    // Milliseconds left of max_time_ms (fallback if there is no deadline); throws ClientTimeout.
    int time_left(int fallback = -1) const;

private:
    std::unique_ptr<Stream> open(const Url& url) const;
    Response read_response(Stream& s, std::string_view method, bool to_eof, bool& got_bytes) const;

    ClientOptions options_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    std::map<std::string, std::unique_ptr<Stream>> pool_;  // by origin
};

// A request for `url` with the fields every client sends: Host, User-Agent, Accept, and
// Content-Length when there is a body.
Request make_request(const Url& url, std::string method, const std::string& user_agent, int version = 11);

}  // namespace http
