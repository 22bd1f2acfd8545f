// Fuzz target: link extraction (lesson05_http/links.hpp) — gumbo over any bytes, <base href>,
// relative references resolved against a page URL. Every URL out must be absolute http(s).
#include "lesson05_http/links.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const http::Url page = http::parse_url("http://127.0.0.1:8000/dir/page.html?q=1");
    try {
        const auto x = links::extract(std::string_view(reinterpret_cast<const char*>(data), size), page);
        for (const auto& u : x.urls)
            if ((u.scheme != "http" && u.scheme != "https") || u.path.empty() || u.path.front() != '/')
                std::abort();
    } catch (const links::Error&) {
    }
    return 0;
}
