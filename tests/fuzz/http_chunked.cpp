// Fuzz target: chunked decoding (lesson05_http/http_message.hpp): the input is the body of a
// request with Transfer-Encoding: chunked; whole and byte by byte must agree.
#include "lesson05_http/http_message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
std::string run(const std::string& bytes, std::size_t step)
{
    http::Limits limits{256, 2048, 20, 8192};
    http::RequestParser parser(limits);
    std::string out;
    try {
        for (std::size_t i = 0; i < bytes.size(); i += step) {
            parser.feed(std::string_view(bytes).substr(i, step));
            while (auto r = parser.next()) {
                out += "body=" + r->body;
                for (const auto& f : r->trailers.fields())
                    out += "|T" + f.name + ':' + f.value;
                out += '\n';
            }
        }
    } catch (const http::ParseError& e) {
        out += "error " + std::to_string(e.status());
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes = "POST / HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n" +
                              std::string(reinterpret_cast<const char*>(data), size);
    if (run(bytes, bytes.size()) != run(bytes, 1))
        std::abort();
    return 0;
}
