// Tests for lesson05_http: HTTP by hand.
//
// Part 1 — the HTTP module (lesson05_http library): unit tests of every RFC 9112 rule the parsers
// enforce. Each message is parsed three ways — in one piece, one byte at a time, and cut in two
// at every byte boundary — and must give the same result (or the same error status) every time.
//
// Part 2 — the programs, against real peers (curl, python3's http.client and urllib, python3 -m
// http.server, openssl, chromium, wrk) and against misbehaving raw-socket clients driven from
// here: each bad input gets a clear status or a closed connection, the server goes on serving the
// others, and its descriptor count comes back.
#include "support/catch.hpp"
#include "support/harness.hpp"

#include "http_message.hpp"
#include "url.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace netlab::test;

namespace unit {

// Parses every request in `bytes`, fed in pieces of `step` bytes (0: all at once). Returns the
// requests, or the ParseError's status as a negative number in `error`.
struct Parsed {
    std::vector<http::Request> requests;
    int error = 0;
};

Parsed parse_requests(const std::string& bytes, std::size_t step, http::Limits limits = {}, std::size_t cut = 0)
{
    Parsed p;
    http::RequestParser parser(limits);
    auto feed = [&](std::string_view piece) {
        parser.feed(piece);
        while (auto r = parser.next())
            p.requests.push_back(std::move(*r));
    };
    try {
        if (cut > 0) {
            feed(std::string_view(bytes).substr(0, cut));
            feed(std::string_view(bytes).substr(cut));
        } else if (step == 0) {
            feed(bytes);
        } else {
            for (std::size_t i = 0; i < bytes.size(); i += step)
                feed(std::string_view(bytes).substr(i, step));
        }
    } catch (const http::ParseError& e) {
        p.error = e.status();
    }
    return p;
}

std::string describe(const Parsed& p)
{
    std::string s = "error=" + std::to_string(p.error) + " n=" + std::to_string(p.requests.size());
    for (const auto& r : p.requests) {
        s += " [" + r.method + " " + r.target + " v" + std::to_string(r.version) + " body=" + r.body;
        for (const auto& f : r.headers.fields())
            s += " " + f.name + ":" + f.value;
        for (const auto& f : r.trailers.fields())
            s += " T" + f.name + ":" + f.value;
        s += " raw=" + std::to_string(r.raw_head.size()) + "]";
    }
    return s;
}

// The same result whole, byte by byte and cut at each boundary; returns it.
Parsed parse_every_way(const std::string& bytes, http::Limits limits = {})
{
    const Parsed whole = parse_requests(bytes, 0, limits);
    const Parsed bytewise = parse_requests(bytes, 1, limits);
    CHECK(describe(bytewise) == describe(whole));
    if (bytes.size() < 2000)
        for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
            const Parsed two = parse_requests(bytes, 0, limits, cut);
            if (describe(two) != describe(whole)) {
                FAIL_CHECK("cut at " << cut << ": " << describe(two) << " vs " << describe(whole));
                break;
            }
        }
    return whole;
}

int status_of(const std::string& bytes, http::Limits limits = {}) { return parse_every_way(bytes, limits).error; }

struct ParsedResponses {
    std::vector<http::Response> responses;
    int error = 0;
};

// Feeds a response stream in pieces of `step` (0: whole); `methods` are the requests' methods in
// order; `eof` closes the stream at the end.
ParsedResponses parse_responses(const std::string& bytes, std::size_t step, std::vector<std::string> methods = {"GET"},
                                bool eof = true)
{
    ParsedResponses p;
    http::ResponseParser parser;
    std::size_t next_method = 0;
    parser.expect(methods.at(0));
    auto pump = [&] {
        while (auto r = parser.next()) {
            const bool interim = r->status < 200;
            p.responses.push_back(std::move(*r));
            if (!interim && ++next_method < methods.size())
                parser.expect(methods[next_method]);
        }
    };
    try {
        if (step == 0) {
            parser.feed(bytes);
            pump();
        } else {
            for (std::size_t i = 0; i < bytes.size(); i += step) {
                parser.feed(std::string_view(bytes).substr(i, step));
                pump();
            }
        }
        if (eof) {
            parser.finish();
            pump();
        }
    } catch (const http::ParseError& e) {
        p.error = e.status();
    }
    return p;
}

std::string describe(const ParsedResponses& p)
{
    std::string s = "error=" + std::to_string(p.error);
    for (const auto& r : p.responses) {
        s += " [" + std::to_string(r.status) + " " + r.reason + " body=" + r.body + (r.body_until_eof ? " eof" : "");
        for (const auto& f : r.headers.fields())
            s += " " + f.name + ":" + f.value;
        for (const auto& f : r.trailers.fields())
            s += " T" + f.name + ":" + f.value;
        s += "]";
    }
    return s;
}

