// Fuzz target: the servers' request parser (lesson05_http/http_message.hpp). The input is fed
// whole and again in pieces whose size comes from the first byte; the two must agree exactly
// (same requests, same error status): a message cut anywhere parses the same.
#include "lesson05_http/http_message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
std::string run(std::string_view bytes, std::size_t step)
{
    http::Limits limits{256, 2048, 20, 4096};
    http::RequestParser parser(limits);
    std::string out;
    try {
        for (std::size_t i = 0; i < bytes.size(); i += step) {
            parser.feed(bytes.substr(i, step));
            while (auto r = parser.next()) {
                out += r->method + ' ' + r->target + ' ' + std::to_string(r->version) + ' ' + std::to_string(r->keep_alive());
                for (const auto& f : r->headers.fields())
                    out += '|' + f.name + ':' + f.value;
                out += "|body=" + r->body + "|raw=" + r->raw_head + '\n';
                (void)r->expects_continue();
            }
            (void)parser.in_body();
            (void)parser.partial();
        }
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
    const std::size_t step = 1 + data[0] % 16;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (run(bytes, bytes.size() + 1) != run(bytes, step))
        std::abort();  // whole and in pieces disagree
    return 0;
}
