// url.hpp — URLs as http_get and the servers need them (RFC 3986, the parts HTTP uses).
//
//   http://[::1]:8080/search?q=%D0%BF#top  →  scheme http, host ::1, port 8080,
//                                             path /search, query q=%D0%BF (the fragment is dropped)
//
// Watch for:
//  - An IPv6 address is written in brackets, because its colons would read as the port's.
//  - Percent-decoding happens once, on the parts, never on the whole URL: "%2F" in a path is a
//    byte of a name, not a separator (file_server refuses it rather than guess).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

class UrlError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Url {
    std::string scheme;  // "http" or "https", lower case
    std::string host;    // without brackets: "::1", "example.org"
    std::uint16_t port = 0;
    std::string path = "/";  // still percent-encoded, as it goes on the request line
    std::string query;       // after '?', without it; empty if none
    bool has_query = false;

    std::string target() const;       // path[?query]: the request line's target
    std::string host_header() const;  // "example.org", "[::1]:8080" (the port only if not the default)
    std::string origin() const;       // "http://[::1]:8080": what a connection is reused for
    std::string str() const;          // the whole URL again
};

// Parses an absolute http:// or https:// URL. Throws UrlError naming what is wrong.
Url parse_url(std::string_view text);
// A client's URL from its command line: `given` if there is one, else http://HOST:PORT/ from
// --host/--port (an IPv6 address in brackets). A malformed URL is a usage error (exit 2).
Url url_argument(const std::optional<std::string>& given, const std::string& host, std::uint16_t port);
// A Location header's value, resolved against the URL it came from (RFC 3986 §5.2).
Url resolve_url(const Url& base, std::string_view reference);

// "%D0%BF" → "п"; nullopt if a '%' is not followed by two hex digits. With `plus_is_space`
// (query strings, forms) '+' means ' '.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
// Encodes every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) and those in `keep`.
std::string percent_encode(std::string_view text, std::string_view keep = "");

// "a=1&b=%20x&c" → {{"a","1"},{"b"," x"},{"c",""}}; a malformed escape is kept as it is.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
// curl's --data-urlencode forms: "name=content" → name=<content encoded>, "=content" and
// "content" → <content encoded>.
std::string urlencode_form_item(std::string_view item);

}  // namespace http
