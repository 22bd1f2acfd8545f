// Fuzz target: lecture 002's application protocol as app_server and app_client read it
// (lesson04_multiconn/app_message.hpp): the 2-byte length, the JSON header, the content, fed in
// recv()-sized pieces, then the content decoded and printed as the server logs it.
// The first input byte picks the piece size, so the fuzzer also explores how a message is split.
#include "lesson04_multiconn/app_message.hpp"

#include "common/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t piece = data[0] % 64 + 1;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    app::MessageReader reader(app::Limits{4096, 64 * 1024});
    try {
        while (!rest.empty()) {
            const auto n = std::min(piece, rest.size());
            reader.feed(rest.substr(0, n));
            rest.remove_prefix(n);
        }
        if (!reader.complete()) {
            (void)reader.progress();
            return 0;
        }
        const app::Message& m = reader.message();
        if (m.content_type() == "text/json") {
            const app::Json decoded = app::json_decode(m.content, m.content_encoding());
            (void)app::python_repr(decoded);
            (void)app::json_dumps(decoded);
        }
        (void)netlab::python_bytes(app::create_message(m.content.substr(0, 10), "binary/custom-server-binary-type", "binary"));
    } catch (const app::ProtocolError&) {  // the server logs it and closes that connection
    }
    return 0;
}