ParsedResponses responses_every_way(const std::string& bytes, std::vector<std::string> methods = {"GET"},
                                    bool eof = true)
{
    const auto whole = parse_responses(bytes, 0, methods, eof);
    CHECK(describe(parse_responses(bytes, 1, methods, eof)) == describe(whole));
    CHECK(describe(parse_responses(bytes, 3, methods, eof)) == describe(whole));
    return whole;
}

}  // namespace unit

// ==== Part 1: the HTTP module ====================================================================

TEST_CASE("http: the lecture's browser request, CRLF and bare LF, byte at a time", "[http][unit]")
{
    const std::string lf = "GET / HTTP/1.1\nHost: 127.0.0.1:5000\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:107.0)\n"
                           "Accept: text/html\nConnection: keep-alive\nSec-Fetch-Dest: document\n\n";
    std::string crlf;
    for (char c : lf)
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    for (const auto& bytes : {crlf, lf}) {
        auto p = unit::parse_every_way(bytes);
        REQUIRE(p.error == 0);
        REQUIRE(p.requests.size() == 1);
        const auto& r = p.requests[0];
        CHECK(r.method == "GET");
        CHECK(r.target == "/");
        CHECK(r.version == 11);
        CHECK(r.headers.size() == 5);
        CHECK(*r.headers.get("host") == "127.0.0.1:5000");
        CHECK(*r.headers.get("USER-AGENT") == "Mozilla/5.0 (X11; Linux x86_64; rv:107.0)");
        CHECK(r.keep_alive());
        CHECK(r.raw_head == bytes);
        CHECK(r.request_line() == "GET / HTTP/1.1");
    }
}

TEST_CASE("http: field values trimmed, names case-insensitive, empty lines before a request ignored", "[http][unit]")
{
    auto p = unit::parse_every_way("\r\n\r\nPOST /x?y=1 HTTP/1.1\r\nhOsT:  a  \r\nX-Empty:\r\nCONTENT-length: 3\r\n\r\nabc");
    REQUIRE(p.error == 0);
    REQUIRE(p.requests.size() == 1);
    CHECK(*p.requests[0].headers.get("Host") == "a");
    CHECK(*p.requests[0].headers.get("x-empty") == "");
    CHECK(p.requests[0].body == "abc");
    CHECK(p.requests[0].target == "/x?y=1");
    CHECK(p.requests[0].raw_head.starts_with("POST"));
}

