#include "http_client.hpp"

#include "common/error.hpp"
#include "common/socket.hpp"

namespace http {

using Clock = std::chrono::steady_clock;

Client::Client(ClientOptions options) : options_(std::move(options))
{
    if (options_.max_time_ms >= 0)
        deadline_ = Clock::now() + std::chrono::milliseconds(options_.max_time_ms);
}

int Client::time_left(int fallback) const
{
    if (!deadline_)
        return fallback;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now()).count();
    if (left <= 0)
        throw ClientTimeout("operation timed out after " + std::to_string(options_.max_time_ms) + " ms");
    return static_cast<int>(left);
}

std::unique_ptr<Stream> Client::open(const Url& url) const
{
    const std::string host = options_.connect_host.empty() ? url.host : options_.connect_host;
    const std::uint16_t port = options_.connect_port ? options_.connect_port : url.port;
    int timeout = time_left(options_.connect_timeout_ms);
    if (options_.connect_timeout_ms >= 0 && timeout > options_.connect_timeout_ms)
        timeout = options_.connect_timeout_ms;
    netlab::Fd fd;
    try {
        fd = netlab::tcp_connect(host, port, timeout);
    } catch (const netlab::Timeout&) {
        throw ClientError("connect to " + host + " port " + std::to_string(port) + " timed out after " +
                          std::to_string(timeout) + " ms");
    }
    if (url.scheme == "https")
        return tls_connect(std::move(fd), url.host, options_.tls, time_left());
    return std::make_unique<PlainStream>(std::move(fd));
}

Response Client::read_response(Stream& s, std::string_view method, bool to_eof, bool& got_bytes) const
{
    ResponseParser parser(options_.limits);
    parser.expect(method);
    char buf[64 * 1024];
    auto final_response = [&]() -> std::optional<Response> {
        while (auto r = parser.next())
            if (r->status >= 200)
                return r;
        return std::nullopt;
    };
    for (;;) {
        if (!to_eof)
            if (auto r = final_response())
                return std::move(*r);
        const std::size_t n = s.read(buf, sizeof buf, time_left());
        if (n == 0) {
            parser.finish();
            if (auto r = final_response())
                return std::move(*r);
            throw ParseError(0, got_bytes ? "the server closed the connection before the response was complete"
                                          : "the server closed the connection without a response");
        }
        got_bytes = true;
        parser.feed(std::string_view(buf, n));  // to_eof: parsed once the server has closed
    }
}

Response Client::exchange(const Url& url, std::string_view method, const std::string& request_bytes, bool to_eof)
{
    const std::string origin = url.origin();
    for (int attempt = 0;; ++attempt) {
        auto it = pool_.find(origin);
        const bool reused = it != pool_.end();
        std::unique_ptr<Stream> stream;
        if (reused) {
            stream = std::move(it->second);
            pool_.erase(it);
            netlab::trace("re-using the keep-alive connection to " + origin + " (fd " + std::to_string(stream->fd()) + ")");
        } else {
            stream = open(url);
            netlab::trace("connected to " + origin + " (fd " + std::to_string(stream->fd()) + ")");
        }
        bool got_bytes = false;
        try {
            stream->write_all(request_bytes, time_left());
            Response r = read_response(*stream, method, to_eof, got_bytes);
            if (!to_eof && r.keep_alive())
                pool_[origin] = std::move(stream);
            return r;
        } catch (const netlab::SysError& e) {
            // A kept connection the server closed while we were idle: send again on a new one.
            if (reused && !got_bytes && attempt == 0 && (e.code() == EPIPE || e.code() == ECONNRESET)) {
                netlab::trace("the kept connection was closed by the server; connecting again");
                continue;
            }
            throw;
        } catch (const ParseError& e) {
            if (reused && !got_bytes && attempt == 0) {
                netlab::trace("the kept connection was closed by the server; connecting again");
                continue;
            }
            throw ClientError("bad response from " + origin + ": " + e.what());
        } catch (const netlab::Timeout&) {
            throw ClientTimeout("operation timed out after " + std::to_string(options_.max_time_ms) + " ms");
        }
    }
}

Request make_request(const Url& url, std::string method, const std::string& user_agent, int version)
{
    Request req;
    req.method = std::move(method);
    req.target = url.target();
    req.version = version;
    req.headers.add("Host", url.host_header());
    req.headers.add("User-Agent", user_agent);
    req.headers.add("Accept", "*/*");
    return req;
}

}  // namespace http
