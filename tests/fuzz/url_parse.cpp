// Fuzz target: URLs (lesson05_http/url.hpp) — parse_url, resolving a Location against a base,
// percent-decoding and query strings. A parsed URL printed again must parse to the same parts.
#include "lesson05_http/http_message.hpp"
#include "lesson05_http/url.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const http::Url u = http::parse_url(text);
        const http::Url again = http::parse_url(u.str());
        if (again.host != u.host || again.port != u.port || again.target() != u.target() || again.scheme != u.scheme)
            std::abort();  // printing and parsing again changed the URL
    } catch (const http::UrlError&) {
    }
    try {
        static const http::Url base = http::parse_url("http://a:8000/b/c/d?q");
        const http::Url r = http::resolve_url(base, text);
        if (r.path.empty() || r.path.front() != '/')
            std::abort();
    } catch (const http::UrlError&) {
    }
    (void)http::percent_decode(text, size % 2 == 0);
    const std::string encoded = http::percent_encode(text);
    if (http::percent_decode(encoded) != std::string(text))
        std::abort();  // encode then decode must give the text back
    (void)http::parse_query(text);
    (void)http::urlencode_form_item(text);
    (void)http::parse_http_date(text);
    return 0;
}
