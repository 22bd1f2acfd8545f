// Fuzz target: the depth-limited JSON parser every lesson uses for what a peer sends
// (common/json.hpp), and the lesson printers that walk the result (Python's repr and json.dumps
// spacing, lesson04 app_python). A crash here is one client killing a server.
#include "common/json.hpp"
#include "lesson04_multiconn/app_python.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto value = netlab::parse_json<app::Json>(text);
        (void)app::python_repr(value);
        (void)app::json_dumps(value);
        (void)value.dump();
    } catch (const netlab::JsonError&) {
    }
    try {
        (void)netlab::parse_json(text, 8).dump();  // a tight limit, as a server might set
    } catch (const netlab::JsonError&) {
    }
    return 0;
}
