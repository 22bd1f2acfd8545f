// rest_client — walks through every method of rest_server's API, as lecture 000 §6 does with
// httpx (get/post/put/patch/delete/head/options, params, status-code classes), and prints each
// exchange: the request line, the status line with its class, the interesting fields, and the
// JSON body pretty-printed.
//
//   $ rest_client                          against http://127.0.0.1:5001
//   > POST /notes HTTP/1.1
//   > Content-Type: application/json
//   {"title": "Купить молоко", ...}
//   < HTTP/1.1 201 Created   (2xx success)
//   < Location: /notes/1
//   { "id": 1, ... }
//
// --origin ORIGIN sends Origin: ORIGIN with every request, as a browser's fetch() from that
// origin would, and first shows the preflight a browser sends before a PUT with JSON, and its
// answer (the Access-Control-* fields).
//
// Watch for:
//  - Each answer is checked against what the API promises (201 for POST, 204 for DELETE, 404
//    once deleted...); any other status ends the walk with exit status 1, as
//    raise_for_status() would raise.
//  - All requests go over one keep-alive connection (--trace shows it).
//
// Run the pair:   ./rest_server      ./rest_client
#include "http_client.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/json.hpp"

#include <iostream>

namespace {

using nlohmann::json;

std::string status_class(int status)
{
    switch (status / 100) {
    case 1: return "1xx informational";
    case 2: return "2xx success";
    case 3: return "3xx redirection";
    case 4: return "4xx client error";
    case 5: return "5xx server error";
    }
    return "?";
}

std::string pretty(const std::string& body)
{
    try {
        return netlab::parse_json<nlohmann::ordered_json>(body).dump(2, ' ', false, json::error_handler_t::replace);
    } catch (const netlab::JsonError&) {
        return body;
    }
}

class Walk {
public:
    Walk(http::Url base, std::string origin, http::ClientOptions o)
        : base_(std::move(base)), origin_(std::move(origin)), client_(o)
    {
    }

    // One exchange, printed; fails (exit 1) unless the status is `expect`.
    http::Response send(const std::string& method, const std::string& target, const std::optional<json>& body, int expect,
                        http::Headers extra = {})
    {
        http::Url url = http::resolve_url(base_, target);
        http::Request req;
        req.method = method;
        req.headers.add("Accept", "application/json");
        if (!origin_.empty())
            req.headers.add("Origin", origin_);
        for (const auto& f : extra.fields())
            req.headers.add(f.name, f.value);
        if (body) {
            req.headers.add("Content-Type", "application/json");
            req.body = body->dump();
        }
        std::cout << "> " << method << " " << url.target() << " HTTP/1.1\n";
        for (const auto& f : req.headers.fields())
            if (f.name != "Accept")
                std::cout << "> " << f.name << ": " << f.value << "\n";
        if (body)
            std::cout << body->dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        const http::Response r = client_.request(url, std::move(req));
        std::cout << "< HTTP/1." << (r.version == 10 ? 0 : 1) << " " << r.status << " " << r.reason << "   ("
                  << status_class(r.status) << ")\n";
        for (const auto& f : r.headers.fields()) {
            const std::string& n = f.name;
            if (http::iequals(n, "Location") || http::iequals(n, "Allow") || http::iequals(n, "Vary") ||
                http::iequals(n, "X-Total-Count") || (n.size() > 15 && http::iequals(n.substr(0, 15), "Access-Control-")))
                std::cout << "< " << n << ": " << f.value << "\n";
        }
        if (!r.body.empty() && method != "HEAD")
            std::cout << pretty(r.body) << "\n";
        std::cout << "\n";
        if (r.status != expect)
            throw http::ClientError(method + " " + url.target() + " answered " + std::to_string(r.status) + " " + r.reason +
                                    ", not " + std::to_string(expect));
        return r;
    }

    void run()
    {
        if (!origin_.empty()) {  // what a browser asks before a cross-origin PUT with JSON
            http::Headers pre;
            pre.add("Access-Control-Request-Method", "PUT");
            pre.add("Access-Control-Request-Headers", "content-type");
            send("OPTIONS", "/notes/1", std::nullopt, 204, pre);
        }
        send("OPTIONS", "/notes", std::nullopt, 204);
        const auto created = send("POST", "/notes", json{{"title", "Купить молоко"}, {"text", "2 литра"}, {"tags", {"дом"}}},
                                  201);
        const std::string* location = created.headers.get("Location");
        if (!location)
            throw http::ClientError("POST /notes answered 201 without a Location");
        const std::string note = *location;
        send("GET", note, std::nullopt, 200);
        send("PUT", note, json{{"title", "Купить молоко и хлеб"}, {"text", "2 литра, батон"}, {"tags", {"дом", "магазин"}}}, 200);
        send("PATCH", note, json{{"text", "1 литр, батон"}}, 200);
        send("GET", "/notes?filter=" + http::percent_encode("молоко") + "&limit=10&offset=0", std::nullopt, 200);
        send("HEAD", note, std::nullopt, 200);
        send("POST", "/notes", json{{"title", "Купить молоко и хлеб"}}, 409);
        send("DELETE", note, std::nullopt, 204);
        send("GET", note, std::nullopt, 404);
    }

private:
    http::Url base_;
    std::string origin_;
    http::Client client_;
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("rest_client", "Every method of rest_server's API, each exchange printed (lectures 000 §6, 002)",
                        "127.0.0.1", 5001);
        cli.add_timeout(10);
        cli.add()                                                                                    //
            ("url", "the API's base URL (default http://HOST:PORT)", cxxopts::value<std::string>())  //
            ("origin", "send Origin: ORIGIN (as a page from there would) and show the CORS preflight",
             cxxopts::value<std::string>());
        cli.positional({"url"}, "[URL]");
        auto args = cli.parse(argc, argv);
        const http::Url base = http::url_argument(args.count("url") ? std::optional(args["url"].as<std::string>()) : std::nullopt,
                                                  cli.host(), cli.port());
        const std::string origin = args.count("origin") ? args["origin"].as<std::string>() : "";
        if (origin.find_first_of("\r\n") != std::string::npos)
            throw netlab::UsageError("--origin must be one line");
        http::ClientOptions options;
        options.connect_timeout_ms = cli.timeout_ms();
        options.io_timeout_ms = cli.timeout_ms();
        Walk walk(base, origin, options);
        try {
            walk.run();
        } catch (const http::ClientError& e) {
            std::cout << std::flush;
            std::cerr << "rest_client: " << e.what() << std::endl;
            return 1;
        } catch (const http::TlsError& e) {
            std::cerr << "rest_client: " << e.what() << std::endl;
            return 1;
        }
        return 0;
    });
}
