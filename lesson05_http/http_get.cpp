// http_get — a small curl on a raw socket (lectures 000 §5–6, 001, 003).
//
//   http_get http://127.0.0.1:8888/               the body, byte for byte, on stdout
//   http_get -i http://127.0.0.1:5000/admin       the status line and fields first, like curl -i
//   http_get --http1.0 URL                        as the lecture does it: read until the server closes
//   http_get URL1 URL2 ...                        one keep-alive connection per host, reused
//   http_get --raw request.txt http://host:port/  the lecture's hand-written request, LF → CR LF
//
// Options are curl's: -I, -X, -d, --data-binary @FILE, -H, -G --data-urlencode, -L --max-redirs,
// --connect-timeout, --max-time, -o, --fail, --cacert, -k. https:// goes through OpenSSL, with the
// certificate and the host name verified.
//
// Watch for:
//  - HTTP/1.1 keeps the connection open after a response, so "read until EOF" (the lecture's
//    loop) would wait for the server's idle timeout; the end of a body is found instead from
//    Content-Length, or from the chunked framing (a chunk of size 0 ends it).
//  - With several URLs for one host the second request goes on the first one's connection, as
//    an httpx.Client does; --trace shows it. A kept connection the server has meanwhile closed
//    fails at once, and the request is sent again on a new one.
//
// Run the pair:   python3 -m http.server 8888      ./http_get -i http://127.0.0.1:8888/
#include "http_client.hpp"
#include "http_message.hpp"
#include "read_file.hpp"
#include "url.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    bool include = false, head = false, http10 = false, follow = false, fail = false, get_query = false;
    std::string method;
    std::vector<std::string> headers;
    std::optional<std::string> body;
    bool form = false;  // -d / --data-urlencode: Content-Type application/x-www-form-urlencoded
    std::string query_extra;
    long max_redirs = 50;
    std::string raw_file;
    http::ClientOptions client;  // timeouts, --host / --port (where to connect instead), TLS
};

using Failure = http::ClientError;

// The lecture's request.replace(b'\n', b'\r\n'), leaving lines that already end in CR LF alone.
std::string lf_to_crlf(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            out += '\r';
        out += text[i];
    }
    return out;
}

std::string build_request(const http::Url& url, const std::string& method, const std::optional<std::string>& body,
                          const Options& o)
{
    http::Request req;
    req.method = method;
    req.target = url.target();
    req.version = o.http10 ? 10 : 11;
    req.headers.add("Host", url.host_header());
    req.headers.add("User-Agent", "netlab-http_get/1.0");
    req.headers.add("Accept", "*/*");
    if (body) {
        req.headers.add("Content-Length", std::to_string(body->size()));
        if (o.form)
            req.headers.add("Content-Type", "application/x-www-form-urlencoded");
        req.body = *body;
    }
    // -H replaces a field of the same name; "Name:" with nothing after it removes it (as in curl).
    for (const std::string& h : o.headers) {
        const auto colon = h.find(':');
        std::string name = h.substr(0, colon), value;
        if (colon != std::string::npos) {
            value = h.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.erase(0, 1);
        }
        req.headers.remove(name);
        if (!value.empty())
            req.headers.add(name, value);
    }
    return http::serialize(req);
}

void write_out(std::FILE* out, std::string_view bytes)
{
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size())
        throw netlab::SysError("write(output)", errno);
}

