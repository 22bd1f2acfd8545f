// http_client.cpp — see http_client.hpp.
#include "http_client.hpp"

#include "common/error.hpp"
#include "common/socket.hpp"

namespace http {

using Clock = std::chrono::steady_clock;

int Client::time_left(int fallback) const
{
    if (!o_.deadline)
        return fallback;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*o_.deadline - Clock::now()).count();
    if (left <= 0)
        throw ClientError("operation timed out after " + std::to_string(o_.max_time_ms) + " ms (--max-time)");
    return static_cast<int>(left);
}

std::unique_ptr<Stream> Client::open_stream(const Url& url)
{
    const bool moved = o_.connect_only_for.empty() || o_.connect_only_for == url.host + ":" + std::to_string(url.port);
    const std::string host = moved && !o_.connect_host.empty() ? o_.connect_host : url.host;
    const std::uint16_t port = moved && o_.connect_port ? o_.connect_port : url.port;
    int timeout = time_left(o_.connect_timeout_ms);
    if (o_.connect_timeout_ms >= 0 && timeout > o_.connect_timeout_ms)
        timeout = o_.connect_timeout_ms;
    netlab::Fd fd;
    try {
        fd = netlab::tcp_connect(host, port, timeout);
    } catch (const netlab::Timeout&) {
        throw ClientError("connect to " + host + " port " + std::to_string(port) + " timed out after " + std::to_string(timeout) +
                          " ms");
    }
    if (url.scheme == "https")
        return tls_connect(std::move(fd), url.host, o_.tls, time_left(o_.io_timeout_ms));
    return std::make_unique<PlainStream>(std::move(fd));
}

// Reads one whole response (interim 1xx ones are skipped) from `s`.
Response Client::read_response(Stream& s, const std::string& method, bool to_eof, bool& got_bytes)
{
    Limits limits;
    limits.max_body = o_.max_body;
    limits.max_line = 64 * 1024;
    limits.max_head = 1024 * 1024;
    limits.max_fields = 1000;
    ResponseParser parser(limits);
    parser.expect(method);
    char buf[64 * 1024];
    std::string all;  // HTTP/1.0: everything until the server closes, parsed at the end
    for (;;) {
        if (!to_eof) {
            while (auto r = parser.next())
                if (r->status >= 200)
                    return std::move(*r);
        }
        const std::size_t n = s.read(buf, sizeof buf, time_left(o_.io_timeout_ms));
        if (n == 0) {
            if (to_eof)
                parser.feed(all);
            parser.finish();
            while (auto r = parser.next())
                if (r->status >= 200)
                    return std::move(*r);
            throw ParseError(0, got_bytes ? "the server closed the connection before the response was complete"
                                          : "the server closed the connection without a response");
        }
        got_bytes = true;
        if (to_eof) {
            all.append(buf, n);
            if (all.size() > limits.max_head + limits.max_body)
                throw ParseError(413, "response over the limit of " + std::to_string(limits.max_body) + " bytes");
        } else
            parser.feed(std::string_view(buf, n));
    }
}

Response Client::exchange(const Url& url, const std::string& method, const std::string& request_bytes, bool to_eof)
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
            stream = open_stream(url);
            netlab::trace("connected to " + origin + " (fd " + std::to_string(stream->fd()) + ")");
        }
        bool got_bytes = false;
        try {
            stream->write_all(request_bytes, time_left(o_.io_timeout_ms));
            Response response = read_response(*stream, method, to_eof, got_bytes);
            if (!to_eof && response.keep_alive())
                pool_[origin] = std::move(stream);
            return response;
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
            throw ClientError(o_.max_time_ms >= 0
                                  ? "operation timed out after " + std::to_string(o_.max_time_ms) + " ms (--max-time)"
                                  : "no answer from " + origin + " within " + std::to_string(o_.io_timeout_ms) + " ms");
        }
    }
}

Response Client::request(const Url& url, Request req)
{
    req.target = url.target();
    if (!req.headers.has("Host"))
        req.headers.add("Host", url.host_header());
    if (!req.headers.has("User-Agent"))
        req.headers.add("User-Agent", user_agent);
    const bool sends_body = !req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (sends_body && !req.headers.has("Content-Length"))
        req.headers.add("Content-Length", std::to_string(req.body.size()));
    return exchange(url, req.method, serialize(req), req.version == 10);
}

}  // namespace http