TEST_CASE("http: 1.0 closes by default, keep-alive on request, 1.1 keeps alive unless Connection: close", "[http][unit]")
{
    auto one = [](const std::string& bytes) {
        auto p = unit::parse_every_way(bytes);
        REQUIRE(p.error == 0);
        REQUIRE(p.requests.size() == 1);
        return p.requests[0];
    };
    CHECK_FALSE(one("GET / HTTP/1.0\r\n\r\n").keep_alive());
    CHECK(one("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
    CHECK(one("GET / HTTP/1.1\r\nHost: a\r\n\r\n").keep_alive());
    CHECK_FALSE(one("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n").keep_alive());
    CHECK(one("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").expects_continue());
    CHECK(one("GET / HTTP/1.2\r\nHost: a\r\n\r\n").version == 11);  // a higher minor is read as 1.1
}

TEST_CASE("http: pipelined requests come out in order, bodies and all", "[http][unit]")
{
    const std::string bytes = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                              "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                              "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                              "GET /4 HTTP/1.0\r\n\r\n";
    auto p = unit::parse_every_way(bytes);
    REQUIRE(p.error == 0);
    REQUIRE(p.requests.size() == 4);
    CHECK(p.requests[0].target == "/1");
    CHECK(p.requests[1].body == "hello");
    CHECK(p.requests[2].body == "abc");
    CHECK(p.requests[3].version == 10);
}

TEST_CASE("http: chunked bodies with extensions and trailers, bad chunks are 400", "[http][unit]")
{
    const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    auto p = unit::parse_every_way(head + "4;name=value\r\nWiki\r\n5 ; x\r\npedia\r\nA\r\n in chunks\r\n0\r\nX-Sum: 42\r\n\r\n");
    REQUIRE(p.error == 0);
    REQUIRE(p.requests.size() == 1);
    CHECK(p.requests[0].body == "Wikipedia in chunks");
    CHECK(*p.requests[0].trailers.get("x-sum") == "42");

    CHECK(unit::status_of(head + "zz\r\nabc\r\n0\r\n\r\n") == 400);           // not hex
    CHECK(unit::status_of(head + "-1\r\nabc\r\n0\r\n\r\n") == 400);           // negative
    CHECK(unit::status_of(head + "3x\r\nabc\r\n0\r\n\r\n") == 400);           // junk after the size
    CHECK(unit::status_of(head + "ffffffffffffffffff\r\n") == 400);           // overflows 64 bits
    CHECK(unit::status_of(head + "3\r\nabcdef\r\n0\r\n\r\n") == 400);         // data longer than the size
    CHECK(unit::status_of(head + "\r\n") == 400);                             // empty size line
    CHECK(unit::status_of(head + "0\r\nbad trailer\r\n\r\n") == 400);         // trailer without colon
    http::Limits small;
    small.max_body = 10;
    CHECK(unit::status_of(head + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", small) == 413);
}

TEST_CASE("http: Content-Length and Transfer-Encoding conflicts are refused (request smuggling)", "[http][unit]")
{
    const std::string start = "POST / HTTP/1.1\r\nHost: a\r\n";
    CHECK(unit::status_of(start + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") == 400);
    CHECK(unit::status_of(start + "Content-Length: 3, 4\r\n\r\nabcd") == 400);
    CHECK(unit::status_of(start + "Content-Length: -3\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Content-Length: 3x\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Content-Length: +3\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Content-Length:\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Transfer-Encoding: gzip\r\n\r\n") == 400);           // chunked not last
    CHECK(unit::status_of(start + "Transfer-Encoding: chunked, chunked\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Transfer-Encoding: gzip, chunked\r\n\r\n") == 501);  // a coding we lack
    CHECK(unit::status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 400);
    // Repeated equal lengths are one length (RFC 9112 §6.3).
    auto same = unit::parse_every_way(start + "Content-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc");
    REQUIRE(same.error == 0);
    CHECK(same.requests.at(0).body == "abc");
}

TEST_CASE("http: malformed request lines and fields are 400, versions 505", "[http][unit]")
{
    for (const char* bad : {"GET\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
                            "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                            "GET / HTTX/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1\r\nHost: a\r\n\r\n",
                            "GET / http/1.1\r\nHost: a\r\n\r\n", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"}) {
        INFO(bad);
        CHECK(unit::status_of(bad) == 400);
    }
    CHECK(unit::status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505);
    CHECK(unit::status_of("GET / HTTP/0.9\r\n\r\n") == 505);
    const std::string start = "GET / HTTP/1.1\r\nHost: a\r\n";
    CHECK(unit::status_of(start + "NoColon\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Bad Name: x\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "Name : x\r\n\r\n") == 400);   // whitespace before the colon
    CHECK(unit::status_of(start + ": x\r\n\r\n") == 400);
    CHECK(unit::status_of(start + "X-A: 1\r\n  folded\r\n\r\n") == 400);  // obs-fold
    CHECK(unit::status_of(start + std::string("X-A: a\0b\r\n\r\n", 13)) == 400);
    CHECK(unit::status_of(start + "X-A: a\rb\r\n\r\n") == 400);
    CHECK(unit::status_of("GET / HTTP/1.1\r\n\r\n") == 400);                        // 1.1 needs Host
    CHECK(unit::status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);  // one Host only
    CHECK(unit::parse_every_way("GET / HTTP/1.0\r\n\r\n").error == 0);             // 1.0 may omit it
}

TEST_CASE("http: limits on the request line (414), head bytes and field count (431), body (413)", "[http][unit]")
{
    http::Limits limits;
    limits.max_line = 100;
    limits.max_head = 1000;
    limits.max_fields = 10;
    limits.max_body = 50;
    CHECK(unit::status_of("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", limits) == 414);
    CHECK(unit::status_of("GET /" + std::string(80, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", limits) == 0);
    CHECK(unit::status_of("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(2000, 'b') + "\r\n\r\n", limits) == 431);
    std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 10; ++i)
        many += "X" + std::to_string(i) + ": v\r\n";
    CHECK(unit::status_of(many + "\r\n", limits) == 431);
    CHECK(unit::status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 51\r\n\r\n", limits) == 413);
    CHECK(unit::status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", limits) == 400);
    // A line that never ends is refused once it passes the limit, not buffered for ever.
    http::RequestParser parser(limits);
    parser.feed("GET /" + std::string(150, 'a'));
    CHECK_THROWS_AS(parser.next(), http::ParseError);
    // 10,000 fields with the default limits (100 fields) → 431.
    std::string ten_thousand = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 10'000; ++i)
        ten_thousand += "X: v\r\n";
    CHECK(unit::parse_requests(ten_thousand + "\r\n", 0).error == 431);
    CHECK(unit::parse_requests(ten_thousand + "\r\n", 1).error == 431);
}

TEST_CASE("http: in_body() after the head (for 100-continue), partial(), EOF in the middle is 400", "[http][unit]")
{
    http::RequestParser parser;
    CHECK_FALSE(parser.partial());
    parser.feed("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    CHECK_FALSE(parser.next());
    CHECK(parser.in_body());
    CHECK(parser.current().expects_continue());
    CHECK(parser.partial());
    parser.feed("body");
    auto r = parser.next();
    REQUIRE(r);
    CHECK(r->body == "body");
    CHECK_FALSE(parser.partial());
}

TEST_CASE("http: responses by Content-Length, chunked, to EOF, HEAD, 1xx, 204 and 304 have no body", "[http][unit]")
{
    auto p = unit::responses_every_way("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    REQUIRE(p.error == 0);
    REQUIRE(p.responses.size() == 1);
    CHECK(p.responses[0].body == "hello");
    CHECK(p.responses[0].reason == "OK");
    CHECK(p.responses[0].keep_alive());

    p = unit::responses_every_way("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n");
    REQUIRE(p.responses.size() == 1);
    CHECK(p.responses[0].body == "hello");
    CHECK(*p.responses[0].trailers.get("t") == "1");

    p = unit::responses_every_way("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\nall of it\n");
    REQUIRE(p.responses.size() == 1);
    CHECK(p.responses[0].body == "all of it\n");
    CHECK(p.responses[0].body_until_eof);
    CHECK_FALSE(p.responses[0].keep_alive());

    p = unit::responses_every_way("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                                  {"HEAD", "GET"});
    REQUIRE(p.responses.size() == 2);
    CHECK(p.responses[0].body.empty());
    CHECK(p.responses[1].status == 404);

    p = unit::responses_every_way("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n",
                                  {"POST", "GET"});
    REQUIRE(p.error == 0);
    REQUIRE(p.responses.size() == 3);
    CHECK(p.responses[0].status == 100);
    CHECK(p.responses[1].status == 204);
    CHECK(p.responses[2].status == 304);

    p = unit::responses_every_way("HTTP/1.1 200\r\nX-Long: a\r\n b\r\nContent-Length: 0\r\n\r\n");  // no reason; obs-fold joined
    REQUIRE(p.error == 0);
    CHECK(*p.responses.at(0).headers.get("x-long") == "a b");
}

TEST_CASE("http: malformed and truncated responses", "[http][unit]")
{
    CHECK(unit::responses_every_way("HTTP/1.1 2000 OK\r\n\r\n").error == 400);
    CHECK(unit::responses_every_way("HTTP/1.1 abc OK\r\n\r\n").error == 400);
    CHECK(unit::responses_every_way("ICY 200 OK\r\n\r\n").error == 400);
    CHECK(unit::responses_every_way("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").error == 400);
    CHECK(unit::responses_every_way("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel").error == 400);
    CHECK(unit::responses_every_way("HTTP/1.1 200 OK\r\nContent-Len").error == 400);
    CHECK(unit::responses_every_way("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").error == 400);
    CHECK(unit::responses_every_way("").error == 0);  // a clean close before any response
    CHECK(unit::responses_every_way("").responses.empty());
}

TEST_CASE("http: writers produce what the parsers read back", "[http][unit]")
{
    http::Response r;
    r.status = 404;
    r.headers.add("Content-Type", "text/html; charset=utf-8");
    r.body = "Такого нет";
    r.headers.add("Content-Length", std::to_string(r.body.size()));
    const auto bytes = http::serialize(r);
    CHECK(bytes == "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 19\r\n\r\nТакого нет");
    auto back = unit::responses_every_way(bytes);
    REQUIRE(back.responses.size() == 1);
    CHECK(back.responses[0].body == r.body);

    http::Request q;
    q.method = "PUT";
    q.target = "/a?b=c";
    q.headers.add("Host", "x");
    q.headers.add("Transfer-Encoding", "chunked");
    q.body = http::chunked("payload");
    CHECK(q.body == "7\r\npayload\r\n0\r\n\r\n");
    auto parsed = unit::parse_every_way(http::serialize(q));
    REQUIRE(parsed.requests.size() == 1);
    CHECK(parsed.requests[0].body == "payload");
    CHECK(http::chunked("") == "0\r\n\r\n");
    CHECK(http::reason_phrase(431) == "Request Header Fields Too Large");
    CHECK(http::html_escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;");
}

TEST_CASE("http: IMF-fixdate out, all three date forms in", "[http][unit]")
{
    CHECK(http::format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(http::parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK(http::parse_http_date("Tue, 01 Dec 2026 10:00:00 GMT") == 1796119200);
    CHECK_FALSE(http::parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
    CHECK_FALSE(http::parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT"));
    CHECK_FALSE(http::parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    CHECK_FALSE(http::parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
    CHECK_FALSE(http::parse_http_date(""));
    CHECK_FALSE(http::parse_http_date("garbage"));
}

TEST_CASE("url: scheme, host, [::1], port, path, query, errors name what is wrong", "[http][unit][url]")
{
    auto u = http::parse_url("http://[::1]:8080/search?q=%D0%BF#top");
    CHECK(u.scheme == "http");
    CHECK(u.host == "::1");
    CHECK(u.port == 8080);
    CHECK(u.path == "/search");
    CHECK(u.query == "q=%D0%BF");
    CHECK(u.target() == "/search?q=%D0%BF");
    CHECK(u.host_header() == "[::1]:8080");
    CHECK(u.origin() == "http://[::1]:8080");

    u = http::parse_url("HTTPS://Example.ORG");
    CHECK(u.scheme == "https");
    CHECK(u.host == "example.org");
    CHECK(u.port == 443);
    CHECK(u.target() == "/");
    CHECK(u.host_header() == "example.org");
    CHECK(http::parse_url("http://a:80/x?").target() == "/x?");
    CHECK(http::parse_url("http://a?x=1").target() == "/?x=1");

    for (const char* bad : {"ftp://a/", "a/b", "http://", "http://:80/", "http://a:0/", "http://a:65536/",
                            "http://a:x/", "http://u:p@a/", "http://[::1/", "http://[zz]/", "http://a b/",
                            "http://a/b c", "http://a/\x01"}) {
        INFO(bad);
        CHECK_THROWS_AS(http::parse_url(bad), http::UrlError);
    }
}

TEST_CASE("url: Location references resolve against the base (RFC 3986 §5.2)", "[http][unit][url]")
{
    const auto base = http::parse_url("http://a:8000/b/c/d?q");
    CHECK(http::resolve_url(base, "g").str() == "http://a:8000/b/c/g");
    CHECK(http::resolve_url(base, "./g/").str() == "http://a:8000/b/c/g/");
    CHECK(http::resolve_url(base, "../g").str() == "http://a:8000/b/g");
    CHECK(http::resolve_url(base, "../../../g").str() == "http://a:8000/g");
    CHECK(http::resolve_url(base, "/g?x").str() == "http://a:8000/g?x");
    CHECK(http::resolve_url(base, "?y").str() == "http://a:8000/b/c/d?y");
    CHECK(http::resolve_url(base, "//other/x").str() == "http://other/x");
    CHECK(http::resolve_url(base, "https://s/").str() == "https://s/");
    CHECK(http::resolve_url(base, "/dir/").str() == "http://a:8000/dir/");
    CHECK(http::resolve_url(base, "").str() == "http://a:8000/b/c/d?q");
}

TEST_CASE("url: percent-decoding, encoding, query strings, --data-urlencode forms", "[http][unit][url]")
{
    CHECK(http::percent_decode("%D0%BF%d1%80+x") == "пр+x");
    CHECK(http::percent_decode("a+b", true) == "a b");
    CHECK(http::percent_decode("%2e%2E") == "..");
    CHECK(http::percent_decode("%00") == std::string(1, '\0'));
    CHECK_FALSE(http::percent_decode("%"));
    CHECK_FALSE(http::percent_decode("%2"));
    CHECK_FALSE(http::percent_decode("%zz"));
    CHECK(http::percent_encode("a b/ц~") == "a%20b%2F%D1%86~");
    CHECK(http::percent_encode("a b/", "/") == "a%20b/");
    const auto q = http::parse_query("a=1&b=%20x+y&c&&d=%zz&=e");
    REQUIRE(q.size() == 5);
    CHECK(q[0] == std::pair<std::string, std::string>{"a", "1"});
    CHECK(q[1] == std::pair<std::string, std::string>{"b", " x y"});
    CHECK(q[2] == std::pair<std::string, std::string>{"c", ""});
    CHECK(q[3] == std::pair<std::string, std::string>{"d", "%zz"});
    CHECK(q[4] == std::pair<std::string, std::string>{"", "e"});
    CHECK(http::urlencode_form_item("name=a b&c") == "name=a%20b%26c");
    CHECK(http::urlencode_form_item("=a b") == "a%20b");
    CHECK(http::urlencode_form_item("a b") == "a%20b");
}