// One URL from the command line, with its redirects (-L). Returns the exit status.
int fetch(http::Client& pool, const std::string& text, const Options& o, std::FILE* out)
{
    http::Url url = http::parse_url(text);
    if (!o.query_extra.empty()) {
        url.query += (url.has_query && !url.query.empty() ? "&" : "") + o.query_extra;
        url.has_query = true;
    }
    std::string method = !o.method.empty() ? o.method : o.head ? "HEAD" : o.body ? "POST" : "GET";
    std::optional<std::string> body = o.body;
    for (long redirects = 0;; ++redirects) {
        std::string request_bytes;
        std::string wire_method = method;
        if (!o.raw_file.empty()) {
            request_bytes = lf_to_crlf(http::read_file(o.raw_file));
            wire_method = request_bytes.substr(0, request_bytes.find(' '));
        } else {
            request_bytes = build_request(url, method, body, o);
        }
        if (netlab::tracing()) {  // the request's head, as curl -v shows it
            std::string_view head(request_bytes);
            head = head.substr(0, head.find("\r\n\r\n"));
            for (std::size_t at = 0; at <= head.size();) {
                const auto end = std::min(head.find("\r\n", at), head.size());
                netlab::trace("> " + std::string(head.substr(at, end - at)));
                at = end + 2;
            }
        }
        const http::Response r = pool.exchange(url, wire_method, request_bytes, o.http10);
        const bool redirect = (r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308) &&
                              r.headers.has("Location");
        if (o.fail && r.status >= 400) {
            std::cerr << "http_get: the requested URL returned error: " << r.status << (r.reason.empty() ? "" : " ") << r.reason
                      << std::endl;
            return 1;
        }
        if (o.include || o.head)
            write_out(out, r.raw_head);
        if (o.follow && redirect) {
            if (redirects >= o.max_redirs)
                throw Failure("maximum (" + std::to_string(o.max_redirs) + ") redirects followed (--max-redirs)");
            url = http::resolve_url(url, *r.headers.get("Location"));
            netlab::trace("following the redirect to " + url.str());
            if (r.status == 303 || ((r.status == 301 || r.status == 302) && method == "POST")) {
                method = method == "HEAD" ? "HEAD" : "GET";
                body.reset();
            }
            continue;
        }
        if (!o.head)
            write_out(out, r.body);
        return 0;
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("http_get", "A small curl on a raw socket: HTTP/1.1 (and 1.0, and https) by hand", "", 0);
        cli.add()                                                                     //
            ("url", "URL(s) to fetch", cxxopts::value<std::vector<std::string>>())    //
            ("i,include", "print the status line and header fields before the body")  //
            ("I,head", "HEAD: only the status line and header fields")                //
            ("X,request", "request METHOD", cxxopts::value<std::string>())            //
            ("d,data", "send DATA as the body (POST); several are joined with '&'",
             cxxopts::value<std::vector<std::string>>())                                                //
            ("data-binary", "send DATA, or @FILE's bytes, as the body", cxxopts::value<std::string>())  //
            ("data-urlencode", "add name=value, percent-encoded, to the body (or the query with -G)",
             cxxopts::value<std::vector<std::string>>())                                     //
            ("G,get", "put the -d / --data-urlencode data in the URL's query and send GET")  //
            ("H,header", "add or replace a field 'Name: value' ('Name:' removes it)",
             cxxopts::value<std::vector<std::string>>())                                                                       //
            ("L,location", "follow redirects (3xx with Location)")                                                             //
            ("max-redirs", "most redirects -L follows", cxxopts::value<std::string>()->default_value("50"))                    //
            ("connect-timeout", "seconds a connection may take", cxxopts::value<std::string>())                                //
            ("m,max-time", "seconds the whole transfer may take", cxxopts::value<std::string>())                               //
            ("o,output", "write the body to FILE instead of stdout", cxxopts::value<std::string>())                            //
            ("f,fail", "exit 1 without printing the body when the status is 400 or more")                                      //
            ("raw", "send FILE's request as it is (LF becomes CR LF), as the lecture does", cxxopts::value<std::string>())     //
            ("http1.0", "HTTP/1.0: one request per connection, read until the server closes")                                  //
            ("cacert", "trust the CA certificate(s) in this PEM FILE instead of the system's", cxxopts::value<std::string>())  //
            ("k,insecure", "https: do not verify the certificate or the host name");
        cli.positional({"url"}, "URL...");
        auto args = cli.parse(argc, argv);

        Options o;
        o.include = args.count("include") > 0;
        o.head = args.count("head") > 0;
        o.http10 = cli.given("http1.0");  // (a dot in the name: see common/cli.hpp)
        o.follow = args.count("location") > 0;
        o.fail = args.count("fail") > 0;
        o.get_query = args.count("get") > 0;
        if (args.count("request"))
            o.method = args["request"].as<std::string>();
        if (!o.method.empty() && std::any_of(o.method.begin(), o.method.end(), [](char c) { return c <= ' ' || c == 0x7f; }))
            throw netlab::UsageError("-X must be a method name, not '" + o.method + "'");
        if (args.count("header"))
            o.headers = args["header"].as<std::vector<std::string>>();
        for (const auto& h : o.headers)
            if (h.find(':') == std::string::npos || h.find_first_of("\r\n") != std::string::npos)
                throw netlab::UsageError("-H needs 'Name: value' on one line, not '" + h + "'");
        std::vector<std::string> data;
        if (args.count("data"))
            for (const auto& d : args["data"].as<std::vector<std::string>>())
                data.push_back(d);
        if (args.count("data-urlencode"))
            for (const auto& d : args["data-urlencode"].as<std::vector<std::string>>())
                data.push_back(http::urlencode_form_item(d));
        o.form = !data.empty();
        std::string joined;
        for (const auto& d : data)
            joined += (joined.empty() ? "" : "&") + d;
        if (args.count("data-binary")) {
            const std::string v = args["data-binary"].as<std::string>();
            joined += v.starts_with("@") ? http::read_file(v.substr(1)) : v;
        }
        if (args.count("data-binary") || !data.empty()) {
            if (o.get_query)
                o.query_extra = joined;
            else
                o.body = joined;
        }
        o.max_redirs = netlab::parse_number("max-redirs", args["max-redirs"].as<std::string>(), 0, 1000);
        auto seconds = [&](const char* name) {
            const std::string text = args[name].as<std::string>();
            std::size_t used = 0;
            double s = -1;
            try {
                s = std::stod(text, &used);
            } catch (const std::exception&) {
            }
            if (used != text.size() || !(s > 0 && s <= 86400))
                throw netlab::UsageError(std::string("--") + name + " must be a number of seconds above 0, not '" + text + "'");
            return static_cast<int>(s * 1000);
        };
        if (args.count("connect-timeout"))
            o.client.connect_timeout_ms = seconds("connect-timeout");
        if (args.count("max-time")) {
            o.client.max_time_ms = seconds("max-time");
            o.client.deadline = Clock::now() + std::chrono::milliseconds(o.client.max_time_ms);
        }
        if (args.count("raw"))
            o.raw_file = args["raw"].as<std::string>();
        if (args.count("host"))
            o.client.connect_host = cli.host();
        o.client.connect_port = cli.port();
        if (args.count("cacert"))
            o.client.tls.ca_file = args["cacert"].as<std::string>();
        o.client.tls.verify = args.count("insecure") == 0;
        if (!args.count("url"))
            throw netlab::UsageError("no URL given");
        const auto urls = args["url"].as<std::vector<std::string>>();
        for (const auto& u : urls) {
            try {
                http::parse_url(u);  // a malformed URL is a usage error, before anything is sent
            } catch (const http::UrlError& e) {
                throw netlab::UsageError(e.what());
            }
        }

        std::FILE* out = stdout;
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
        if (args.count("output")) {
            const std::string path = args["output"].as<std::string>();
            file.reset(std::fopen(path.c_str(), "wb"));
            if (!file)
                throw netlab::SysError("open(" + path + ")", errno);
            out = file.get();
        }
        http::Client pool(o.client);
        int status = 0;
        for (const auto& u : urls) {
            try {
                status = std::max(status, fetch(pool, u, o, out));
            } catch (const Failure& e) {
                std::fflush(out);
                std::cerr << "http_get: " << e.what() << std::endl;
                status = 1;
            } catch (const http::TlsError& e) {
                std::fflush(out);
                std::cerr << "http_get: " << e.what() << std::endl;
                status = 1;
            }
        }
        if (std::fflush(out) != 0)
            throw netlab::SysError("write(output)", errno);
        return status;
    });
}
