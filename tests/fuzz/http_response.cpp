// Fuzz target: http_get's response parser (lesson05_http/http_message.hpp), for a GET or a HEAD
// (first byte), the stream ending at EOF; whole and in pieces must agree.
#include "lesson05_http/http_message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
std::string run(std::string_view bytes, std::size_t step, bool head)
{
    http::Limits limits{256, 2048, 20, 4096};
    http::ResponseParser parser(limits);
    parser.expect(head ? "HEAD" : "GET");
    std::string out;
    auto pump = [&] {
        while (auto r = parser.next()) {
            out += std::to_string(r->status) + ' ' + r->reason + ' ' + std::to_string(r->keep_alive());
            for (const auto& f : r->headers.fields())
                out += '|' + f.name + ':' + f.value;
            for (const auto& f : r->trailers.fields())
                out += "|T" + f.name + ':' + f.value;
            out += "|body=" + r->body + '\n';
        }
    };
    try {
        for (std::size_t i = 0; i < bytes.size(); i += step) {
            parser.feed(bytes.substr(i, step));
            pump();
        }
        parser.finish();
        pump();
    } catch (const http::ParseError& e) {
        out += "error " + std::to_string(e.status());
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const bool head = data[0] & 0x80;
    const std::size_t step = 1 + data[0] % 16;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (run(bytes, bytes.size() + 1, head) != run(bytes, step, head))
        std::abort();
    return 0;
}
